import { describe, expect, it } from "vitest";
import { buildAllocInfo } from "./allocInfo.ts";
import { KERNEL_GEOMETRY } from "./bitmapKernelAllocator.ts";

/** Debian 6.12's x86_64 first chunk (harnesses/linux's default geometry). */
const DEBIAN = { staticSize: 225280, reservedSize: 8192, dynSize: 28672, atomSize: 2 << 20 };

/** 12 possible CPUs on 4 nodes, CPU 0 on node 1: cpu_to_node as below. */
const NODES = [1, 0, 1, 0, 2, 2, 2, 3, 3, 3, 3, 3];
const POSSIBLE = NODES.map((_, cpu) => cpu);

describe("pcpu_build_alloc_info", () => {
  /*
   *   node 1: cpus 0 2 | node 0: cpus 1 3 | node 2: cpus 4 5 6 | node 3: cpus 7 8 9 10 11
   *   group 0 (cpu 0's node)  group 1          group 2             group 3
   *
   * Expect the groups in the order of their first CPU (node 1 first), a group's units its CPUs
   * in ascending order, and (Debian's 2 MiB atoms, 256 KiB size_sum) upa 2: 1 MiB units, a
   * padding unit after groups of 3 and 5: 14 units, as pcpu-linux (6.12.117) reports in
   * `stats` (unit_size 1048576, nr_units 14, nr_groups 4) for this topology.
   */
  it("groups by node in first-CPU order, pads to upa, as 6.12.117 does (Debian geometry)", () => {
    const info = buildAllocInfo(DEBIAN, POSSIBLE, (cpu) => NODES[cpu] as number);
    expect(info.groups.map((g) => g.node)).toEqual([1, 0, 2, 3]);
    expect(info.groups.map((g) => g.cpuMap)).toEqual([
      [0, 2],
      [1, 3],
      [4, 5, 6, -1],
      [7, 8, 9, 10, 11, -1],
    ]);
    expect(info).toMatchObject({ unitSize: 1 << 20, upa: 2, nrUnits: 14, sizeSum: 262144 });
    expect(info.unitOf.get(1)).toBe(2);
    expect(info.unitOf.get(7)).toBe(8);
  });

  /*
   * The same topology in pcpu-linux --small-unit's geometry (page atoms, 32 KiB size_sum).
   * Expect 32 KiB units with no padding (upa 1): 12 units, nr_groups 4, as pcpu-linux reports.
   */
  it("gives 32 KiB units and no padding with page atoms (--small-unit)", () => {
    const info = buildAllocInfo(KERNEL_GEOMETRY, POSSIBLE, (cpu) => NODES[cpu] as number);
    expect(info).toMatchObject({ unitSize: 32768, upa: 1, nrUnits: 12, dynSize: 20480 });
    expect(info.groups.map((g) => g.cpuMap.length)).toEqual([2, 2, 3, 5]);
  });

  /*
   * 64 possible CPUs on 4 nodes of 16 (cpu % 4). Expect upa 8 in Debian's geometry (no
   * padding: 8 allocations of 2 MiB), so 256 KiB units.
   */
  it("takes the largest upa that wastes nothing on 64 CPUs on 4 nodes", () => {
    const cpus = Array.from({ length: 64 }, (_, c) => c);
    const info = buildAllocInfo(DEBIAN, cpus, (cpu) => cpu % 4);
    expect(info).toMatchObject({ unitSize: 256 << 10, upa: 8, nrUnits: 64 });
    expect(info.groups[1]?.cpuMap.slice(0, 3)).toEqual([1, 5, 9]);
  });
});
