/**
 * alloc: `__alloc_percpu(size, align)` (or `__alloc_percpu_gfp(..., GFP_ATOMIC)`), the new
 * object named by the step: `{"op":"alloc","size":24,"align":8,"as":"o1"}`. Valid when the size
 * is within the target's limit and the alignment a power of two it accepts; the model records
 * the object with zeroed copies, and the address of each possible CPU's copy as the allocator
 * gives it right after. An alignment below the target's `minAlign` is valid and served as `minAlign`.
 *
 * Two extensions, each a capability of the target: `"gfp": "noio" | "nofs"`
 * (`__alloc_percpu_gfp(..., GFP_NOIO / GFP_NOFS)`: sleepable, so judged as a GFP_KERNEL one)
 * and `"reserved": true` (`__alloc_reserved_percpu`: from the reserved area the target
 * declares; an ENOMEM is allowed only where the area has no sure fit, reservedFit).
 */
import { z } from "zod";
import { reservedFit } from "../../../impl/external/index.ts";
import { formatAddr, isIntIn, isPowerOfTwo, type AllocOptions } from "../../../impl/index.ts";
import { MENU } from "../../../model/systemMachine.ts";
import type { Expectation } from "../../invariants/invariant.ts";
import type { Target } from "../target.ts";
import { allocGenerators } from "./allocGenerators.ts";
import { objName } from "./fields.ts";
import { objectPages, type Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("alloc"),
    size: z.number(),
    align: z.number(),
    atomic: z.boolean().optional(),
    gfp: z.enum(["noio", "nofs"]).optional(),
    reserved: z.boolean().optional(),
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

/** What a step asks beyond size and alignment: atomic, a sleepable gfp mask, or reserved. */
function kindOf(step: AllocStep): string | undefined {
  if (step.atomic) return "atomic";
  if (step.reserved) return "reserved";
  return step.gfp;
}

function optionsOf(step: AllocStep): AllocOptions | undefined {
  if (step.atomic) return { atomic: true };
  if (step.reserved) return { reserved: true };
  return step.gfp !== undefined ? { gfp: step.gfp } : undefined;
}

export const allocOp: Op<AllocStep> = {
  op: "alloc",
  schema,
  refine(step, ctx) {
    const kinds = [step.atomic, step.gfp !== undefined, step.reserved].filter((k) => k === true);
    if (kinds.length > 1) {
      ctx.addIssue({
        code: "custom",
        message: "at most one of atomic, gfp and reserved (__alloc_reserved_percpu is GFP_KERNEL)",
      });
    }
  },
  needsOf(step) {
    if (step.reserved) return ["reserved"];
    return step.gfp !== undefined ? ["gfp"] : [];
  },
  describe: (s) => {
    const kind = kindOf(s);
    return `alloc(${s.size}, ${s.align}${kind !== undefined ? `, ${kind}` : ""}) -> ${s.as}`;
  },
  formatValue: (ptr) => formatAddr(ptr as number),
  prepare(step, { model, target }) {
    if (model.objects.has(step.as)) return undefined;
    // A reserved request is judged against the declared area: without one it is not sent.
    const area = step.reserved ? target.reservedArea : undefined;
    if (step.reserved && area === undefined) return undefined;
    // A name is spent by the attempt, not by its success: a failed allocation's name is
    // never handed out again, so a trace never makes one name twice.
    model.noteName(step.as);
    const opts = optionsOf(step);
    let expectation = validAlloc(target, step.size, step.align);
    // The reserved area is never grown: ENOMEM is false while it has a sure fit.
    let fit: number | undefined;
    if (area !== undefined && expectation.valid) {
      const live = model.liveObjects().filter((o) => o.reserved !== undefined);
      fit = reservedFit(area, live, step.size, servedAlign(target, step.align));
      expectation = {
        ...expectation,
        why:
          fit !== undefined
            ? `${expectation.why}; the reserved area has room at ${formatAddr(fit)}`
            : `${expectation.why}; the reserved area may have no room (ENOMEM allowed)`,
      };
    }
    return {
      expectation,
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
          ...(area !== undefined ? { reserved: area } : {}),
          copies: new Map<number, number>(),
          contents: new Map<number, Uint8Array>(),
          live: true,
        };
        model.add(record);
        return record;
      },
      granted: ({ record, observe, copies }) => {
        if (record === undefined) return;
        observe.planAddrs(record, model.possible);
        for (const cpu of model.possible) {
          const addr = observe.copyAddr(record, cpu);
          if (addr.ok) record.copies.set(cpu, addr.value);
        }
        copies.add(record);
      },
      mayFailAlone:
        (step.atomic === true && target.atomicFromPopulated) ||
        (area !== undefined && fit === undefined),
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
  generators: allocGenerators,
};
