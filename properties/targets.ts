/**
 * The targets a check can run against: every revision (and, from impl/mutants, every mutant),
 * by id. External harnesses are added by the CLI.
 */
import { REVISIONS, type RevisionEntry } from "../impl/revisions/index.ts";
import type { Target } from "./engine/target.ts";

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

export const REVISION_TARGETS: readonly Target[] = REVISIONS.map(revisionTarget);

export function findTarget(id: string): Target | undefined {
  return REVISION_TARGETS.find((t) => t.id === id);
}
