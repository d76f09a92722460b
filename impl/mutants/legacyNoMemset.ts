import { LegacyAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** Forgets the memset: each copy holds what kmalloc's slab held before. */
class LegacyNoMemset extends LegacyAllocator {
  protected override zeroCopy(): void {}
}

export const legacyNoMemset: MutantEntry = {
  id: "legacy-no-memset",
  revision: "legacy-2.6.10",
  description: "the memset(ptrs[i], 0, size) after kmalloc_node is left out",
  source: "mm/slab.c 2.6.10 __alloc_percpu (kmalloc does not clear; the memset does)",
  expected: ["zero-on-alloc"],
  create: () => new LegacyNoMemset(),
};
