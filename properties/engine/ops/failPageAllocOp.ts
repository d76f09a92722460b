/**
 * fail_page_alloc: arm injected page-allocation failures,
 * `{"op":"fail_page_alloc","after":2,"count":1}` (a capability). While one may still fire, an
 * ENOMEM of a valid request is legitimate; negative numbers are bad input.
 */
import { z } from "zod";
import type { Op } from "./op.ts";

const schema = z
  .object({
    op: z.literal("fail_page_alloc"),
    after: z.number().int(),
    count: z.number().int(),
  })
  .strict();

export type FailPageAllocStep = z.infer<typeof schema>;

export const failPageAllocOp: Op<FailPageAllocStep> = {
  op: "fail_page_alloc",
  schema,
  needs: "fail_page_alloc",
  describe: (s) => `fail_page_alloc(after ${s.after}, count ${s.count})`,
  prepare(step, { model }) {
    return {
      ...(step.after < 0 || step.count < 0
        ? {
            expectation: {
              valid: false,
              why: `fail_page_alloc(${step.after}, ${step.count}): negative`,
            },
          }
        : {}),
      perform: (a) => a.failPageAlloc(step.after, step.count),
      performTwin: (t) => t.allocator.failPageAlloc(step.after, step.count),
      apply: () => {
        model.injectedPending = step.count;
        return undefined;
      },
    };
  },
  machineEvents: ["fault.arm"],
  fromMachineEvent: (e) =>
    e.type === "fault.arm" ? { op: "fail_page_alloc", after: 0, count: 1 } : undefined,
};
