/**
 * Churn rounds: the run shape of `utilization-after-churn`. A churn workload is a handful of
 * parameters, drawn by fast-check, that expand into a script of phases as the 2005 thread's
 * stress test did (<20050112181230.GA2035@impedimenta.in.ibm.com>):
 *
 *   alloc-1    `objects` allocations, size uniform lo..hi, align 2^0..2^align_log2_max
 *   free-1     a random free_percent of the live objects
 *   refill-1   `objects` more (the thread's "2000 more allocations")
 *   free-k     (k >= 2) a random free_percent of the live objects
 *   refill-k   as many as were freed (steady churn)
 *
 * With objects 2000, sizes 4..4096, alignments 1..32, free_percent 50 and rounds 1 this is the
 * thread's experiment, phase for phase the `kiran-2005` workload (workloads/kiran2005.ts).
 * The script depends on the parameters alone (its choices come from `seed`), so a counterexample
 * file holds the parameters, not thousands of steps, and replays the same on every target.
 *
 * The scale: a batch must fill many units, or the last, partly filled block or chunk alone
 * keeps utilization below any threshold (one 4-byte object in an 8 KiB block is 0.05%) and the
 * property would only measure the granularity. `objects` is therefore at least what fills
 * SCALE_UNITS units at the mean size (and at least the thread's 4 MiB), and sizes reach at
 * least HI_MIN, so that no batch needs more than a few thousand objects.
 */
import fc from "fast-check";
import { z } from "zod";
import { SeededRandom } from "./seededRandom.ts";
import { ScriptBuilder, type WorkloadPhase } from "./workload.ts";

export interface ChurnParams {
  /** Of the script's random choices (sizes, alignments, which objects are freed). */
  readonly seed: number;
  /** Allocations in the first batch and in the first refill. */
  readonly objects: number;
  /** Sizes are uniform in size[0]..size[1] (both included). */
  readonly size: readonly [number, number];
  /** Alignments are 2^k, k uniform in 0..align_log2_max. */
  readonly align_log2_max: number;
  /** The share of the live objects each round frees, in percent. */
  readonly free_percent: number;
  /** Free/refill rounds. */
  readonly rounds: number;
}

export const churnParamsSchema = z
  .object({
    seed: z.number().int().min(0),
    objects: z.number().int().min(1),
    size: z
      .tuple([z.number().int().min(1), z.number().int().min(1)])
      .refine(([lo, hi]) => lo <= hi, "expected [lo, hi] with lo <= hi"),
    align_log2_max: z.number().int().min(0).max(12),
    free_percent: z.number().int().min(1).max(99),
    rounds: z.number().int().min(1),
  })
  .strict();

/** A batch fills at least this many units (blocks or chunks) at the mean size. */
export const SCALE_UNITS = 128;
/** ... and at least the thread's first batch: 2000 objects of 2050 bytes on average. */
export const SCALE_BYTES = 2000 * 2050;
/** The largest `hi` drawn: the thread's 4096 (capped by the target's largest size). */
export const HI_MAX = 4096;
/** The smallest `hi` drawn, so that a batch stays within a few thousand objects. */
export const HI_MIN = 2048;
/** The largest `lo` drawn. */
export const LO_MAX = 64;
/** The most objects the property asks in one batch (a unit too large needs more: not judged). */
export const MAX_BATCH = 8192;
/** Objects drawn beyond the scale's floor, at most (as a share of it, in percent). */
const EXTRA_PERCENT = 25;
/** The most rounds drawn. */
export const MAX_ROUNDS = 4;
/** The thread's smallest size and share freed: the simplest values of `lo` and `free_percent`. */
const THREAD_LO = 4;
const THREAD_FREE_PERCENT = 50;

/** The least objects a batch of sizes lo..hi needs to fill the scale on units of `unit` bytes. */
export function floorObjects(unit: number, lo: number, hi: number): number {
  const bytes = Math.max(SCALE_BYTES, SCALE_UNITS * unit);
  return Math.ceil(bytes / ((lo + hi) / 2));
}

/** What limits the drawn sizes: the target's largest size, and its unit (`unitBytes`). */
export interface ChurnScope {
  readonly maxSize: number;
  readonly unitBytes: number;
}

/**
 * Why the property cannot be judged at this scope, or undefined: a unit so large that even the
 * largest sizes need more than MAX_BATCH objects a batch.
 */
export function churnScopeProblem(scope: ChurnScope): string | undefined {
  const hi = Math.min(HI_MAX, scope.maxSize);
  if (hi < HI_MIN) return `its largest size, ${scope.maxSize} bytes, is below ${HI_MIN}`;
  const needed = floorObjects(scope.unitBytes, 1, hi);
  if (needed <= MAX_BATCH) return undefined;
  return `a unit of ${scope.unitBytes} bytes needs batches of ${needed} objects of at most ${hi} bytes (${SCALE_UNITS} units), more than ${MAX_BATCH}`;
}

/**
 * What fast-check draws: the workload's genes, each with the value it shrinks toward (the
 * simplest workload that breaks the property: the fewest objects, the fewest rounds, alignment
 * 1, the thread's sizes 4..4096 and its half freed, seed 0).
 */
export interface ChurnGenes {
  /** Objects beyond the scale's floor, in percent of it. */
  readonly extra: number;
  readonly rounds: number;
  readonly align_log2_max: number;
  readonly hi: number;
  readonly lo: number;
  readonly free_percent: number;
  readonly seed: number;
}

/** The genes in the order the shrinking tries them, with the value each shrinks toward. */
export function churnShrinkTargets(scope: ChurnScope): readonly [keyof ChurnGenes, number][] {
  return [
    ["extra", 0],
    ["align_log2_max", 0],
    ["hi", Math.min(HI_MAX, scope.maxSize)],
    ["lo", Math.min(THREAD_LO, LO_MAX)],
    ["free_percent", THREAD_FREE_PERCENT],
    ["seed", 0],
  ];
}

export function churnGenesArbitrary(scope: ChurnScope): fc.Arbitrary<ChurnGenes> {
  return fc.record({
    extra: fc.integer({ min: 0, max: EXTRA_PERCENT }),
    rounds: fc.integer({ min: 1, max: MAX_ROUNDS }),
    align_log2_max: fc.integer({ min: 0, max: 5 }),
    hi: fc.integer({ min: HI_MIN, max: Math.min(HI_MAX, scope.maxSize) }),
    lo: fc.integer({ min: 1, max: LO_MAX }),
    free_percent: fc.integer({ min: 10, max: 90 }),
    seed: fc.nat({ max: 0xffff }),
  });
}

/** The workload of these genes on this scope: `objects` is the scale's floor plus the extra. */
export function churnParamsOf(g: ChurnGenes, scope: ChurnScope): ChurnParams {
  const floor = floorObjects(scope.unitBytes, g.lo, g.hi);
  const objects = Math.min(MAX_BATCH, floor + Math.floor((floor * g.extra) / 100));
  return {
    seed: g.seed,
    objects,
    size: [g.lo, g.hi],
    align_log2_max: g.align_log2_max,
    free_percent: g.free_percent,
    rounds: g.rounds,
  };
}

/** The script of a churn workload, in phases (alloc-1, free-1, refill-1, free-2, ...). */
export function churnPhases(p: ChurnParams): readonly WorkloadPhase[] {
  const b = new ScriptBuilder(new SeededRandom(p.seed));
  const draw = (r: SeededRandom) => ({
    size: r.int(p.size[0], p.size[1]),
    align: 2 ** r.int(0, p.align_log2_max),
  });
  b.allocs("alloc-1", p.objects, draw);
  for (let round = 1; round <= p.rounds; round++) {
    const freed = Math.floor((b.liveCount * p.free_percent) / 100);
    b.freeRandom(`free-${round}`, freed);
    b.allocs(`refill-${round}`, round === 1 ? p.objects : freed, draw);
  }
  return b.phases;
}

/** A workload as one line: `2000 objects of 4..4096 bytes, align 1..32, 50% freed, 2 rounds`. */
export function describeChurn(p: ChurnParams): string {
  const align = p.align_log2_max === 0 ? "align 1" : `align 1..${2 ** p.align_log2_max}`;
  const rounds = p.rounds === 1 ? "1 round" : `${p.rounds} rounds`;
  return `${p.objects} objects of ${p.size[0]}..${p.size[1]} bytes, ${align}, ${p.free_percent}% freed, ${rounds}, seed ${p.seed}`;
}
