/**
 * Commands per second of the property runner on a fixed topology: every invariant the target
 * keeps, the same commands with no invariant judged, and the same command arbitrary driving a
 * system that does nothing (the ceiling of the harness). One seed, so the same commands.
 */
import fc from "fast-check";
import { performance } from "node:perf_hooks";
import type { BootConfig } from "../impl/index.ts";
import {
  applicable,
  capabilitiesOf,
  commandsArbitrary,
  findTarget,
  INVARIANTS,
  Session,
  type Invariant,
  type Target,
} from "../properties/index.ts";
import { NullAllocator } from "./nullAllocator.ts";

export function fixedTopology(possible: number): BootConfig {
  const nrCpus = possible <= 8 ? 8 : 64;
  const all = Array.from({ length: possible }, (_, i) => i);
  return {
    nrCpus,
    possible: all,
    present: all,
    online: all,
    cpuToNode: Array.from({ length: nrCpus }, (_, i) => i % 2),
    nrNodes: 2,
    pageSize: 4096,
    vmallocBytes: 2 ** 31,
  };
}

export interface Throughput {
  readonly commands: number;
  readonly ms: number;
}

/** One round of `runs` runs of up to 60 commands on a fixed topology. */
export function round(
  target: Target,
  config: BootConfig,
  invariants: readonly Invariant[],
  runs = 100,
  seed = 20051,
): Throughput {
  const caps = capabilitiesOf(target);
  let commands = 0;
  const property = fc.property(commandsArbitrary(target, caps, 60), (cmds) => {
    const session = new Session({ target, config, invariants });
    fc.modelRun(() => ({ model: session, real: session }), cmds);
    session.finish();
    commands += session.trace.length;
  });
  const t0 = performance.now();
  const details = fc.check(property, { seed, numRuns: runs });
  const ms = performance.now() - t0;
  if (details.failed)
    throw new Error(`${target.id}: a run failed: ${String(details.errorInstance)}`);
  return { commands, ms };
}

/** The invariants a target keeps (its known violations and the relational twin left out). */
export function keptInvariants(target: Target): Invariant[] {
  const caps = capabilitiesOf(target);
  return applicable(INVARIANTS, target).filter(
    (i) =>
      target.knownViolations[i.id] === undefined &&
      !i.relational &&
      i.needs.every((c) => caps.has(c)),
  );
}

/** A target over the null allocator with another target's limits. */
export function nullTarget(like: Target): Target {
  return {
    ...like,
    id: "null",
    kind: "revision",
    design: undefined,
    create: () => new NullAllocator(like),
    knownViolations: {},
  };
}

export function target(id: string): Target {
  const t = findTarget(id);
  if (t === undefined) throw new Error(`no target ${id}`);
  return t;
}
