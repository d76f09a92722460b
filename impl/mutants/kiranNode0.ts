import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** Every CPU's slice pages come from node 0. */
class KiranNode0 extends KiranAllocator {
  protected override sliceNode(): number {
    return 0;
  }
}

export const kiranNode0: MutantEntry = {
  id: "kiran-node0",
  revision: "kiran-2005-09",
  description:
    "slice pages from alloc_pages(GFP_HIGHMEM) on the current node instead of alloc_pages_node(cpu_to_node(cpu))",
  source:
    'LKML Jan 2005: "Provides truly node local allocation" (the reason not to use plain vmalloc)',
  expected: ["node-locality"],
  create: () => new KiranNode0(),
};
