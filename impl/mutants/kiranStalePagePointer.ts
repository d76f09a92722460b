import { KiranAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** The rollback frees a slice page but leaves its pointer in the block's page array. */
class KiranStalePagePointer extends KiranAllocator {
  protected override clearPagePointer(): void {}
}

export const kiranStalePagePointer: MutantEntry = {
  id: "kiran-stale-page-pointer",
  revision: "kiran-2005-09",
  description:
    "the unwind does not clear pages[j] = NULL after freeing a slice page (the bug patch 11/11 fixed)",
  source:
    "LKML [patch 11/11] <20050913161914.GM3570@localhost.localdomain>: stale page pointers after rollback",
  expected: ["no-oops"],
  create: () => new KiranStalePagePointer(),
};
