import { LegacyAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** free_percpu frees every copy but not the pointer array. */
class LegacyFreeKeepsArray extends LegacyAllocator {
  protected override freeArray(): void {}
}

export const legacyFreeKeepsArray: MutantEntry = {
  id: "legacy-free-keeps-array",
  revision: "legacy-2.6.10",
  description: "free_percpu kfrees each copy but not the struct percpu_data",
  source: "mm/slab.c 2.6.10 free_percpu (`kfree(p)` after the copies)",
  expected: ["no-leak"],
  create: () => new LegacyFreeKeepsArray(),
};
