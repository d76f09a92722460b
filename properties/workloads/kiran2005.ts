/**
 * kiran-2005: the stress test of the 2005 thread (Ravikiran Thirumalai,
 * <20050112181230.GA2035@impedimenta.in.ibm.com>): random sizes and alignments into 8 KiB
 * blocks, then random frees, then more allocations.
 *
 *   alloc-1   2000 objects, size uniform 4..4096, align a power of two 1..32
 *   free-1    a random half of them
 *   refill-1  2000 more
 *   free-k / refill-k (k >= 2, with --rounds): a random half freed, as many allocated again
 *
 * The thread's figures for it: 98.7% after alloc-1 (504 blocks), 54.8% after free-1 (458
 * blocks), 98.2% after refill-1 (772 blocks). The mail does not give the alignment
 * distribution; 1..32 (up to a cache line of the time) is the model's choice, and every
 * revision here serves it (legacy-2.6.10's smallest kmalloc class is 32 bytes).
 */
import { churnScript, randomPowerOfTwo, type Workload } from "./workload.ts";

export const kiran2005Workload: Workload = {
  id: "kiran-2005",
  title: "2000 random sizes 4..4096 with random alignment, free a random half, 2000 more",
  source: "LKML <20050112181230.GA2035@impedimenta.in.ibm.com> (Ravikiran Thirumalai, Jan 2005)",
  defaultObjects: 2000,
  build: (options) =>
    churnScript(options, options.objects, (random) => ({
      size: random.int(4, 4096),
      align: randomPowerOfTwo(random, 0, 5),
    })),
};
