import { hex } from "../engine/observer.ts";
import type { Invariant } from "./invariant.ts";

/**
 * no-overlap: no byte is shared by two (object, CPU) copies, across objects and across CPUs.
 *
 * Source: the point of a percpu allocator (include/linux/percpu.h: each CPU gets its own
 * copy); the 2005 design interlaces objects in one block, so an error in the bitmap or in the
 * slice arithmetic shows here first.
 * Cost: one `ptr` per live copy, then a sort: O(L·P log(L·P)) for L objects, P possible CPUs.
 */
export const noOverlap: Invariant = {
  id: "no-overlap",
  title: "no byte is shared by two (object, CPU) copies",
  source:
    "include/linux/percpu.h (per_cpu_ptr gives each CPU its own copy); the 2005 interlaced layout",
  cost: "O(L·P log(L·P)): a ptr per live copy and a sort",
  needs: [],
  afterStep(ctx) {
    const spans: { start: number; end: number; who: string }[] = [];
    for (const obj of ctx.model.liveObjects()) {
      for (const cpu of ctx.model.possible) {
        const addr = ctx.observe.copyAddr(obj, cpu);
        if (!addr.ok) continue;
        spans.push({ start: addr.value, end: addr.value + obj.size, who: `${obj.name}@cpu${cpu}` });
      }
    }
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      const prev = spans[i - 1] as (typeof spans)[number];
      const cur = spans[i] as (typeof spans)[number];
      if (cur.start < prev.end) {
        return `${prev.who} [${hex(prev.start)}, ${hex(prev.end)}) overlaps ${cur.who} [${hex(cur.start)}, ${hex(cur.end)})`;
      }
    }
    return undefined;
  },
};
