/**
 * free: `free_percpu(ptr)` of a named object, `{"op":"free","obj":"o1"}`; bad input in three
 * forms: a double free, an interior pointer (`"offset":4`), a pointer never handed out
 * (`{"op":"free","ptr":"0x1234"}`). The model marks the object dead (kept, so that a double
 * free can be asked for).
 */
import fc from "fast-check";
import { z } from "zod";
import { formatAddr, parseAddr } from "../../../impl/index.ts";
import type { Expectation } from "../../invariants/invariant.ts";
import type { ObjectRecord } from "../model.ts";
import { hexAddr, objName } from "./fields.ts";
import { objectPages, type Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("free"),
    obj: objName.optional(),
    offset: z.number().int().optional(),
    ptr: hexAddr.optional(),
  })
  .strict();

export type FreeStep = z.infer<typeof schema>;

export const freeOp: Op<FreeStep> = {
  op: "free",
  schema,
  refine(step, ctx) {
    if ((step.obj === undefined) === (step.ptr === undefined)) {
      ctx.addIssue({ code: "custom", message: 'a free names either "obj" or "ptr"' });
    }
  },
  describe: (s) =>
    s.obj !== undefined ? `free(${s.obj}${s.offset ? `+${s.offset}` : ""})` : `free(${s.ptr})`,
  prepare(step, { model }) {
    let ptr: number;
    let record: ObjectRecord | undefined;
    let expectation: Expectation | undefined;
    if (step.obj !== undefined) {
      record = model.objects.get(step.obj);
      if (record === undefined) return undefined;
      ptr = record.ptr + (step.offset ?? 0);
      const interior = (step.offset ?? 0) !== 0;
      // A dead object's pointer handed out again belongs to the new object: not bad input.
      if (!record.live && model.liveAt(ptr) !== undefined) return undefined;
      expectation = !record.live
        ? { valid: false, why: `${step.obj} was already freed (double free)` }
        : interior
          ? { valid: false, why: `${formatAddr(ptr)} is inside ${step.obj}, not its start` }
          : undefined;
    } else {
      ptr = parseAddr(step.ptr as string) ?? -1;
      const owner = model.liveAt(ptr);
      if (owner !== undefined) return undefined; // a raw pointer that happens to be live
      expectation = { valid: false, why: `${step.ptr} was never handed out` };
    }
    const rec = record;
    return {
      record,
      ...(expectation !== undefined ? { expectation } : {}),
      perform: (a) => a.free(ptr),
      performTwin: (t) => {
        const base = step.obj !== undefined ? t.ptrs.get(step.obj) : undefined;
        return t.allocator.free(base === undefined ? ptr : base + (step.offset ?? 0));
      },
      apply: () => {
        if (rec !== undefined) model.markFreed(rec);
        return undefined;
      },
      granted: ({ record: r, copies }) => {
        if (r !== undefined) copies.remove(r);
      },
    };
  },
  scope(_step, { record }, pages) {
    if (record !== undefined) objectPages(record, pages);
  },
  rename: (s, rename) => (s.obj !== undefined ? { ...s, obj: rename(s.obj) } : s),
  machineEvents: ["obj.free"],
  fromMachineEvent(event, view) {
    if (event.type !== "obj.free") return undefined;
    const name = view.objectIn(event.from, event.at);
    return name === undefined ? undefined : { op: "free", obj: name };
  },
  // Frees in the reserved area, beside the reserved allocations that make its holes.
  generators: (target, capabilities) =>
    capabilities.has("reserved") && target.reservedArea !== undefined
      ? [
          {
            weight: 3,
            arbitrary: fc.nat({ max: 1023 }).map((p) => ({
              resolve({ model }) {
                const live = model.liveObjects().filter((o) => o.reserved !== undefined);
                const obj = live[p % Math.max(1, live.length)];
                return obj && { op: "free", obj: obj.name };
              },
              intent: () => `free(live reserved #${p})`,
            })),
          },
        ]
      : [],
};
