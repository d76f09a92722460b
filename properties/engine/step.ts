/**
 * A step of a run, in the protocol's words, with objects named: the unit of traces,
 * counterexample files and replay.
 *
 *   {"op":"alloc","size":24,"align":8,"as":"o1"}    __alloc_percpu(24, 8), named o1
 *   {"op":"write","obj":"o1","cpu":3,"offset":0,"hex":"ab"}
 *   {"op":"write","addr":"0x10","hex":"ab"}             an unmapped address (EFAULT)
 *   {"op":"free","obj":"o1"}                          free_percpu(o1)
 *   {"op":"free","obj":"o1","offset":4}               an interior pointer (bad input)
 *   {"op":"free","ptr":"0x1234"}                      a pointer never handed out (bad input)
 *   {"op":"ptr","obj":"o1","cpu":9}                   per_cpu_ptr with a bad CPU (bad input)
 *   {"op":"cpu_down","cpu":3}                         hotplug, allowed or forbidden
 *   {"op":"fail_page_alloc","after":2,"count":1}
 *   {"op":"reclaim"}
 */
import { z } from "zod";

const objName = z.string().regex(/^o[0-9]+$/, 'an object name like "o1"');
const cpu = z.number().int();
const hexAddr = z.string().regex(/^0x[0-9a-fA-F]{1,14}$/, 'a hexadecimal address like "0x1000"');

const stepUnion = z.discriminatedUnion("op", [
  z
    .object({
      op: z.literal("alloc"),
      size: z.number(),
      align: z.number(),
      atomic: z.boolean().optional(),
      as: objName,
    })
    .strict(),
  z
    .object({
      op: z.literal("free"),
      obj: objName.optional(),
      offset: z.number().int().optional(),
      ptr: hexAddr.optional(),
    })
    .strict(),
  z
    .object({
      op: z.literal("write"),
      obj: objName.optional(),
      cpu: cpu.optional(),
      offset: z.number().int().min(0).optional(),
      addr: hexAddr.optional(),
      hex: z.string().regex(/^([0-9a-f]{2})+$/, "lower-case hexadecimal bytes"),
    })
    .strict(),
  z.object({ op: z.literal("ptr"), obj: objName, cpu }).strict(),
  z.object({ op: z.literal("cpu_add"), cpu }).strict(),
  z.object({ op: z.literal("cpu_remove"), cpu }).strict(),
  z.object({ op: z.literal("cpu_up"), cpu }).strict(),
  z.object({ op: z.literal("cpu_down"), cpu }).strict(),
  z
    .object({
      op: z.literal("fail_page_alloc"),
      after: z.number().int(),
      count: z.number().int(),
    })
    .strict(),
  z.object({ op: z.literal("reclaim") }).strict(),
]);

export const stepSchema = stepUnion.superRefine((step, ctx) => {
  if (step.op === "free" && (step.obj === undefined) === (step.ptr === undefined)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a free names either "obj" or "ptr"' });
  }
  if (step.op === "write") {
    const byObject = step.obj !== undefined && step.cpu !== undefined && step.offset !== undefined;
    const byAddress = step.addr !== undefined && step.obj === undefined && step.cpu === undefined;
    if (!byObject && !byAddress) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'a write names "obj", "cpu" and "offset", or only "addr"',
      });
    }
  }
});

export type Step = z.infer<typeof stepSchema>;
export type StepOp = Step["op"];
export type HotplugOp = "cpu_add" | "cpu_remove" | "cpu_up" | "cpu_down";

export const HOTPLUG_OPS: readonly HotplugOp[] = ["cpu_add", "cpu_remove", "cpu_up", "cpu_down"];

/** A step as one line of a script: `alloc(24, 8) -> o1`, `cpu_down(3)`, `free(o1+4)`. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case "alloc":
      return `alloc(${step.size}, ${step.align}${step.atomic ? ", atomic" : ""}) -> ${step.as}`;
    case "free":
      return step.obj !== undefined
        ? `free(${step.obj}${step.offset ? `+${step.offset}` : ""})`
        : `free(${step.ptr})`;
    case "write": {
      const where = step.addr ?? `${step.obj}@cpu${step.cpu}+${step.offset}`;
      return `write(${where}, ${step.hex.length / 2} bytes 0x${step.hex.slice(0, 8)}${step.hex.length > 8 ? "…" : ""})`;
    }
    case "ptr":
      return `ptr(${step.obj}, cpu ${step.cpu})`;
    case "fail_page_alloc":
      return `fail_page_alloc(after ${step.after}, count ${step.count})`;
    case "reclaim":
      return "reclaim()";
    default:
      return `${step.op}(${step.cpu})`;
  }
}
