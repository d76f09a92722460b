/**
 * alloc: `__alloc_percpu(size, align)` (or `__alloc_percpu_gfp(..., GFP_ATOMIC)`), the new
 * object named by the step: `{"op":"alloc","size":24,"align":8,"as":"o1"}`. Valid when the size
 * is within the target's limit and the alignment a power of two it accepts; the model records
 * the object with zeroed copies, and the address of each possible CPU's copy as the allocator
 * gives it right after. An alignment below the target's `minAlign` is valid and served as `minAlign`.
 */
import { z } from "zod";
import { formatAddr, isIntIn, isPowerOfTwo } from "../../../impl/index.ts";
import { MENU } from "../../../model/systemMachine.ts";
import type { Expectation } from "../../invariants/invariant.ts";
import type { Target } from "../target.ts";
import { objName } from "./fields.ts";
import { objectPages, type Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("alloc"),
    size: z.number(),
    align: z.number(),
    atomic: z.boolean().optional(),
    as: objName,
  })
  .strict();

export type AllocStep = z.infer<typeof schema>;

/**
 * The alignment a request is served with: the target's `minAlign` for one below it (any
 * non-negative integer: pcpu_alloc raises it before its power-of-two check), else as asked.
 */
export function servedAlign(target: Target, align: number): number {
  const min = target.minAlign;
  return min !== undefined && isIntIn(align, 0, min - 1) ? min : align;
}

/** Whether a size and alignment are a valid request for the target. */
export function validAlloc(target: Target, size: number, align: number): Expectation {
  if (!isIntIn(size, 1, target.maxSize)) {
    return { valid: false, why: `size ${size} outside 1..${target.maxSize}` };
  }
  if (align === 0 && target.zeroAlignValid) return { valid: true, why: "valid request" };
  if (servedAlign(target, align) !== align) {
    return { valid: true, why: `valid request (align ${align} raised to ${target.minAlign})` };
  }
  if (!isPowerOfTwo(align)) {
    return { valid: false, badAlign: true, why: `align ${align} is not a power of two` };
  }
  if (align > target.maxAlign(size)) {
    return { valid: false, why: `align ${align} above ${target.maxAlign(size)}` };
  }
  return { valid: true, why: "valid request" };
}

export const allocOp: Op<AllocStep> = {
  op: "alloc",
  schema,
  describe: (s) => `alloc(${s.size}, ${s.align}${s.atomic ? ", atomic" : ""}) -> ${s.as}`,
  formatValue: (ptr) => formatAddr(ptr as number),
  prepare(step, { model, target }) {
    if (model.objects.has(step.as)) return undefined;
    // A name is spent by the attempt, not by its success: a failed allocation's name is
    // never handed out again, so a trace never makes one name twice.
    model.noteName(step.as);
    const opts = step.atomic ? { atomic: true } : undefined;
    return {
      expectation: validAlloc(target, step.size, step.align),
      perform: (a) => a.alloc(step.size, step.align, opts),
      performTwin: (t) => {
        const r = t.allocator.alloc(step.size, step.align, opts);
        if (r.ok) t.ptrs.set(step.as, r.value);
        return r;
      },
      apply: (ptr) => {
        const record = {
          name: step.as,
          ptr: ptr as number,
          size: step.size,
          // What alignment judges: the alignment the allocator serves it with.
          align: servedAlign(target, step.align),
          copies: new Map<number, number>(),
          contents: new Map<number, Uint8Array>(),
          live: true,
        };
        model.add(record);
        return record;
      },
      granted: ({ record, observe, copies }) => {
        if (record === undefined) return;
        for (const cpu of model.possible) {
          const addr = observe.copyAddr(record, cpu);
          if (addr.ok) record.copies.set(cpu, addr.value);
        }
        copies.add(record);
      },
      mayFailAlone: step.atomic === true && target.atomicFromPopulated,
    };
  },
  scope(_step, { record, ok }, pages) {
    if (ok && record !== undefined) objectPages(record, pages);
  },
  makes: (s) => s.as,
  rename: (s, rename) => ({ ...s, as: rename(s.as) }),
  machineEvents: ["obj.alloc"],
  fromMachineEvent(event, { model }) {
    if (event.type !== "obj.alloc") return undefined;
    const { size, align } = MENU[event.item];
    return { op: "alloc", size, align, as: model.newNamePeek() };
  },
};
