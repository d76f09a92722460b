/**
 * The unit layout of every chunk in 2.6.30: CPU c's unit is the c-th one, at c x unit_size
 * from the chunk's base, and a chunk's vm area holds num_possible_cpus() units. There is no
 * cpu -> unit map and no grouping by node: both came with 2.6.32 (pcpu_unit_map,
 * pcpu_build_alloc_info).
 *
 *   possible CPUs 0 1 2 (nodes 0 1 0)
 *
 *   chunk base                                         base + 3 x unit_size (the vm area's end)
 *   | unit of cpu 0     | unit of cpu 1     | unit of cpu 2     |
 *   ^ pcpu_chunk_addr(chunk, cpu, i) = base + (cpu x unit_pages + i) x PAGE_SIZE
 *
 * Rules (mm/percpu.c of 2.6.30: pcpu_page_idx, pcpu_chunk_addr, pcpu_setup_first_chunk's
 * pcpu_chunk_size = num_possible_cpus() x pcpu_unit_size):
 * - The rule is only sound for a possible mask without holes (0..n-1), which is what x86's
 *   prefill_possible_map makes and the only architecture on this allocator in 2.6.30 had. With
 *   a hole, CPU c >= n has its unit past the end of the vm area (and its page pointers past the
 *   end of the chunk struct's page array): `outsideArea` names the first such CPU, and the
 *   revision refuses to boot on such a machine instead of mapping pages into another area.
 */

/** The 2.6.30 unit layout: offsets by CPU number, the vm area's size in units. */
export interface UnitLayout {
  readonly unitSize: number;
  /** num_possible_cpus(): the units in a chunk's vm area. */
  readonly nrUnits: number;
  /** cpu -> byte offset of its unit from the chunk base (cpu x unit_size), for possible CPUs. */
  readonly unitOffsets: ReadonlyMap<number, number>;
  /** The first possible CPU whose unit lies past the vm area's end, or undefined. */
  readonly outsideArea: number | undefined;
}

/** The 2.6.30 layout for the possible CPUs (ascending). */
export function buildUnitLayout(possible: readonly number[], unitSize: number): UnitLayout {
  const unitOffsets = new Map<number, number>();
  for (const cpu of possible) unitOffsets.set(cpu, cpu * unitSize);
  const outsideArea = possible.find((cpu) => cpu >= possible.length);
  return { unitSize, nrUnits: possible.length, unitOffsets, outsideArea };
}
