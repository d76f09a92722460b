/**
 * What each design family counts, from its code in impl/revisions: whether it counts its work
 * (comparisons, loop iterations), what its scan counter counts, and what it groups the units of
 * memory into (the kernel's words: a 2005 block, a chunk since 2009). A target says its family
 * in `design`; an external harness has none.
 *
 *   design        work counters                              scan counter   grouping
 *   legacy        none (kmalloc per CPU, nothing counted)    -              none
 *   kiran-2005    comparisons, loop iterations               bits           blocks
 *   areamap-2009  comparisons, loop iterations               map entries    chunks
 *   bitmap-2017   comparisons, loop iterations               bits           chunks
 */
/** What a design family counts (see the table above); undefined: it has none. */
export interface FamilyCounts {
  /** Comparisons and loop iterations. */
  readonly work: boolean;
  /** What its scan counter counts. */
  readonly scanned?: "bits" | "map entries";
  /** What it groups the units of memory into. */
  readonly grouping?: "blocks" | "chunks";
}

const FAMILY_COUNTS: Readonly<Record<string, FamilyCounts>> = {
  legacy: { work: false },
  "kiran-2005": { work: true, scanned: "bits", grouping: "blocks" },
  "areamap-2009": { work: true, scanned: "map entries", grouping: "chunks" },
  "bitmap-2017": { work: true, scanned: "bits", grouping: "chunks" },
};

/** An external harness or a new design: what it reports is taken as it is. */
const OTHER: FamilyCounts = { work: true, scanned: "bits", grouping: "blocks" };

/** What a design counts; `design` is a target's design family (undefined: external). */
export function familyCounts(design: string | undefined): FamilyCounts {
  return (design !== undefined ? FAMILY_COUNTS[design] : undefined) ?? OTHER;
}

/** "blocks" or "chunks": what a target's design groups its memory into, "blocks" when unknown. */
export function groupingWord(design: string | undefined): "blocks" | "chunks" {
  return familyCounts(design).grouping ?? "blocks";
}
