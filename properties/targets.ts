/**
 * The targets a check can run against: every revision and every mutant, by id. External
 * harnesses are made by the CLI.
 */
import { MUTANTS, type MutantEntry } from "../impl/mutants/index.ts";
import { REVISIONS, type RevisionEntry } from "../impl/revisions/index.ts";
import type { Target } from "./engine/target.ts";

/** A mutant as a target: its revision's limits, and what it changes and should break. */
export interface MutantTarget extends Target {
  readonly kind: "mutant";
  readonly revision: string;
  readonly description: string;
  readonly source: string;
  /** Invariants that must catch it. */
  readonly expected: readonly string[];
}

export function revisionTarget(r: RevisionEntry): Target {
  return {
    id: r.id,
    kind: "revision",
    revision: r.id,
    create: r.create,
    maxSize: r.maxSize,
    maxAlign: r.maxAlign,
    zeroAlignValid: r.zeroAlignValid,
    knownViolations: r.knownViolations,
  };
}

export function mutantTarget(m: MutantEntry): MutantTarget {
  const base = REVISIONS.find((r) => r.id === m.revision);
  if (base === undefined) throw new Error(`mutant ${m.id}: no revision ${m.revision}`);
  return {
    ...revisionTarget(base),
    id: m.id,
    kind: "mutant",
    revision: m.revision,
    create: m.create,
    description: m.description,
    source: m.source,
    expected: m.expected,
  };
}

export const REVISION_TARGETS: readonly Target[] = REVISIONS.map(revisionTarget);
export const MUTANT_TARGETS: readonly MutantTarget[] = MUTANTS.map(mutantTarget);
export const ALL_TARGETS: readonly Target[] = [...REVISION_TARGETS, ...MUTANT_TARGETS];

export function findTarget(id: string): Target | undefined {
  return ALL_TARGETS.find((t) => t.id === id);
}
