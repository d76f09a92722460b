import { AreamapAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_populate_chunk without its error path ("likely under heavy memory pressure, give memory
 * back": pcpu_depopulate_chunk(chunk, off, size)): when a page allocation fails half way, the
 * pages already taken stay allocated with their page pointers set (a run finished before an
 * occupied page even mapped), and are never freed. The failed allocation still returns ENOMEM
 * and frees its area.
 *
 *   populate [page 2]: cpu 0 ok, cpu 1 ok, cpu 2 ENOMEM  ->  two pages lost
 *
 * Caught by no-oops: a later allocation takes the page for populated and faults clearing it.
 * areamap-populated sees the pages too, but areamap-2009 fails it by design (its error path
 * frees too much), so it separates nothing.
 */
class AreamapPopulateKeepsPages extends AreamapAllocator {
  protected override populateFailed(): void {}
}

export const areamapPopulateKeepsPages: MutantEntry = {
  id: "areamap-populate-keeps-pages",
  revision: "areamap-2009",
  description:
    "pcpu_populate_chunk returns ENOMEM without its pcpu_depopulate_chunk: the pages it took before the failure stay allocated, their pointers set",
  source:
    "mm/percpu.c 2.6.30 pcpu_populate_chunk: 'err: /* likely under heavy memory pressure, give memory back */ pcpu_depopulate_chunk(chunk, off, size, true);' (2.6.32, after ce3141a277ff: 'err_free: pcpu_free_pages(...)')",
  expected: ["no-oops"],
  create: () => new AreamapPopulateKeepsPages(),
};
