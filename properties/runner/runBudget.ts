/**
 * What may end a long run before its end, looked at between requests: a stop request
 * (impl/stop.ts), the check's time limit (`RunSettings.deadline`), and a churn run's work budget.
 *
 * A round's short runs look at the first two before every run; the long ones (a deep run's
 * fills of hundreds, a workload's thousands of steps, a churn run's thousands of requests) look
 * at them before every request too, so that neither waits for a run that an allocator slow by
 * design (a block per object: every request walks every block) can make last for hours.
 *
 * The work budget bounds a churn run by the allocator's own work counters (workCounters.ts:
 * comparisons, loop iterations, bits scanned; deterministic, unlike a time), so a pathological
 * allocator ends its churn run at the same request on every machine. The revisions' runs stay
 * far below it (BENCHMARKS §20).
 */
import type { PercpuAllocator } from "../../impl/index.ts";
import { throwIfStopped } from "../../impl/stop.ts";
import { readWork } from "../metrics/workCounters.ts";

/** Thrown between two requests of a run the check's time limit ended. */
export class TimeLimitReached extends Error {
  constructor() {
    super("the time limit ended the run");
    this.name = "TimeLimitReached";
  }
}

/** Thrown between two requests of a churn run past its work budget. */
export class WorkBudgetExceeded extends Error {
  constructor(
    readonly work: number,
    readonly budget: number,
  ) {
    super(
      `the allocator's work passed the budget of ${budget.toLocaleString("en-US")} units (comparisons, loop iterations and bits scanned)`,
    );
    this.name = "WorkBudgetExceeded";
  }
}

/**
 * The allocator work one churn run may take: comparisons + loop iterations + bits scanned, in
 * all. kiran-2005-09's heaviest churn run of the default check takes 148 million (1/13 of it).
 */
export const CHURN_WORK_BUDGET = 2_000_000_000;

/** Requests between two reads of the work counters (a read is cheap; a request may not be). */
const WORK_READ_EVERY = 16;

/** A check between two requests: a stop request, then the time limit. */
export function interruptCheck(deadline: number | undefined): () => void {
  return () => {
    throwIfStopped();
    if (deadline !== undefined && Date.now() > deadline) throw new TimeLimitReached();
  };
}

/** The work done by an allocator so far, in the budget's units (0 where it counts none). */
export function workOf(allocator: PercpuAllocator): number {
  const w = readWork(allocator);
  return w === undefined
    ? 0
    : (w.comparisons ?? 0) + (w.loopIterations ?? 0) + (w.bitsScanned ?? 0);
}

/**
 * A check between two requests of a churn run: `interrupt`, and every WORK_READ_EVERY
 * requests the allocator's work against `budget`.
 */
export function churnCheckpoint(
  interrupt: () => void,
  budget: number = CHURN_WORK_BUDGET,
): (allocator: PercpuAllocator) => void {
  let requests = 0;
  return (allocator) => {
    interrupt();
    if (++requests % WORK_READ_EVERY !== 0) return;
    const work = workOf(allocator);
    if (work > budget) throw new WorkBudgetExceeded(work, budget);
  };
}
