/**
 * counters: the second table of the 2005 thread (<20050112181230.GA2035@impedimenta.in.ibm.com>):
 * 4-byte objects, the size of most percpu counters, in the same three rows as the random-size
 * table: "2000 × 4-byte allocations fill one block (8000 of 8192 bytes)" with a 4-byte
 * currency, a random half freed, then 2000 more allocations (3000 live: about 73% of 2 blocks).
 * With an 8-byte currency (sizeof(void *) of a 64-bit build) each takes 8 bytes and
 * utilization halves.
 *
 *   alloc-1   2000 objects of 4 bytes, align 4
 *   free-1    a random half
 *   refill-1  2000 more
 */
import { churnScript, type Workload } from "./workload.ts";

export const countersWorkload: Workload = {
  id: "counters",
  title: "2000 counters of 4 bytes, a random half freed, 2000 more",
  source: "LKML <20050112181230.GA2035@impedimenta.in.ibm.com> (the 4-byte table)",
  defaultObjects: 2000,
  build: (options) => churnScript(options, options.objects, () => ({ size: 4, align: 4 })),
};
