/**
 * A target: what a check runs against. A revision, a mutant of one, or an external harness;
 * each makes fresh allocator instances and says which requests are valid for it.
 */
import type { PercpuAllocator, RetainedPool } from "../../impl/index.ts";
import type { ReservedArea } from "../../impl/external/index.ts";

export type TargetKind = "revision" | "mutant" | "external";

export interface Target {
  /** "kiran-2005-09", a mutant id, or "external:<command>". */
  readonly id: string;
  readonly kind: TargetKind;
  /** The revision a mutant derives from (its own id for a revision). */
  readonly revision?: string;
  /**
   * The design family whose white-box invariants apply (the `design` of its `inspect` detail),
   * e.g. "kiran-2005"; absent for an external harness, which gets the black-box ones only.
   */
  readonly design?: string;
  /** A fresh, un-booted allocator. */
  create(): PercpuAllocator;
  /** The largest valid size. */
  readonly maxSize: number;
  /** The largest valid alignment for a size (a power of two, at most PAGE_SIZE). */
  maxAlign(size: number): number;
  /** Alignment 0 is a valid request (the 2005 design reads it as "the currency"). */
  readonly zeroAlignValid: boolean;
  /**
   * The smallest alignment the allocator enforces (an external harness's `min_align`): any
   * alignment below it, 0 and non-powers of two included, is raised to it before the checks,
   * as pcpu_alloc raises one below PCPU_MIN_ALLOC_SIZE; absent: none is raised.
   */
  readonly minAlign?: number;
  /**
   * Invariants the design is known not to keep, with the reason (the revision header's "what
   * does not hold"). A failure of one of these is reported, with `expected: true`.
   */
  readonly knownViolations: Readonly<Record<string, string>>;
  /**
   * What the design keeps on purpose with nothing live, and its bound (no-leak and
   * failure-atomicity allow that much); absent: back to the baseline exactly.
   */
  readonly pool?: RetainedPool;
  /**
   * The unit (one CPU's share of a chunk) the target declares, in bytes (an external harness's
   * hello `pool.unit_bytes`); absent: none declared. Random runs then also draw objects at its
   * page scale (commands/pageScale.ts), which fill, empty and depopulate its chunks.
   */
  readonly unitBytes?: number;
  /**
   * The design runs only on possible CPUs 0..n-1, with why (areamap-2009: units at cpu x
   * unit_size); its runs draw dense possible sets, and its boot refuses another. Absent: any.
   */
  readonly densePossible?: string;
  /** An atomic request may fail with ENOMEM where a sleeping one would not (docs/protocol.md). */
  readonly atomicFromPopulated: boolean;
  /**
   * The reserved area an external harness declares (`reserved_area` in hello): reserved
   * allocations are sent only where it is known, and judged against it (a false ENOMEM).
   */
  readonly reservedArea?: ReservedArea;
}
