/**
 * The command arbitraries: one command per event, and the bad-input form of each. Sizes lean
 * small (most percpu objects are counters) but reach the target's maximum, so that blocks fill,
 * overflow into a second block and empty again; every alignment is tried (capped at what the
 * target accepts), and ENOMEM is injected at any page allocation.
 */
import fc from "fast-check";
import type { Capability } from "../../impl/index.ts";
import type { Session } from "../engine/session.ts";
import { opGenerators } from "../engine/ops/index.ts";
import { HOTPLUG_OPS, type HotplugOp } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { AllocCommand } from "./allocCommand.ts";
import { BAD_ALLOC_KINDS, BadAllocCommand } from "./badAllocCommand.ts";
import { BAD_FREE_KINDS, BadFreeCommand } from "./badFreeCommand.ts";
import { BadFailPageAllocCommand } from "./badFailPageAllocCommand.ts";
import { BadHotplugCommand } from "./badHotplugCommand.ts";
import { BAD_PTR_KINDS, BadPtrCommand } from "./badPtrCommand.ts";
import { BadWriteCommand } from "./badWriteCommand.ts";
import { FailPageAllocCommand } from "./failPageAllocCommand.ts";
import { FreeCommand } from "./freeCommand.ts";
import { HotplugCommand } from "./hotplugCommand.ts";
import { ReclaimCommand } from "./reclaimCommand.ts";
import { pageScaleCommands } from "./pageScale.ts";
import { OpCommand, type StepCommand } from "./stepCommand.ts";
import { WriteCommand } from "./writeCommand.ts";

export type PercpuCommand = fc.Command<Session, Session>;

/** Sizes 1..max, weighted toward small objects, with the maximum itself now and then. */
export function sizeArbitrary(maxSize: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: Math.min(16, maxSize) }) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.min(256, maxSize) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(4096, maxSize) }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxSize }) },
    { weight: 1, arbitrary: fc.constant(Math.min(8192, maxSize)) },
  );
}

const pick = fc.nat({ max: 1023 });

/** The weighted mix of commands for a target with these capabilities. */
export function commandArbitrary(
  target: Target,
  capabilities: ReadonlySet<Capability>,
): fc.Arbitrary<StepCommand> {
  const ops: HotplugOp[] = HOTPLUG_OPS.filter(
    (op) => (op !== "cpu_add" && op !== "cpu_remove") || capabilities.has(op),
  );
  const hotplugOp = fc.constantFrom(...ops);
  const arbs: fc.WeightedArbitrary<StepCommand>[] = [
    {
      weight: 10,
      arbitrary: fc
        .tuple(sizeArbitrary(target.maxSize), fc.integer({ min: 0, max: 12 }), fc.boolean())
        .map(([size, a, atomic]) => new AllocCommand(size, a, atomic)),
    },
    { weight: 6, arbitrary: pick.map((p) => new FreeCommand(p)) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(pick, pick, fc.nat({ max: 8191 }), fc.nat({ max: 15 }), fc.nat({ max: 254 }))
        .map(([p, c, o, l, b]) => new WriteCommand(p, c, o, l, b)),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(hotplugOp, pick).map(([op, c]) => new HotplugCommand(op, c)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_ALLOC_KINDS), fc.integer({ min: 1, max: 8192 }))
        .map(([k, s]) => new BadAllocCommand(k, s)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_FREE_KINDS), pick)
        .map(([k, p]) => new BadFreeCommand(k, p)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_PTR_KINDS), pick)
        .map(([k, p]) => new BadPtrCommand(k, p)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(hotplugOp, pick).map(([op, c]) => new BadHotplugCommand(op, c)),
    },
    { weight: 1, arbitrary: pick.map((p) => new BadWriteCommand(p)) },
  ];
  if (capabilities.has("fail_page_alloc")) {
    arbs.push({
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat({ max: 40 }), fc.integer({ min: 1, max: 3 }))
        .map(([after, count]) => new FailPageAllocCommand(after, count)),
    });
    arbs.push({ weight: 1, arbitrary: fc.boolean().map((b) => new BadFailPageAllocCommand(b)) });
  }
  if (capabilities.has("reclaim")) {
    arbs.push({ weight: 1, arbitrary: fc.constant(null).map(() => new ReclaimCommand()) });
  }
  // The operations that bring their own commands (engine/ops/), after the mix above, whose
  // order fixes the runs a seed makes.
  for (const g of opGenerators(target, capabilities)) {
    arbs.push({ weight: g.weight, arbitrary: g.arbitrary.map((c) => new OpCommand(c)) });
  }
  // Objects at the page scale of a target that declares its unit (an external harness), last.
  arbs.push(...pageScaleCommands(target, capabilities));
  return fc.oneof(...arbs);
}

/** Runs of commands: `size` is explicit, as fc.commands' default makes runs of about 5. */
export function commandsArbitrary(
  target: Target,
  capabilities: ReadonlySet<Capability>,
  maxCommands: number,
): fc.Arbitrary<Iterable<PercpuCommand>> {
  return fc.commands([commandArbitrary(target, capabilities)], { maxCommands, size: "max" });
}

export { OpCommand, StepCommand } from "./stepCommand.ts";
