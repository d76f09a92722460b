/**
 * Coverage of the chunk machine (model/chunkMachine.ts) by the events a check derives from
 * what chunk-design targets show (model/chunkLifecycle.ts): its atomic states (the three
 * holding states and the four lists), its transitions as the definition declares them (a
 * state, an event and the candidate taken), and each guard's two outcomes, as evaluated in
 * the order xstate tries the candidates. The totals come from the definition, never from a run.
 *
 *   states       holding.empty ... lists.destroyed                       7
 *   transitions  "lists.slot: obj.free [reclaims] -> toDepopulate" ...    one per candidate
 *   guards       "reclaims:true", "reclaims:false" ...                    2 per named guard
 */
import type { AnyStateNode } from "xstate";
import { chunkMachine, type ChunkContext, type ChunkEvent } from "./chunkMachine.ts";

/** [covered, total] */
export type Fraction = [number, number];

export interface ChunkCoverageFigures {
  readonly states: Fraction;
  readonly transitions: Fraction;
  readonly guards: Fraction;
  /** What was never reached, by kind, in the definition's order. */
  readonly missing: {
    readonly states: readonly string[];
    readonly transitions: readonly string[];
    readonly guards: readonly string[];
  };
}

type GuardFn = (args: { context: ChunkContext; event: ChunkEvent }) => boolean;
const GUARDS = chunkMachine.implementations.guards as unknown as Record<string, GuardFn>;
const REGIONS = ["holding", "lists"] as const;

interface Candidate {
  readonly id: string;
  readonly guard: string | undefined;
}

const regionNode = (region: string): AnyStateNode =>
  chunkMachine.root.states[region] as AnyStateNode;

/** `candidates`' answers, by region, state and event: the definition never changes. */
const candidateMemo = new Map<string, Candidate[]>();

/** The candidates of an event in one state of a region, in the order xstate tries them. */
function candidates(region: string, state: string, event: string): Candidate[] {
  const key = `${region}|${state}|${event}`;
  let found = candidateMemo.get(key);
  if (found === undefined) {
    found = definitionCandidates(region, state, event);
    candidateMemo.set(key, found);
  }
  return found;
}

function definitionCandidates(region: string, state: string, event: string): Candidate[] {
  const node = regionNode(region).states[state] as AnyStateNode | undefined;
  const list = node?.transitions.get(event) ?? [];
  return list.map((t) => {
    const guard = typeof t.guard === "string" ? t.guard : undefined;
    const target = t.target?.[0]?.key ?? state;
    return { id: `${region}.${state}: ${event}${guard ? ` [${guard}]` : ""} -> ${target}`, guard };
  });
}

/** Every atomic state, "region.state". */
export const CHUNK_STATES: readonly string[] = REGIONS.flatMap((r) =>
  Object.keys(regionNode(r).states).map((s) => `${r}.${s}`),
);

/** Every transition of the definition. */
export const CHUNK_TRANSITIONS: readonly string[] = REGIONS.flatMap((r) =>
  Object.entries(regionNode(r).states).flatMap(([s, node]) =>
    [...(node as AnyStateNode).transitions.keys()].flatMap((e) =>
      candidates(r, s, e).map((c) => c.id),
    ),
  ),
);

/** Every guard outcome, "guard:true" / "guard:false". */
export const CHUNK_GUARD_OUTCOMES: readonly string[] = Object.keys(GUARDS)
  .sort()
  .flatMap((g) => [`${g}:true`, `${g}:false`]);

/** What one event does in each region: the transition taken (if any) and the guards tried. */
export interface RegionStep {
  readonly taken: string | undefined;
  readonly guards: readonly [string, boolean][];
}

/** The transitions an event takes from a chunk's state, region by region. */
export function chunkStep(
  value: Readonly<Record<string, string>>,
  context: ChunkContext,
  event: ChunkEvent,
): RegionStep[] {
  return REGIONS.map((region) => {
    const guards: [string, boolean][] = [];
    for (const c of candidates(region, value[region] ?? "", event.type)) {
      if (c.guard === undefined) return { taken: c.id, guards };
      const outcome = (GUARDS[c.guard] as GuardFn)({ context, event });
      guards.push([c.guard, outcome]);
      if (outcome) return { taken: c.id, guards };
    }
    return { taken: undefined, guards };
  });
}

/** Counts what a check's derived events have covered. */
export class ChunkCoverage {
  private readonly states = new Set<string>();
  private readonly transitions = new Set<string>();
  private readonly guards = new Set<string>();

  /** A chunk is in this state (at its creation or first sight, and after every event). */
  visit(value: Readonly<Record<string, string>>): void {
    for (const r of REGIONS) this.states.add(`${r}.${value[r] ?? ""}`);
  }

  record(steps: readonly RegionStep[]): void {
    for (const s of steps) {
      if (s.taken !== undefined) this.transitions.add(s.taken);
      for (const [g, outcome] of s.guards) this.guards.add(`${g}:${outcome}`);
    }
  }

  figures(): ChunkCoverageFigures {
    const of = (all: readonly string[], seen: Set<string>): Fraction => [
      all.filter((x) => seen.has(x)).length,
      all.length,
    ];
    const missing = (all: readonly string[], seen: Set<string>) => all.filter((x) => !seen.has(x));
    return {
      states: of(CHUNK_STATES, this.states),
      transitions: of(CHUNK_TRANSITIONS, this.transitions),
      guards: of(CHUNK_GUARD_OUTCOMES, this.guards),
      missing: {
        states: missing(CHUNK_STATES, this.states),
        transitions: missing(CHUNK_TRANSITIONS, this.transitions),
        guards: missing(CHUNK_GUARD_OUTCOMES, this.guards),
      },
    };
  }
}
