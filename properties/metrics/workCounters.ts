/**
 * Reading the work counters of an allocator, when it has them.
 *
 *   SimulatedAllocator.work = { comparisons, loopIterations, bitsScanned [, scratchBytes] }
 *        │  (counted by the design as it runs: sorts, list walks, CPU loops, bitmap scans)
 *        v
 *   readWork(allocator) ──> a snapshot, or undefined (an external harness has no counters)
 *
 * A duck-typed guard rather than `instanceof`, so that any in-process allocator that keeps a
 * `work` record of numbers is measured, and external ones report "not measured" (null).
 * `scratchBytes`, when a design keeps it, is the largest temporary memory (stack or static
 * scratch arrays) one operation used: the review question "How much stackspace is this guy
 * using on 512-way?" (Andrew Morton, <20050113005730.0e10b2d9.akpm@osdl.org>).
 */
import type { PercpuAllocator } from "../../impl/index.ts";

export interface WorkSnapshot {
  readonly comparisons: number;
  readonly loopIterations: number;
  readonly bitsScanned: number;
  /** Undefined when the design does not model its scratch memory. */
  readonly scratchBytes?: number;
}

function isCounterRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The allocator's work counters now, or undefined if it keeps none. */
export function readWork(allocator: PercpuAllocator): WorkSnapshot | undefined {
  const work: unknown = (allocator as { work?: unknown }).work;
  if (!isCounterRecord(work)) return undefined;
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

/** Work per operation between two snapshots (undefined if either is missing or no ops). */
export interface WorkPerOp {
  readonly comparisons: number;
  readonly loop_iterations: number;
  readonly bits_scanned: number;
  /** Bitmap words (64 bits) scanned: bits_scanned / 64. */
  readonly bitmap_words: number;
}

export function workPerOp(
  before: WorkSnapshot | undefined,
  after: WorkSnapshot | undefined,
  ops: number,
): WorkPerOp | null {
  if (before === undefined || after === undefined || ops === 0) return null;
  const per = (a: number, b: number) => round((b - a) / ops);
  const bits = per(before.bitsScanned, after.bitsScanned);
  return {
    comparisons: per(before.comparisons, after.comparisons),
    loop_iterations: per(before.loopIterations, after.loopIterations),
    bits_scanned: bits,
    bitmap_words: round(bits / 64),
  };
}

/** Rounds to 3 decimals, so JSON output stays short and stable. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
