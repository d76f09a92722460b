/**
 * drain: frees every `every`-th live object, `count` of them, one line of a trace:
 * `{"op":"drain","every":3,"count":40}` frees the 3rd, 6th, ... 120th of the objects live when
 * it starts (oldest first), run in order as ordinary frees (parts of the one step,
 * engine/session.ts), so a target behind the protocol gets ordinary requests. With fewer live
 * objects it frees what there is of that pattern; with none it is skipped. Minimisation lowers
 * the count (the last frees go) or splits it (the second part frees what the first left in
 * the same places: every-th of the objects left, skipping as many as the first freed).
 */
import { z } from "zod";
import type { FreeStep } from "./freeOp.ts";
import type { Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("drain"),
    every: z.number().int().min(1).max(1024),
    count: z.number().int().min(1).max(100_000),
    /** Live objects passed over before the first one freed (a split's second part). */
    skip: z.number().int().min(0).optional(),
  })
  .strict();

export type DrainStep = z.infer<typeof schema>;

export const drainOp: Op<DrainStep> = {
  op: "drain",
  schema,
  describe: (s) => `drain(every ${s.every}, ${s.count}${s.skip ? `, after ${s.skip}` : ""})`,
  prepare: () => undefined,
  expand(step, { model }) {
    const live = model.liveObjects();
    const out: FreeStep[] = [];
    // A split's first part freed `skip` objects of the pattern: the rest of the pattern begins
    // after the `skip * (every - 1)` objects it left before its last free.
    const start = (step.skip ?? 0) * (step.every - 1) + step.every - 1;
    for (let i = start; i < live.length && out.length < step.count; i += step.every) {
      out.push({ op: "free", obj: (live[i] as { name: string }).name });
    }
    return out.length === 0 ? undefined : out;
  },
  bulk: {
    count: (s) => s.count,
    withCount: (s, count) => ({ ...s, count }),
    split: (s, at) => [
      { ...s, count: at },
      { ...s, count: s.count - at, skip: (s.skip ?? 0) + at },
    ],
  },
};
