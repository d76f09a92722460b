/**
 * A step of a run, in the protocol's words, with objects named: the unit of traces,
 * counterexample files and replay. Each operation's form and meaning live in its module
 * (engine/ops/); this is their union.
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
 *   (and the rest of the table, engine/ops/index.ts)
 */
import { z } from "zod";
import { HOTPLUG_EVENT } from "./model.ts";
import { opOf, OPS, type AnyStep, type HotplugOp } from "./ops/index.ts";

export type Step = AnyStep;
export type StepOp = Step["op"];
export type { HotplugOp };

/** The hotplug ops, in the order of the machine's CPU events. */
export const HOTPLUG_OPS = Object.keys(HOTPLUG_EVENT) as readonly HotplugOp[];

type Option = z.ZodDiscriminatedUnionOption<"op">;
const stepUnion = z.discriminatedUnion(
  "op",
  OPS.map((o) => o.schema) as unknown as [Option, ...Option[]],
) as unknown as z.ZodType<Step>;

export const stepSchema = stepUnion.superRefine((step, ctx) => opOf(step).refine?.(step, ctx));

/** A step as one line of a script: `alloc(24, 8) -> o1`, `cpu_down(3)`, `free(o1+4)`. */
export function describeStep(step: Step): string {
  return opOf(step).describe(step);
}

/** A granted answer's value as the kernel would print it: a pointer, the bytes read, or 0. */
export function describeValue(step: Step, value: unknown): string {
  return opOf(step).formatValue?.(value) ?? "0";
}
