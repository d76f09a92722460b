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
  /**
   * The depth goal (properties/depth/depthGoals.ts) a run must reach before its bug shows, for a
   * mutant seeded to break only deep: short random runs do not catch it, the workloads' checked
   * runs or deeper runs do, with a counterexample as long as the depth needs.
   */
  readonly deep?: "chunks-3" | "unit-last-page" | "live-1000" | "cpus-64";
  readonly create: () => PercpuAllocator;
}
