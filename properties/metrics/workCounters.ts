/**
 * Reading the work counters of an allocator, when it has them.
 *
 *   SimulatedAllocator.work = { comparisons, loopIterations, bitsScanned [, scratchBytes] }
 *        │  (counted by the design as it runs: sorts, list walks, CPU loops, bitmap scans)
 *        v
 *   readWork(allocator) ──> a snapshot, or undefined (no counters)
 *        ^
 *        │  a harness's `stats` extension `work` (docs/protocol.md): the real kernel's bitmap
 *   ExternalAllocator.stats().work = { bitmapCalls, bitmapWords [, kernelNs] }
 *
 * A duck-typed guard rather than `instanceof`, so that any in-process allocator that keeps a
 * `work` record of numbers is measured; an external harness is measured by what it counts
 * (bitmap helper calls and words, harnesses/linux/workcount.c), and one that counts nothing
 * reports "not measured" (null). The two kinds count different things: a design's comparisons,
 * loop iterations and bits examined, a harness's helper calls and whole words read or
 * written; `bitmap_words` is given for both (for a design: its bits examined / 64).
 * `scratchBytes`, when a design keeps it, is the largest temporary memory (stack or static
 * scratch arrays) one operation used: the review question "How much stackspace is this guy
 * using on 512-way?" (Andrew Morton, <20050113005730.0e10b2d9.akpm@osdl.org>).
 */
import type { PercpuAllocator } from "../../impl/index.ts";

/** A design's own counters (in-process), or a harness's (external). */
export interface WorkSnapshot {
  readonly comparisons?: number;
  readonly loopIterations?: number;
  readonly bitsScanned?: number;
  /** Undefined when the design does not model its scratch memory. */
  readonly scratchBytes?: number;
  /** A harness's: calls of its allocator's bitmap helpers. */
  readonly bitmapCalls?: number;
  /** A harness's: the words those calls read or wrote. */
  readonly bitmapWords?: number;
  /** A harness's: nanoseconds spent in its allocator's code (a time, not a count). */
  readonly kernelNs?: number;
}

function isCounterRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The allocator's work counters now, or undefined if it keeps none. */
export function readWork(allocator: PercpuAllocator): WorkSnapshot | undefined {
  const work: unknown = (allocator as { work?: unknown }).work;
  if (!isCounterRecord(work)) return readHarnessWork(allocator);
  const { comparisons, loopIterations, bitsScanned, scratchBytes } = work;
  if (
    typeof comparisons !== "number" ||
    typeof loopIterations !== "number" ||
    typeof bitsScanned !== "number"
  ) {
    return undefined;
  }
  return {
    comparisons,
    loopIterations,
    bitsScanned,
    ...(typeof scratchBytes === "number" ? { scratchBytes } : {}),
  };
}

/** What a harness's `stats` counts (`work`), or undefined when it counts nothing. */
function readHarnessWork(allocator: PercpuAllocator): WorkSnapshot | undefined {
  if (typeof (allocator as { stats?: unknown }).stats !== "function") return undefined;
  const s = allocator.stats();
  if (!s.ok || s.value.work === undefined) return undefined;
  const { bitmapCalls, bitmapWords, kernelNs } = s.value.work;
  return { bitmapCalls, bitmapWords, ...(kernelNs !== undefined ? { kernelNs } : {}) };
}

/**
 * Work per operation between two snapshots (null if either is missing or no ops): a design's
 * comparisons, loop iterations and bits examined, or a harness's bitmap calls; bitmap words
 * for both.
 */
export interface WorkPerOp {
  readonly comparisons?: number;
  readonly loop_iterations?: number;
  readonly bits_scanned?: number;
  /** Bitmap words: a design's bits_scanned / 64; a harness's words read or written. */
  readonly bitmap_words: number;
  /** A harness's bitmap helper calls. */
  readonly bitmap_calls?: number;
}

export function workPerOp(
  before: WorkSnapshot | undefined,
  after: WorkSnapshot | undefined,
  ops: number,
): WorkPerOp | null {
  if (before === undefined || after === undefined || ops === 0) return null;
  const per = (a: number | undefined, b: number | undefined) => round(((b ?? 0) - (a ?? 0)) / ops);
  if (after.bitmapWords !== undefined) {
    return {
      bitmap_words: per(before.bitmapWords, after.bitmapWords),
      bitmap_calls: per(before.bitmapCalls, after.bitmapCalls),
    };
  }
  const bits = per(before.bitsScanned, after.bitsScanned);
  return {
    comparisons: per(before.comparisons, after.comparisons),
    loop_iterations: per(before.loopIterations, after.loopIterations),
    bits_scanned: bits,
    bitmap_words: round(bits / 64),
  };
}

/** Milliseconds a harness spent in its allocator between two snapshots (undefined: not timed). */
export function kernelMs(
  before: WorkSnapshot | undefined,
  after: WorkSnapshot | undefined,
): number | undefined {
  if (before?.kernelNs === undefined || after?.kernelNs === undefined) return undefined;
  return round((after.kernelNs - before.kernelNs) / 1e6);
}

/** Rounds to 3 decimals, so JSON output stays short and stable. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
