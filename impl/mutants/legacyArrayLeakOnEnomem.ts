import { LegacyAllocator } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** The unwind frees the copies made so far but not the pointer array. */
class LegacyArrayLeakOnEnomem extends LegacyAllocator {
  protected override unwind(_pdata: number, made: readonly number[]): void {
    for (let i = made.length - 1; i >= 0; i--) this.machine.kmalloc.free(made[i] as number);
  }
}

export const legacyArrayLeakOnEnomem: MutantEntry = {
  id: "legacy-array-leak-on-enomem",
  revision: "legacy-2.6.10",
  description: "unwind_oom frees the copies but forgets kfree(pdata)",
  source: "mm/slab.c 2.6.10 unwind_oom (`while (--i >= 0) ... kfree(pdata)`)",
  expected: ["failure-atomicity"],
  create: () => new LegacyArrayLeakOnEnomem(),
};
