import { movedCopy } from "./copies.ts";
import type { Invariant } from "./invariant.ts";
import { stateChange } from "./stats.ts";

/**
 * bad-input: an invalid size, alignment, pointer (unknown, double free, interior), CPU, a
 * forbidden hotplug event or a negative fault-injection count gets EINVAL, a write to an
 * unmapped address gets EFAULT, and nothing changes.
 *
 * Source: docs/protocol.md "Error codes"; mm/percpu.c pcpu_alloc's checks (size 0, size above
 * PCPU_MIN_UNIT_SIZE, alignment above PAGE_SIZE or not a power of two); the 2009 area map's
 * BUG_ON for a free of an unallocated area (a double free); cpu_hotplug.rst for the events.
 * Cost: two `stats` and a `ptr` per live copy per bad request: O(L·P).
 */
export const badInput: Invariant = {
  id: "bad-input",
  title: "bad input gets EINVAL and changes nothing",
  source: "docs/protocol.md error codes; mm/percpu.c pcpu_alloc checks; cpu_hotplug.rst",
  cost: "O(L·P) per bad request",
  needs: [],
  afterStep(ctx) {
    if (ctx.expectation.valid) return undefined;
    const got = ctx.outcome.ok ? "ok" : `${ctx.outcome.error} (${ctx.outcome.message})`;
    const want = ctx.expectation.error ?? "EINVAL";
    if (ctx.outcome.ok || ctx.outcome.error !== want) {
      return `${ctx.expectation.why}: expected ${want}, got ${got}`;
    }
    const change = stateChange(ctx.before, ctx.after);
    if (change !== undefined) return `${ctx.expectation.why}: ${want}, but ${change}`;
    const moved = movedCopy(ctx);
    return moved === undefined ? undefined : `${ctx.expectation.why}: ${want}, but ${moved}`;
  },
};
