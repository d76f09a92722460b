import { AreamapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_populate_chunk without its unwind ("likely under heavy memory pressure, give memory
 * back"): when a page allocation fails half way, the pages already taken stay allocated, never
 * mapped and never freed. The failed allocation still returns ENOMEM and frees its area.
 *
 *   populate [page 2]: cpu 0 ok, cpu 1 ok, cpu 2 ENOMEM  ->  two pages lost
 */
class AreamapPopulateKeepsPages extends AreamapAllocator {
  protected override unwindPages(_pfns: readonly number[]): void {}
}

export const areamapPopulateKeepsPages: MutantEntry = {
  id: "areamap-populate-keeps-pages",
  revision: "areamap-2009",
  description:
    "pcpu_populate_chunk returns ENOMEM without giving back the pages it took before the failure",
  source:
    "mm/percpu.c 2.6.30 pcpu_populate_chunk: 'err: /* likely under heavy memory pressure, give memory back */ pcpu_depopulate_chunk(chunk, off, size, true);' (2.6.31: 'err_free: pcpu_free_pages(...)')",
  expected: ["areamap-populated"],
  create: () => new AreamapPopulateKeepsPages(),
};
