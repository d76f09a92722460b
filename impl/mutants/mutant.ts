/**
 * A mutant: one small deviation from a revision, taken from a real kernel bug or a review
 * comment, with the invariant(s) that should catch it. The suite proves each invariant can
 * fail by catching every mutant with a minimal counterexample.
 */
import type { PercpuAllocator } from "../allocator.ts";

export interface MutantEntry {
  readonly id: string;
  /** The revision it deviates from. */
  readonly revision: string;
  /** What it changes. */
  readonly description: string;
  /** The bug or review comment it comes from. */
  readonly source: string;
  /** Invariants that must catch it. */
  readonly expected: readonly string[];
  readonly create: () => PercpuAllocator;
}
