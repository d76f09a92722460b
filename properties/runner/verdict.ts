/**
 * What a result means for the target it was found on: whether a failure is expected (the
 * design is known for it, or it is a mutant's seeded bug or a consequence of it), whether it
 * only repeats the base revision's known failure (a consequence, recorded without a file of
 * its own), and whether a mutant survived an invariant meant to catch it.
 */
import type { Target } from "../engine/target.ts";
import type { MutantTarget } from "../targets.ts";
import type { InvariantResult } from "./checkTarget.ts";

/** The target as a mutant (with what it must break), or undefined for a revision. */
export function asMutant(target: Target): MutantTarget | undefined {
  return target.kind === "mutant" && "expected" in target ? (target as MutantTarget) : undefined;
}

/**
 * The revision whose failure by design this failure repeats: a mutant failing an invariant its
 * base revision is known not to keep (a mutant inherits its revision's `knownViolations`, so
 * `result.expected` is set), other than one the mutant was seeded to break. Undefined otherwise.
 */
export function consequenceOf(target: Target, result: InvariantResult): string | undefined {
  const mutant = asMutant(target);
  if (mutant === undefined || result.status !== "fail" || result.expected !== true) {
    return undefined;
  }
  return mutant.expected.includes(result.invariant) ? undefined : mutant.revision;
}

/** Why a failure is expected, or undefined when it is not. */
export function expectedReason(target: Target, result: InvariantResult): string | undefined {
  if (result.status !== "fail") return undefined;
  const base = consequenceOf(target, result);
  if (base !== undefined) {
    return `${base} fails it by design: ${result.reason ?? "a known violation of the design"}`;
  }
  if (result.expected) return result.reason ?? "a known violation of the design";
  // On a mutant every failure is expected: it is the seeded bug, or a consequence of it. What
  // a mutant must not do is survive (see `survived`).
  const mutant = asMutant(target);
  if (mutant !== undefined) {
    return mutant.expected.includes(result.invariant)
      ? `the mutant's seeded bug: ${mutant.description}`
      : `a consequence of the mutant's seeded bug: ${mutant.description}`;
  }
  return undefined;
}

/** An invariant a mutant must break that passed on it: the mutant survived it. */
export function survived(target: Target, result: InvariantResult): boolean {
  const mutant = asMutant(target);
  return (
    mutant !== undefined && result.status === "pass" && mutant.expected.includes(result.invariant)
  );
}
