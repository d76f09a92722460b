/**
 * pcpu_build_alloc_info (mm/percpu.c, 6.12): how the first chunk's geometry decides the unit
 * size and which unit each possible CPU gets.
 *
 *   size_sum  = PFN_ALIGN(static + reserved + max(dyn, PERCPU_DYNAMIC_EARLY_SIZE))
 *   unit      = alloc_size / upa, alloc_size = roundup(max(size_sum, PCPU_MIN_UNIT_SIZE), atom)
 *
 *   group 0 (node of the first possible CPU)    group 1 (the next CPU's node not yet grouped)
 *   | cpu 0 | cpu 2 | pad |                     | cpu 1 | cpu 3 | pad |
 *     units of a group are its CPUs in ascending order, rounded up to a multiple of upa; the
 *     groups are numbered in the order of their first CPU, not by node number
 *
 * upa (units per allocation) starts at the most units of min_unit_size that fit alloc_size,
 * then the largest upa is taken whose padding (wasted units) is at most a third of the
 * possible CPUs and that does not need more allocations than a larger upa did. CPUs are in
 * one group when their distance is LOCAL_DISTANCE, which on x86 is "on the same node".
 */
import { PAGE_SIZE, alignUp } from "../../machine/index.ts";

/** PCPU_MIN_UNIT_SIZE: 32 KiB. */
export const PCPU_MIN_UNIT_SIZE = 32 * 1024;
/** PERCPU_DYNAMIC_EARLY_SIZE (include/linux/percpu.h, 6.12): 20 KiB. */
export const PERCPU_DYNAMIC_EARLY_SIZE = 20 * 1024;

/** The first chunk's regions as the arch asks for them (pcpu_embed_first_chunk's arguments). */
export interface FirstChunkGeometry {
  readonly staticSize: number;
  readonly reservedSize: number;
  readonly dynSize: number;
  readonly atomSize: number;
}

export interface AllocGroup {
  /** The node its CPUs are on. */
  readonly node: number;
  /** The CPU of each unit of the group; -1 for a padding unit. */
  readonly cpuMap: readonly number[];
}

export interface AllocInfo {
  readonly staticSize: number;
  readonly reservedSize: number;
  /** dyn_size after size_sum's page rounding. */
  readonly dynSize: number;
  readonly sizeSum: number;
  readonly unitSize: number;
  readonly upa: number;
  readonly groups: readonly AllocGroup[];
  /** Unit index of each possible CPU, in group order (pcpu_unit_map). */
  readonly unitOf: ReadonlyMap<number, number>;
  readonly nrUnits: number;
}

/** pcpu_build_alloc_info for possible CPUs (ascending) with their nodes. */
export function buildAllocInfo(
  geometry: FirstChunkGeometry,
  possible: readonly number[],
  cpuToNode: (cpu: number) => number,
): AllocInfo {
  const { staticSize, reservedSize, atomSize } = geometry;
  const sizeSum = alignUp(
    staticSize + reservedSize + Math.max(geometry.dynSize, PERCPU_DYNAMIC_EARLY_SIZE),
    PAGE_SIZE,
  );
  const dynSize = sizeSum - staticSize - reservedSize;
  const minUnitSize = Math.max(sizeSum, PCPU_MIN_UNIT_SIZE);
  const allocSize = Math.ceil(minUnitSize / atomSize) * atomSize;
  const fits = (upa: number): boolean =>
    allocSize % upa === 0 && (allocSize / upa) % PAGE_SIZE === 0;
  let maxUpa = Math.floor(allocSize / minUnitSize);
  while (!fits(maxUpa)) maxUpa--;

  // Group the CPUs by proximity: the first ungrouped CPU and every CPU on its node.
  const cpus = [...possible].sort((a, b) => a - b);
  const grouped: { node: number; cpus: number[] }[] = [];
  for (const cpu of cpus) {
    const node = cpuToNode(cpu);
    const g = grouped.find((x) => x.node === node);
    if (g === undefined) grouped.push({ node, cpus: [cpu] });
    else g.cpus.push(cpu);
  }

  let lastAllocs = Number.MAX_SAFE_INTEGER;
  let bestUpa = 0;
  for (let upa = maxUpa; upa > 0; upa--) {
    if (!fits(upa)) continue;
    let allocs = 0;
    let wasted = 0;
    for (const g of grouped) {
      const these = Math.ceil(g.cpus.length / upa);
      allocs += these;
      wasted += these * upa - g.cpus.length;
    }
    if (wasted > Math.floor(cpus.length / 3)) continue;
    if (allocs > lastAllocs) break;
    lastAllocs = allocs;
    bestUpa = upa;
  }
  if (bestUpa === 0) throw new RangeError("pcpu_build_alloc_info: no units-per-allocation fits");

  const groups: AllocGroup[] = grouped.map((g) => {
    const n = Math.ceil(g.cpus.length / bestUpa) * bestUpa;
    return { node: g.node, cpuMap: [...g.cpus, ...new Array<number>(n - g.cpus.length).fill(-1)] };
  });
  const unitOf = new Map<number, number>();
  let unit = 0;
  for (const g of groups) {
    for (const cpu of g.cpuMap) {
      if (cpu >= 0) unitOf.set(cpu, unit);
      unit++;
    }
  }
  return {
    staticSize,
    reservedSize,
    dynSize,
    sizeSum,
    unitSize: allocSize / bestUpa,
    upa: bestUpa,
    groups,
    unitOf,
    nrUnits: unit,
  };
}
