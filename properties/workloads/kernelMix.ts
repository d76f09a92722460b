/**
 * kernel-mix: what typical alloc_percpu users ask for (a survey of callers such as
 * percpu_counter, SNMP MIB statistics, disk stats, module percpu sections): mostly 4- and
 * 8-byte counters, statistics structs of 16..256 bytes, an occasional 1..4 KiB object.
 *
 *   per object: 50% counter   size 4 or 8        align = size
 *               45% struct    size 16..256 (x8)  align 8
 *                5% large     size 1024..4096    align 8 (x8)
 *   alloc-1, free-1 (a random half), refill-1 (as many again), then churn rounds
 *
 * The proportions are the model's choice (no published census); they only need to be the same
 * for every target compared.
 */
import { churnScript, type Shape, type Workload } from "./workload.ts";
import type { SeededRandom } from "./seededRandom.ts";

function kernelObject(random: SeededRandom): Shape {
  const kind = random.int(0, 99);
  if (kind < 50) {
    const size = random.pick([4, 8]);
    return { size, align: size };
  }
  if (kind < 95) return { size: 8 * random.int(2, 32), align: 8 };
  return { size: 8 * random.int(128, 512), align: 8 };
}

export const kernelMixWorkload: Workload = {
  id: "kernel-mix",
  title: "counters, statistics structs and an occasional 1-4 KiB object, with churn",
  source: "typical alloc_percpu callers (percpu_counter, SNMP MIBs, disk stats)",
  defaultObjects: 2000,
  build: (options) => churnScript(options, Math.floor(options.objects / 2), kernelObject),
};
