import { firstNonZero, hex } from "../engine/observer.ts";
import type { Invariant } from "./invariant.ts";

/**
 * zero-on-alloc: a new object reads zero on every possible CPU, also where it reuses freed
 * space (the model writes patterns into copies before they are freed).
 *
 * Source: include/linux/percpu.h ("alloc_percpu ... zeroed"); 2.6.10 memsets each copy;
 * Morton on the 2005 patch: "Can use __GFP_ZERO here"; mm/percpu.c memsets every possible
 * CPU's area in pcpu_alloc.
 * Cost: one `read` of `size` bytes per possible CPU per allocation: O(P·size).
 */
export const zeroOnAlloc: Invariant = {
  id: "zero-on-alloc",
  title: "a new object reads zero on every possible CPU",
  source:
    'include/linux/percpu.h; mm/slab.c 2.6.10 memset; LKML Jan 2005 "Can use __GFP_ZERO here"',
  cost: "O(P·size) per allocation",
  needs: [],
  afterStep(ctx) {
    if (ctx.step.op !== "alloc" || !ctx.outcome.ok || ctx.record === undefined) return undefined;
    const obj = ctx.record;
    for (const cpu of ctx.model.possible) {
      const bytes = ctx.observe.copyBytes(obj, cpu);
      if (!bytes.ok) return `reading ${obj.name}@cpu${cpu} failed: ${bytes.error} ${bytes.message}`;
      const at = firstNonZero(bytes.value);
      if (at >= 0) {
        const addr = obj.copies.get(cpu) ?? 0;
        return `${obj.name}@cpu${cpu} reads 0x${(bytes.value[at] as number).toString(16).padStart(2, "0")} at offset ${at} (${hex(addr + at)}), expected zero`;
      }
    }
    return undefined;
  },
};
