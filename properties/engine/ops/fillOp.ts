/**
 * fill: `count` allocations of one shape, one line of a trace:
 * `{"op":"fill","count":200,"size":24,"align":8,"as":"o5"}` (optionally `"atomic":true`) is
 * `alloc(24, 8) -> o5`, `alloc(24, 8) -> o6`, ... `-> o204`, run in order as parts of the one
 * step (engine/session.ts). Each part is an ordinary allocation, judged as one, so a target
 * behind the protocol gets ordinary requests. The objects are named from `as` on, in order;
 * minimisation lowers the count (the last objects go) or splits it in two fills.
 */
import { z } from "zod";
import type { AllocStep } from "./allocOp.ts";
import { objName } from "./fields.ts";
import type { Op } from "./op.ts";

/** The most allocations one fill stands for (a deep round's fills stay far below). */
export const FILL_MAX = 100_000;

const schema = z
  .object({
    op: z.literal("fill"),
    count: z.number().int().min(1).max(FILL_MAX),
    size: z.number(),
    align: z.number(),
    atomic: z.boolean().optional(),
    as: objName,
  })
  .strict();

export type FillStep = z.infer<typeof schema>;

/** The name `k` places after `name` (o5 + 2 is o7). */
export function nameAfter(name: string, k: number): string {
  return `o${Number(name.slice(1)) + k}`;
}

function namesOf(step: FillStep): string[] {
  return Array.from({ length: step.count }, (_, k) => nameAfter(step.as, k));
}

export const fillOp: Op<FillStep> = {
  op: "fill",
  schema,
  describe: (s) => {
    const last = s.count > 1 ? `..${nameAfter(s.as, s.count - 1)}` : "";
    return `fill(${s.count} x alloc(${s.size}, ${s.align}${s.atomic ? ", atomic" : ""})) -> ${s.as}${last}`;
  },
  // Never run unexpanded (session.ts expands every step with `expand`).
  prepare: () => undefined,
  expand: (step) =>
    namesOf(step).map((as): AllocStep => ({
      op: "alloc",
      size: step.size,
      align: step.align,
      ...(step.atomic ? { atomic: true } : {}),
      as,
    })),
  makes: (s) => s.as,
  madeNames: namesOf,
  rename: (s, rename) => ({ ...s, as: rename(s.as) }),
  bulk: {
    count: (s) => s.count,
    withCount: (s, count) => ({ ...s, count }),
    split: (s, at) => [
      { ...s, count: at },
      { ...s, count: s.count - at, as: nameAfter(s.as, at) },
    ],
  },
};
