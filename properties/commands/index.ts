/**
 * The command arbitraries: one command per event, the bad-input form of each, and the bulk
 * steps (fill, drain), in kinds that a run's swarm configuration switches on or off
 * (commands/swarm.ts). Sizes lean
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
import { DrainCommand } from "./drainCommand.ts";
import { FillCommand } from "./fillCommand.ts";
import { kindsOf, swarmArbitrary, swarmMix, WHOLE_MIX, type KindEntry } from "./swarm.ts";

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

/**
 * What the mix is for: the ordinary runs of a round, or the deep rounds' long runs, where bulk
 * steps weigh most and fill by the hundred (runner/deepRound.ts).
 */
export type MixProfile = "runs" | "deep";

/**
 * A deep run's sizes: small, so that a thousand objects stay cheap to audit (every live copy's
 * bytes are read at each full audit); the rounds' runs reach the large sizes.
 */
function deepSize(maxSize: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.min(64, maxSize) }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: Math.min(1024, maxSize) }) },
  );
}

/** A deep run's ramp: this many fills at least, and at most. */
export const DEEP_RAMP = [4, 5] as const;

/** A fill's count: runs lean to a few dozen; deep rounds fill by the hundred. */
function fillCount(profile: MixProfile): fc.Arbitrary<number> {
  return profile === "deep"
    ? fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 16, max: 64 }) },
        { weight: 1, arbitrary: fc.integer({ min: 65, max: 160 }) },
      )
    : fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 2, max: 8 }) },
        { weight: 1, arbitrary: fc.integer({ min: 9, max: 32 }) },
      );
}

/** The bulk steps: fills of one shape, drains of every j-th live object (every 1: all). */
function bulkEntries(target: Target, profile: MixProfile): KindEntry[] {
  const deep = profile === "deep";
  const drainCount = deep
    ? fc.oneof(fc.integer({ min: 16, max: 256 }), fc.constant(100_000))
    : fc.integer({ min: 1, max: 48 });
  return [
    {
      kind: "fill",
      weight: deep ? 10 : 1,
      arbitrary: fc
        .tuple(
          fillCount(profile),
          deep ? deepSize(target.maxSize) : sizeArbitrary(target.maxSize),
          fc.integer({ min: 0, max: 12 }),
          fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
        )
        .map(([count, size, a, atomic]) => new FillCommand(count, size, a, atomic)),
    },
    {
      kind: "drain",
      weight: deep ? 4 : 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 8 }), drainCount)
        .map(([every, count]) => new DrainCommand(every, count)),
    },
  ];
}

/** The mix's entries, each of a kind that a swarm configuration switches on or off. */
export function commandEntries(
  target: Target,
  capabilities: ReadonlySet<Capability>,
  profile: MixProfile = "runs",
): KindEntry[] {
  const ops: HotplugOp[] = HOTPLUG_OPS.filter(
    (op) => (op !== "cpu_add" && op !== "cpu_remove") || capabilities.has(op),
  );
  const hotplugOp = fc.constantFrom(...ops);
  const arbs: KindEntry[] = [
    {
      kind: "alloc",
      weight: 10,
      arbitrary: fc
        .tuple(sizeArbitrary(target.maxSize), fc.integer({ min: 0, max: 12 }), fc.boolean())
        .map(([size, a, atomic]) => new AllocCommand(size, a, atomic)),
    },
    { kind: "free", weight: 6, arbitrary: pick.map((p) => new FreeCommand(p)) },
    {
      kind: "write",
      weight: 6,
      arbitrary: fc
        .tuple(pick, pick, fc.nat({ max: 8191 }), fc.nat({ max: 15 }), fc.nat({ max: 254 }))
        .map(([p, c, o, l, b]) => new WriteCommand(p, c, o, l, b)),
    },
    {
      kind: "hotplug",
      weight: 4,
      arbitrary: fc.tuple(hotplugOp, pick).map(([op, c]) => new HotplugCommand(op, c)),
    },
    {
      kind: "bad",
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_ALLOC_KINDS), fc.integer({ min: 1, max: 8192 }))
        .map(([k, s]) => new BadAllocCommand(k, s)),
    },
    {
      kind: "bad",
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_FREE_KINDS), pick)
        .map(([k, p]) => new BadFreeCommand(k, p)),
    },
    {
      kind: "bad",
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_PTR_KINDS), pick)
        .map(([k, p]) => new BadPtrCommand(k, p)),
    },
    {
      kind: "bad",
      weight: 1,
      arbitrary: fc.tuple(hotplugOp, pick).map(([op, c]) => new BadHotplugCommand(op, c)),
    },
    { kind: "bad", weight: 1, arbitrary: pick.map((p) => new BadWriteCommand(p)) },
  ];
  if (capabilities.has("fail_page_alloc")) {
    arbs.push({
      kind: "fail_page_alloc",
      weight: 2,
      arbitrary: fc
        .tuple(fc.nat({ max: 40 }), fc.integer({ min: 1, max: 3 }))
        .map(([after, count]) => new FailPageAllocCommand(after, count)),
    });
    arbs.push({
      kind: "bad",
      weight: 1,
      arbitrary: fc.boolean().map((b) => new BadFailPageAllocCommand(b)),
    });
  }
  if (capabilities.has("reclaim")) {
    arbs.push({
      kind: "reclaim",
      weight: 1,
      arbitrary: fc.constant(null).map(() => new ReclaimCommand()),
    });
  }
  // The operations that bring their own commands (engine/ops/), after the mix above, whose
  // order fixes the runs a seed makes.
  for (const g of opGenerators(target, capabilities)) {
    arbs.push({
      kind: "extensions",
      weight: g.weight,
      arbitrary: g.arbitrary.map((c) => new OpCommand(c)),
    });
  }
  // Objects at the page scale of a target that declares its unit (an external harness).
  for (const e of pageScaleCommands(target, capabilities)) arbs.push({ kind: "page-scale", ...e });
  // The bulk steps, last.
  arbs.push(...bulkEntries(target, profile));
  return arbs;
}

/** The whole weighted mix of commands for a target with these capabilities (no swarm). */
export function commandArbitrary(
  target: Target,
  capabilities: ReadonlySet<Capability>,
  profile: MixProfile = "runs",
): fc.Arbitrary<StepCommand> {
  return swarmMix(commandEntries(target, capabilities, profile), WHOLE_MIX);
}

/**
 * Runs of commands: each run draws its swarm configuration (commands/swarm.ts), then up to
 * `maxCommands` commands from the mix it leaves. `size` is explicit, as fc.commands' default
 * makes runs of about 5.
 */
export function commandsArbitrary(
  target: Target,
  capabilities: ReadonlySet<Capability>,
  maxCommands: number,
  profile: MixProfile = "runs",
): fc.Arbitrary<Iterable<PercpuCommand>> {
  const entries = commandEntries(target, capabilities, profile);
  const alwaysOn = profile === "deep" ? ["fill"] : [];
  const runs = swarmArbitrary(kindsOf(entries), alwaysOn).chain((config) =>
    fc.commands([swarmMix(entries, config)], { maxCommands, size: "max" }),
  );
  if (profile !== "deep") return runs;
  // A deep run begins with a ramp of fills (a thousand objects or so), then its commands.
  const ramp = fc.array(
    fc
      .tuple(
        fc.integer({ min: 220, max: 320 }),
        deepSize(target.maxSize),
        fc.integer({ min: 0, max: 6 }),
      )
      .map(([count, size, a]) => new FillCommand(count, size, a, false)),
    { minLength: DEEP_RAMP[0], maxLength: DEEP_RAMP[1] },
  );
  return fc.tuple(ramp, runs).map(([first, rest]) => [...first, ...rest]);
}

export { OpCommand, StepCommand } from "./stepCommand.ts";
export { swarmArbitrary, swarmMix, WHOLE_MIX } from "./swarm.ts";
export type { KindEntry, SwarmConfiguration } from "./swarm.ts";
