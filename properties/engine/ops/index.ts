/**
 * The operations, in one table: a step's `op` names its module, which owns all the engine
 * knows of it (op.ts). The order is the order of the step schema's options.
 */
import type { Capability } from "../../../impl/index.ts";
import type { Target } from "../target.ts";
import { allocOp } from "./allocOp.ts";
import { failPageAllocOp } from "./failPageAllocOp.ts";
import { freeOp } from "./freeOp.ts";
import { drainOp } from "./drainOp.ts";
import { fillOp } from "./fillOp.ts";
import { cpuAddOp, cpuDownOp, cpuRemoveOp, cpuUpOp } from "./hotplugOps.ts";
import type { Op, StepGenerator } from "./op.ts";
import { ptrOp } from "./ptrOp.ts";
import { readOp } from "./readOp.ts";
import { reclaimOp } from "./reclaimOp.ts";
import { writeOp } from "./writeOp.ts";

export const OPS = [
  allocOp,
  freeOp,
  writeOp,
  ptrOp,
  cpuAddOp,
  cpuRemoveOp,
  cpuUpOp,
  cpuDownOp,
  failPageAllocOp,
  reclaimOp,
  readOp,
  fillOp,
  drainOp,
] as const;

type StepOf<T> = T extends Op<infer S> ? S : never;

/** A step of a run, of any operation in the table. */
export type AnyStep = StepOf<(typeof OPS)[number]>;

const BY_OP = new Map<string, Op<AnyStep>>(
  OPS.map((o) => [o.op, o as unknown as Op<AnyStep>] as const),
);

/** The module of a step's operation. */
export function opOf<S extends AnyStep>(step: S): Op<S> {
  return BY_OP.get(step.op) as unknown as Op<S>;
}

export type {
  BulkShape,
  GrantContext,
  MachineStepView,
  Op,
  OpContext,
  PartStep,
  Prepared,
  SessionView,
  StepChoice,
  StepGenerator,
  TwinAllocator,
} from "./op.ts";
export { objectPages, outcomeOf } from "./op.ts";

/** Every object name a step makes, in order (a fill makes several). */
export function namesMade(step: AnyStep): readonly string[] {
  const op = opOf(step);
  if (op.madeNames !== undefined) return op.madeNames(step);
  const made = op.makes?.(step);
  return made === undefined ? [] : [made];
}
export type { HotplugOp } from "./hotplugOps.ts";

/** Every operation's random commands for a target, in the table's order. */
export function opGenerators(
  target: Target,
  capabilities: ReadonlySet<Capability>,
): StepGenerator<AnyStep>[] {
  return OPS.flatMap(
    (o) => (o.generators?.(target, capabilities) ?? []) as unknown as StepGenerator<AnyStep>[],
  );
}
