/**
 * What model-driven runs have covered of the system machine's graph: its states, its
 * transitions, the outcomes of its guards, and pairs of transitions taken one after the other.
 * A transition's coverage keys are computed once per (state, event) and kept with the walks
 * (walkMemo.ts): the counter only adds them.
 */
import type { SystemGraph } from "../../model/systemGraph.ts";
import { stateKey } from "../../model/systemGraph.ts";
import { systemMachine, type SystemContext, type SystemEvent } from "../../model/systemMachine.ts";

/** [covered, total] */
export type Fraction = [number, number];

export interface ModelCoverage {
  readonly states: Fraction;
  readonly transitions: Fraction;
  readonly guards: Fraction;
  readonly pairs: Fraction;
}

/** What one transition adds to the coverage: its key, the state it reaches, its guard outcomes. */
export interface CoverageKeys {
  /** The transition's number (`transitionNumber`): pairs of them are counted as numbers. */
  readonly transition: number;
  readonly to: string;
  readonly guards: readonly string[];
}

const transitionNumbers = new Map<string, number>();

/** A transition's key as a small number, the same for the whole process. */
function transitionNumber(key: string): number {
  let n = transitionNumbers.get(key);
  if (n === undefined) transitionNumbers.set(key, (n = transitionNumbers.size));
  return n;
}

/** A pair of transitions as one number (2^26 transitions at most, far above the scope's). */
const pairNumber = (first: number, second: number) => first * 2 ** 26 + second;

export function coverageKeys(
  from: SystemContext,
  event: SystemEvent,
  to: SystemContext,
): CoverageKeys {
  return {
    transition: transitionNumber(`${stateKey(from)}|${JSON.stringify(event)}`),
    to: stateKey(to),
    guards: guardOutcomes(from, event).map(([guard, outcome]) => `${guard}:${outcome}`),
  };
}

/** Counts what model-driven runs have covered. */
export class CoverageCounter {
  private readonly graph: SystemGraph;
  private readonly states = new Set<string>();
  private readonly transitions = new Set<number>();
  private readonly guards = new Set<string>();
  private readonly pairs = new Set<number>();
  private readonly guardNames: readonly string[];

  constructor(graph: SystemGraph) {
    this.graph = graph;
    this.guardNames = Object.keys(systemMachine.implementations.guards).sort();
    this.states.add(graph.initial);
  }

  /** Records a transition by its keys (`coverageKeys`); returns the transition's key. */
  recordKeys(keys: CoverageKeys, previous: number | undefined): number {
    this.transitions.add(keys.transition);
    this.states.add(keys.to);
    for (const g of keys.guards) this.guards.add(g);
    if (previous !== undefined) this.pairs.add(pairNumber(previous, keys.transition));
    return keys.transition;
  }

  coverage(): ModelCoverage {
    let pairTotal = 0;
    const inDegree = new Map<string, number>();
    for (const out of this.graph.edges.values()) {
      for (const e of out) inDegree.set(e.to, (inDegree.get(e.to) ?? 0) + 1);
    }
    for (const [state, out] of this.graph.edges)
      pairTotal += (inDegree.get(state) ?? 0) * out.length;
    return {
      states: [this.states.size, this.graph.states.size],
      transitions: [this.transitions.size, this.graph.edgeCount],
      guards: [this.guards.size, this.guardNames.length * 2],
      pairs: [this.pairs.size, pairTotal],
    };
  }

  /** Guard outcomes never seen, as "guard:true" / "guard:false". */
  missingGuards(): string[] {
    return this.guardNames
      .flatMap((g) => [`${g}:true`, `${g}:false`])
      .filter((k) => !this.guards.has(k));
  }
}

/** The guards the machine evaluates for an event, in order, with their outcomes. */
export function guardOutcomes(context: SystemContext, event: SystemEvent): [string, boolean][] {
  const node = systemMachine.root.states.running;
  const candidates = node?.transitions.get(event.type) ?? [];
  const guards = systemMachine.implementations.guards as Record<
    string,
    (args: { context: SystemContext; event: SystemEvent }) => boolean
  >;
  const out: [string, boolean][] = [];
  for (const t of candidates) {
    if (typeof t.guard !== "string") break;
    const result = (guards[t.guard] as (typeof guards)[string])({ context, event });
    out.push([t.guard, result]);
    if (result) break;
  }
  return out;
}
