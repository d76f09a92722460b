/**
 * Swarm testing (Groce, Zhang, Eide, Chen and Regehr, "Swarm Testing", ISSTA 2012): each run
 * first draws a configuration, which kinds of command are on and a weight for each, then its
 * commands from that mix alone. A run with frees off only allocates, one with fills up and the
 * rest down fills chunks to the end, one with hotplug up churns the CPU masks: the long
 * single-kind sequences a fixed mix makes in a few runs in a thousand. One seed draws both,
 * so a run is as deterministic as before.
 *
 * A configuration is a list, one entry per kind in the mix's order: off (a boolean, true in
 * half the draws) and a weight factor 1..4. One run in four takes the whole mix unscaled. A
 * configuration with every kind off is the whole mix too. A deep run (runner/deepRound.ts)
 * keeps its fills on. It shrinks toward every kind on at
 * factor 1, the fixed mix: fast-check remakes a run's commands when it shrinks the
 * configuration, so a shrink toward fewer kinds would mostly draw runs that no longer fail,
 * while the whole mix keeps every command a failure can need. The steps are then cut by
 * runner/minimize.ts, which does not look at the configuration.
 */
import fc from "fast-check";
import type { StepCommand } from "./stepCommand.ts";

/** One kind of command of the mix: its entries share the kind's on/off and weight factor. */
export interface KindEntry {
  readonly kind: string;
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<StepCommand>;
}

export interface SwarmConfiguration {
  /** The kinds switched off. */
  readonly off: readonly string[];
  /** Each kind's weight factor (absent: 1). */
  readonly factor: Readonly<Record<string, number>>;
}

export const WHOLE_MIX: SwarmConfiguration = { off: [], factor: {} };

/** The most a kind's weight is multiplied by. */
export const SWARM_FACTOR_MAX = 4;

/** The distinct kinds of the entries, in order. */
export function kindsOf(entries: readonly KindEntry[]): string[] {
  return [...new Set(entries.map((e) => e.kind))];
}

/** Swarm configurations for these kinds (one run in four the whole mix). */
export function swarmArbitrary(
  kinds: readonly string[],
  /** Kinds never switched off (a deep run's fills). */
  alwaysOn: readonly string[] = [],
): fc.Arbitrary<SwarmConfiguration> {
  const drawn = fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: SWARM_FACTOR_MAX })), {
      minLength: kinds.length,
      maxLength: kinds.length,
    })
    .map((flags): SwarmConfiguration => ({
      off: kinds.filter((k, i) => flags[i]?.[0] === true && !alwaysOn.includes(k)),
      factor: Object.fromEntries(kinds.map((k, i) => [k, flags[i]?.[1] ?? 1])),
    }));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(WHOLE_MIX) },
    { weight: 3, arbitrary: drawn },
  );
}

/** The mix a configuration leaves: the kinds on, each entry's weight times its factor. */
export function swarmMix(
  entries: readonly KindEntry[],
  config: SwarmConfiguration,
): fc.Arbitrary<StepCommand> {
  const off = new Set(config.off);
  let on = entries.filter((e) => !off.has(e.kind));
  if (on.length === 0) on = [...entries];
  return fc.oneof(
    ...on.map((e) => ({ weight: e.weight * (config.factor[e.kind] ?? 1), arbitrary: e.arbitrary })),
  );
}
