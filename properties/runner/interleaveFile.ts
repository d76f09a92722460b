/**
 * An interleaved failure as its counterexample file records it (`interleave`; `commands` is
 * then empty): the set-up run to completion, the threads with their calls (pointers as the
 * set-up made them), the schedule as it was interpreted (the thread that ran at each step), and
 * the sections as they ran, for people to read; `replay` runs the threads again under the same
 * schedule and prints the sections it sees.
 *
 *   "interleave": {
 *     "setup": [{ "size": 4096, "align": 4 }],
 *     "threads": [{ "name": "T1", "calls": [{ "op": "alloc", "size": 8, "align": 4, "atomic": false }] },
 *                 { "name": "T2", "calls": [{ "op": "balance" }] }],
 *     "schedule": [0, 0, 1, 1, 0],
 *     "sections": ["T1 alloc 8: request made", …]
 *   }
 */
import { z } from "zod";
import { pseudoLock, type ConcurrentCall } from "../../impl/sections/index.ts";
import type { ThreadSpec } from "../interleave/index.ts";
import type { InterleaveCounterexample } from "./interleaveCheck.ts";

const ptrText = z.string().regex(/^0x[0-9a-f]+$/, "a pointer as 0x and lower-case hex");

const callSchema = z.discriminatedUnion("op", [
  z
    .object({
      op: z.literal("alloc"),
      size: z.number().int().min(1),
      align: z.number().int().min(0),
      atomic: z.boolean(),
      nofs: z.boolean().optional(),
    })
    .strict(),
  z.object({ op: z.literal("free"), ptr: ptrText }).strict(),
  z.object({ op: z.literal("balance") }).strict(),
]);

export const interleaveSchema = z
  .object({
    setup: z.array(
      z
        .object({
          size: z.number().int().min(1),
          align: z.number().int().min(0),
          freed: z.boolean().optional(),
        })
        .strict(),
    ),
    threads: z
      .array(
        z
          .object({
            name: z.string().min(1),
            atomic: z.boolean().optional(),
            /** Locks of the caller's context, held throughout ("fs_lock": inside a filesystem). */
            context: z.array(z.string().min(1)).optional(),
            calls: z.array(callSchema).min(1),
          })
          .strict(),
      )
      .min(1)
      .max(4),
    schedule: z.array(z.number().int().min(0)),
    sections: z.array(z.string()),
  })
  .strict();

export type InterleaveFileJson = z.infer<typeof interleaveSchema>;

type CallJson = z.infer<typeof callSchema>;

function callToJson(c: ConcurrentCall): CallJson {
  return c.op === "free" ? { op: "free", ptr: `0x${c.ptr.toString(16)}` } : { ...c };
}

function callFromJson(c: CallJson): ConcurrentCall {
  return c.op === "free" ? { op: "free", ptr: Number.parseInt(c.ptr.slice(2), 16) } : c;
}

export function interleaveToJson(c: InterleaveCounterexample): InterleaveFileJson {
  return {
    setup: c.setup.map((s) => ({
      size: s.size,
      align: s.align,
      ...(s.freed === true ? { freed: true } : {}),
    })),
    threads: c.threads.map((t) => ({
      name: t.name,
      ...(t.atomic === true ? { atomic: true } : {}),
      ...(t.context !== undefined ? { context: t.context.map((l) => l.name) } : {}),
      calls: t.calls.map(callToJson),
    })),
    schedule: [...c.schedule],
    sections: [...c.sections],
  };
}

/** The threads of a file, as the scheduler runs them. */
export function threadsFromJson(j: InterleaveFileJson): ThreadSpec<ConcurrentCall>[] {
  return j.threads.map((t) => ({
    name: t.name,
    ...(t.atomic === true ? { atomic: true } : {}),
    ...(t.context !== undefined ? { context: t.context.map((name) => pseudoLock(name)) } : {}),
    calls: t.calls.map(callFromJson),
  }));
}
