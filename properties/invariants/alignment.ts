import { hex } from "../engine/observer.ts";
import type { Invariant } from "./invariant.ts";

/**
 * alignment: every copy's address is a multiple of the requested alignment.
 *
 * Source: `__alloc_percpu(size, align)` (include/linux/percpu.h); the 2005 design's "alignment
 * slide" inside a free run; pcpu_alloc's `align` in mm/percpu.c.
 * Cost: O(P) per allocation: the new object's copies only (copies never move: see
 * hotplug-transparency and bad-input).
 */
export const alignment: Invariant = {
  id: "alignment",
  title: "every copy's address is a multiple of the requested alignment",
  source: "__alloc_percpu(size, align); the 2005 alignment slide; mm/percpu.c pcpu_alloc",
  cost: "O(P) per allocation",
  needs: [],
  afterStep(ctx) {
    if (ctx.step.op !== "alloc" || !ctx.outcome.ok || ctx.record === undefined) return undefined;
    const obj = ctx.record;
    if (obj.align <= 1) return undefined;
    for (const [cpu, addr] of obj.copies) {
      if (addr % obj.align !== 0) {
        return `${obj.name}'s copy for cpu ${cpu} is at ${hex(addr)}, not a multiple of ${obj.align}`;
      }
    }
    return undefined;
  },
};
