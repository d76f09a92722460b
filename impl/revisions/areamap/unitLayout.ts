/**
 * The unit layout of every chunk: one unit per possible CPU, units grouped by NUMA node, as
 * pcpu_build_alloc_info() lays them out and pcpu_setup_first_chunk() records them in
 * pcpu_unit_map (cpu -> unit) and pcpu_unit_offsets (cpu -> byte offset of its unit).
 *
 *   possible CPUs 0 1 2 3 4 on nodes 0 1 0 1 2
 *
 *   chunk base                                                      base + 5 x unit_size
 *   | group 0 (node 0)          | group 1 (node 1)          | group 2 (node 2) |
 *   | unit 0: cpu 0 | unit 1: 2 | unit 2: cpu 1 | unit 3: 3 | unit 4: cpu 4    |
 *   ^ unit_offsets[0] = 0         ^ unit_offsets[1] = 2 x unit_size
 *
 * Rules (mm/percpu.c, pcpu_build_alloc_info, the 2.6.32 form of the 2.6.30 first-chunk set-up):
 * - Groups: a CPU joins the first group none of whose CPUs is beyond LOCAL_DISTANCE from it; on
 *   the simulated machine the distance is local exactly within a node, so the groups are the
 *   nodes in the order their first possible CPU appears.
 * - Units are numbered group by group, CPUs in ascending order inside a group; a group's
 *   base_offset is its first unit x unit_size (the page first chunk: atom PAGE_SIZE, one unit
 *   per atom, so no unit is wasted for padding).
 * - Only possible CPUs have a unit: the chunk's size does not depend on NR_CPUS.
 */

/** One group of units: the CPUs of one node, in unit order. */
export interface UnitGroup {
  readonly node: number;
  /** Byte offset of the group's first unit in every chunk. */
  readonly baseOffset: number;
  readonly cpus: readonly number[];
}

/** pcpu_unit_map, pcpu_unit_offsets and the groups they come from. */
export interface UnitLayout {
  readonly unitSize: number;
  readonly nrUnits: number;
  readonly groups: readonly UnitGroup[];
  /** cpu -> unit, for possible CPUs. */
  readonly unitMap: ReadonlyMap<number, number>;
  /** cpu -> byte offset of its unit from the chunk base, for possible CPUs. */
  readonly unitOffsets: ReadonlyMap<number, number>;
}

/** pcpu_build_alloc_info for the possible CPUs (ascending) and their nodes. */
export function buildUnitLayout(
  possible: readonly number[],
  cpuToNode: (cpu: number) => number,
  unitSize: number,
): UnitLayout {
  const byNode = new Map<number, number[]>();
  for (const cpu of possible) {
    const node = cpuToNode(cpu);
    let group = byNode.get(node);
    if (group === undefined) byNode.set(node, (group = []));
    group.push(cpu);
  }
  const groups: UnitGroup[] = [];
  const unitMap = new Map<number, number>();
  const unitOffsets = new Map<number, number>();
  let unit = 0;
  for (const [node, cpus] of byNode) {
    groups.push({ node, baseOffset: unit * unitSize, cpus });
    for (const cpu of cpus) {
      unitMap.set(cpu, unit);
      unitOffsets.set(cpu, unit * unitSize);
      unit++;
    }
  }
  return { unitSize, nrUnits: unit, groups, unitMap, unitOffsets };
}
