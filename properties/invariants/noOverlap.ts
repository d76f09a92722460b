import type { Copy } from "../engine/copyIndex.ts";
import { hex } from "../engine/observer.ts";
import { judgedCopies } from "./copies.ts";
import type { Invariant } from "./invariant.ts";

/**
 * no-overlap: no byte is shared by two (object, CPU) copies, across objects and across CPUs.
 *
 * Source: the point of a percpu allocator (include/linux/percpu.h: each CPU gets its own
 * copy); the 2005 design interlaces objects in one block, so an error in the bitmap or in the
 * slice arithmetic shows here first.
 * Cost: after an allocation, the new copies against the copies on their pages (the copy
 * index): O(P·copies per page). An audit takes one `ptr` per live copy and a sort:
 * O(L·P log(L·P)) for L objects, P possible CPUs. Other steps place nothing.
 */
export const noOverlap: Invariant = {
  id: "no-overlap",
  title: "no byte is shared by two (object, CPU) copies",
  source:
    "include/linux/percpu.h (per_cpu_ptr gives each CPU its own copy); the 2005 interlaced layout",
  cost: "O(P·copies per page) per allocation; O(L·P log(L·P)) per audit",
  needs: [],
  afterStep(ctx) {
    if (ctx.scope.audit) {
      const judged = judgedCopies(ctx);
      if ("problem" in judged) return undefined; // integrity names a failing ptr
      return firstOverlap([...judged.copies].sort((a, b) => a.start - b.start));
    }
    if (ctx.step.op !== "alloc" || !ctx.outcome.ok || ctx.record === undefined) return undefined;
    const mine = ctx.scope.copies.filter((c) => c.obj === ctx.record);
    for (const c of mine) {
      for (const other of ctx.scope.copies) {
        if (other === c || (other.obj === c.obj && other.cpu === c.cpu)) continue;
        if (other.start < c.end && c.start < other.end) return overlapText(c, other);
      }
    }
    return undefined;
  },
};

function firstOverlap(spans: readonly Copy[]): string | undefined {
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1] as Copy;
    const cur = spans[i] as Copy;
    if (cur.start < prev.end) return overlapText(prev, cur);
  }
  return undefined;
}

function overlapText(a: Copy, b: Copy): string {
  const [x, y] = a.start <= b.start ? [a, b] : [b, a];
  return `${x.obj.name}@cpu${x.cpu} [${hex(x.start)}, ${hex(x.end)}) overlaps ${y.obj.name}@cpu${y.cpu} [${hex(y.start)}, ${hex(y.end)})`;
}
