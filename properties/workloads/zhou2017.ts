/**
 * zhou-2017: the allocation/free benchmark of Dennis Zhou's cover letter for the bitmap
 * allocator ("percpu: replace percpu area map allocator with bitmap allocator",
 * <20170724230220.21774-1-dennisz@fb.com>, July 2017): N objects of one size allocated, then
 * freed in one of three orders; the published table is the worst of the three, per size, in ms.
 *
 *   for size in 4, 16, 64, 256, 1024 (align = size, at most 8):
 *     alloc-<size>-in-order      N objects        free-<size>-in-order      0, 1, 2, ..., N-1
 *     alloc-<size>-alternating   N objects        free-<size>-alternating   0, 2, 4, ..., 1, 3, ...
 *     alloc-<size>-reverse       N objects        free-<size>-reverse       N-1, ..., 1, 0
 *   then 4-byte objects aligned to 8 ("align8"), the same three orders
 *
 * Zhou used N = 2^20 on a real machine; the default here is 4096 (`--objects` scales it), and
 * the figures compared are the ratios of work and of time between two designs.
 */
import { SeededRandom } from "./seededRandom.ts";
import { checkOptions, ScriptBuilder, type Workload, type WorkloadPhase } from "./workload.ts";

export const ZHOU_SIZES: readonly number[] = [4, 16, 64, 256, 1024];
export const ZHOU_ORDERS = ["in-order", "alternating", "reverse"] as const;
export type ZhouOrder = (typeof ZHOU_ORDERS)[number];

/** The keys in the order a free pattern frees them. */
export function freeOrder(keys: readonly number[], order: ZhouOrder): number[] {
  if (order === "in-order") return keys.slice();
  if (order === "reverse") return keys.slice().reverse();
  return [...keys.filter((_, i) => i % 2 === 0), ...keys.filter((_, i) => i % 2 === 1)];
}

export const zhou2017Workload: Workload = {
  id: "zhou-2017",
  title: "N objects of 4..1024 bytes freed in order, alternating, in reverse; 4 bytes aligned 8",
  source: "Dennis Zhou, bitmap allocator cover letter <20170724230220.21774-1-dennisz@fb.com>",
  defaultObjects: 4096,
  build: (options): readonly WorkloadPhase[] => {
    checkOptions(options);
    const b = new ScriptBuilder(new SeededRandom(options.seed));
    const shapes = [
      ...ZHOU_SIZES.map((size) => ({ label: String(size), size, align: Math.min(size, 8) })),
      { label: "4-align8", size: 4, align: 8 },
    ];
    for (const shape of shapes) {
      for (const order of ZHOU_ORDERS) {
        b.allocs(`alloc-${shape.label}-${order}`, options.objects, () => shape);
        b.freeInOrder(`free-${shape.label}-${order}`, freeOrder(b.liveKeys(), order));
      }
    }
    return b.phases;
  },
};
