/**
 * kiran-2005-09's CPU_UP_PREPARE handler (patch 11/11) where it has work to do. With the
 * possible set fixed at boot every block already has every possible CPU's pages, so the
 * revision itself never allocates there; a test subclass that gives slices to the online CPUs
 * only (the later "allocate for online CPUs" idea) reaches the allocation and the rollback.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PAGE_SIZE, totalPages } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import { booted, expectErr, machineOf } from "../testing.ts";
import { DATA_OWNER, KiranAllocator, PCPU_BLKSIZE } from "./kiranAllocator.ts";

const K8 = PCPU_BLKSIZE;

/** Slices (and zeroing) for the online CPUs only: cpu_up must populate the new CPU's slice. */
class OnlineSlices extends KiranAllocator {
  protected override forEachPossibleCpu(): readonly number[] {
    const online = this.machine.cpus.online;
    this.work.loopIterations += online.length;
    return online;
  }
}

let a: OnlineSlices;
beforeEach(() => {
  a = new OnlineSlices();
});

/** The data pages the block holds, by slice: true where the page reads back. */
function mapped(p: number, cpus: readonly number[]): boolean[] {
  return cpus.flatMap((cpu) => [0, PAGE_SIZE].map((off) => a.read(p + cpu * K8 + off, 1).ok));
}

describe("CPU_UP_PREPARE with slices to populate", () => {
  /*
   * One block, NR_CPUS 4 (nodes 0 0 1 1), CPUs 0 and 2 online:
   *
   *   start  +8K    +16K   +24K   +32K
   *   | cpu0 | hole | cpu2 | hole | mgmt ...
   *
   * Expect cpu_up(3) to allocate cpu 3's two pages from node 1 as percpu data, mapped at
   * start + 3 * 8 KiB and start + 3 * 8 KiB + 4 KiB, the other slices unchanged.
   */
  it("cpu_up maps the new CPU's two pages from its node", () => {
    booted(a, { online: [0, 2] });
    const m = machineOf(a);
    const p = unwrap(a.alloc(64, 8));
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(4);
    expect(mapped(p, [0, 1, 2, 3])).toEqual([true, true, false, false, true, true, false, false]);
    unwrap(a.cpuUp(3));
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(6);
    expect(mapped(p, [0, 1, 2, 3])).toEqual([true, true, false, false, true, true, true, true]);
    expect(unwrap(a.node(p + 3 * K8))).toBe(1);
    expect(unwrap(a.node(p + 3 * K8 + PAGE_SIZE))).toBe(1);
    expect(m.pages.heldBy(DATA_OWNER)).toEqual([
      { low: 0, high: 2 },
      { low: 0, high: 4 },
    ]);
  });

  /*
   * One block, CPUs 0 and 2 online; cpu_up(1), the page for slot 3 (cpu 1's second) fails:
   *
   *   slot   0    1    2    3    4    5    6    7
   *        | cpu0 pages | cpu1 (new) | cpu2 pages | hole  |
   *        | freed  freed | freed  X | kept  kept |       |
   *
   * Expect ENOMEM naming CPU_UP_PREPARE and cpu 1, the rollback to free pages[2] down to
   * pages[0] (cpu 0's live pages too, as patch 11/11 does), cpu 2's pages kept, cpu 1 offline.
   */
  it("a failure rolls back from the failed slot down to slot 0, live pages included", () => {
    booted(a, { online: [0, 2] });
    const m = machineOf(a);
    const p = unwrap(a.alloc(64, 8));
    unwrap(a.failPageAlloc(1, 1));
    expectErr(a.cpuUp(1), "ENOMEM", "CPU_UP_PREPARE could not populate cpu 1");
    expect(m.pages.injectionPending).toBe(false);
    expect(mapped(p, [0, 1, 2, 3])).toEqual([false, false, false, false, true, true, false, false]);
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2);
    expect(m.cpus.online).toEqual([0, 2]);
  });

  /*
   * Two blocks, CPU 0 online only; cpu_up(1): block 0 gets cpu 1's pages (slots 2, 3), then
   * block 1's slot 3 fails:
   *
   *   block 0: | cpu0 | cpu1 new | ...     block 1: | cpu0 | cpu1: 2 ok, 3 X | ...
   *
   * Expect ENOMEM, block 1's pages[2..0] freed, block 0's new cpu 1 pages freed (the handler's
   * own unwind of the blocks it completed), block 0's cpu 0 pages kept.
   */
  it("a failure in a later block also frees the pages given to earlier blocks", () => {
    booted(a, { online: [0] });
    const m = machineOf(a);
    const p0 = unwrap(a.alloc(K8, 4));
    const p1 = unwrap(a.alloc(4, 4));
    expect(m.vmalloc.areaCount).toBe(2);
    unwrap(a.failPageAlloc(3, 1));
    expectErr(a.cpuUp(1), "ENOMEM", "cpu 1");
    expect(mapped(p0, [0, 1])).toEqual([true, true, false, false]);
    expect(mapped(p1, [0, 1])).toEqual([false, false, false, false]);
    expect(totalPages(m.pages.heldBy(DATA_OWNER))).toBe(2);
  });
});
