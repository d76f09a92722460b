/**
 * gushchin-2021: the memory cgroup experiment of Roman Gushchin's partial depopulation series
 * ("percpu: partial chunk depopulation", <20210408035736.883861-1-guro@fb.com>, April 2021):
 * percpu memory 7,488 kB at boot, 481,152 kB after creating 11,000 memory cgroups; after
 * deleting 10,000 of them, unchanged without the series, 135,552 kB with it.
 *
 *   alloc-1    `objects` groups, each GROUP_SHAPES (one cgroup's per-CPU objects)
 *   free-1     every group but each 11th (10 of 11 deleted; the survivors spread over every
 *              chunk, so no chunk becomes wholly free: the case partial depopulation is for)
 *   reclaim-1  `reclaim`: the balance worker runs (pcpu_balance_workfn, which depopulates
 *              the empty pages of the chunks isolated by the frees)
 *
 * The figure is the memory held after each phase: after free-1 it is what the kernel holds
 * before its worker runs, after reclaim-1 what it holds after. The default scale is a tenth of
 * the mail's (1,100 groups); the sizes are the model's choice, of the order of memcg's per-CPU
 * statistics (its vmstats_percpu, a lruvec_stats_percpu per node, a few counters), the same
 * for every target compared. The script draws nothing at random, and `rounds` is not used:
 * the experiment is one mass free.
 */
import { SeededRandom } from "./seededRandom.ts";
import { checkOptions, ScriptBuilder, type Shape, type Workload } from "./workload.ts";

/** One group's objects, in the order it allocates them. */
export const GROUP_SHAPES: readonly Shape[] = [
  { size: 1536, align: 8 },
  { size: 512, align: 8 },
  { size: 512, align: 8 },
  { size: 8, align: 8 },
  { size: 8, align: 8 },
];

/** One group of this many survives the mass free. */
export const GUSHCHIN_KEEP_EVERY = 11;

export const gushchin2021Workload: Workload = {
  id: "gushchin-2021",
  title: "groups of per-CPU objects, 10 of every 11 groups freed, then the balance worker run",
  source: "Roman Gushchin, partial chunk depopulation <20210408035736.883861-1-guro@fb.com>",
  defaultObjects: 1100,
  build: (options) => {
    checkOptions(options);
    const b = new ScriptBuilder(new SeededRandom(options.seed));
    const perGroup = GROUP_SHAPES.length;
    let next = 0;
    b.allocs("alloc-1", options.objects * perGroup, () => GROUP_SHAPES[next++ % perGroup] as Shape);
    const keys = b.liveKeys();
    const freed = keys.filter((_, i) => Math.floor(i / perGroup) % GUSHCHIN_KEEP_EVERY !== 0);
    b.freeInOrder("free-1", freed);
    b.reclaim("reclaim-1");
    return b.phases;
  },
};
