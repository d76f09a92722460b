import { BitmapAllocator } from "../revisions/index.ts";
import type { Operation } from "../sections/index.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * The worker only destroys fully free chunks that have no populated page left (it runs
 * pcpu_balance_free(true) twice instead of first (false)): fully free, populated chunks pile
 * up on the free list.
 */
class BitmapKeepFreeChunks extends BitmapAllocator {
  protected override *balanceFreeSections(_emptyOnly: boolean): Operation<void> {
    yield* super.balanceFreeSections(true);
  }
}

export const bitmapKeepFreeChunks: MutantEntry = {
  id: "bitmap-keep-free-chunks",
  revision: "bitmap-2017",
  description:
    "pcpu_balance_free frees only fully free chunks without empty populated pages, even on the first call",
  source:
    "percpu: implement partial chunk depopulation (v5.14): pcpu_balance_free(false) then pcpu_balance_free(true); 'Destroy all free chunks except for one'",
  expected: ["bitmap-one-free-chunk"],
  create: () => new BitmapKeepFreeChunks(),
};
