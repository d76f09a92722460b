import { movedCopy } from "./copies.ts";
import {
  conjunctNames,
  firstBroken,
  type Conjuncts,
  type Invariant,
  type StepContext,
} from "./invariant.ts";
import { stateChange } from "./stats.ts";

const wanted = (ctx: StepContext) => ctx.expectation.error ?? "EINVAL";

/** What bad input must get, and what bad-align judges the same way. */
export const BAD_INPUT_CONJUNCTS: Conjuncts<[StepContext]> = {
  /** The request is refused with the error bad input gets. */
  errno(ctx) {
    if (!ctx.outcome.ok && ctx.outcome.error === wanted(ctx)) return undefined;
    const got = ctx.outcome.ok ? "ok" : `${ctx.outcome.error} (${ctx.outcome.message})`;
    return `${ctx.expectation.why}: expected ${wanted(ctx)}, got ${got}`;
  },
  /** Nothing the allocator holds changed. */
  unchanged(ctx) {
    const change = stateChange(ctx.before, ctx.after);
    return change === undefined
      ? undefined
      : `${ctx.expectation.why}: ${wanted(ctx)}, but ${change}`;
  },
  /** No live copy moved. */
  copies_stay(ctx) {
    const moved = movedCopy(ctx);
    return moved === undefined ? undefined : `${ctx.expectation.why}: ${wanted(ctx)}, but ${moved}`;
  },
};

/**
 * bad-input: an invalid size, alignment above the limit, pointer (unknown, double free, interior), CPU, a
 * forbidden hotplug event or a negative fault-injection count gets EINVAL, a write to an
 * unmapped address gets EFAULT, and nothing changes. An alignment that is not a power of two is
 * bad-align's (areamap-2009 serves one by design, which must not hide a double free here).
 *
 * Source: docs/protocol.md "Error codes"; mm/percpu.c pcpu_alloc's checks (size 0, size above
 * PCPU_MIN_UNIT_SIZE, alignment above PAGE_SIZE); the 2009 area map's
 * BUG_ON for a free of an unallocated area (a double free); cpu_hotplug.rst for the events.
 * Cost: two `stats` and a `ptr` per live copy per bad request: O(L·P).
 */
export const badInput: Invariant = {
  id: "bad-input",
  title: "bad input gets EINVAL and changes nothing",
  source: "docs/protocol.md error codes; mm/percpu.c pcpu_alloc checks; cpu_hotplug.rst",
  cost: "O(L·P) per bad request",
  needs: [],
  conjuncts: conjunctNames(BAD_INPUT_CONJUNCTS),
  afterStep(ctx) {
    if (ctx.expectation.valid || ctx.expectation.badAlign) return undefined;
    return firstBroken(BAD_INPUT_CONJUNCTS, ctx);
  },
};
