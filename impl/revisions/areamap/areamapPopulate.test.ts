/**
 * areamap-2009's chunk pages (chunkPages.ts): chunk->page[] indexes, pcpu_populate_chunk's runs
 * around already populated pages, its error path's report of what it took, pcpu_depopulate_chunk
 * over a range, and the first chunk's zeroed static pages.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, type Machine } from "../../machine/index.ts";
import { unwrap } from "../../result.ts";
import type { WorkCounters } from "../simulatedAllocator.ts";
import { booted, machineOf } from "../testing.ts";
import { AreamapAllocator, UNIT_PAGES, UNIT_SIZE } from "./areamapAllocator.ts";
import {
  depopulateChunk,
  depopulateRange,
  pageIdx,
  populateChunkPages,
  type TakenPage,
} from "./chunkPages.ts";
import { PcpuChunk } from "./pcpuChunk.ts";
import { buildUnitLayout, type UnitLayout } from "./unitLayout.ts";

const CPUS = [0, 1, 2];

/** A machine with CPUs 0-2 and a fresh chunk of its own vm area (nothing populated). */
function setUp(): { m: Machine; layout: UnitLayout; chunk: PcpuChunk; work: WorkCounters } {
  const m = machineOf(booted(new AreamapAllocator(), { possible: CPUS }));
  const layout = buildUnitLayout(CPUS, UNIT_SIZE);
  const area = unwrap(m.vmalloc.reserve(CPUS.length * UNIT_SIZE, "percpu"));
  const chunk = new PcpuChunk({
    id: 9,
    first: false,
    base: area.addr,
    structAddr: undefined,
    map: [UNIT_SIZE],
    mapAlloc: 16,
    mapMemory: { kind: "static" },
    unitPages: UNIT_PAGES,
  });
  return { m, layout, chunk, work: { comparisons: 0, loopIterations: 0, bitsScanned: 0 } };
}

const noFailure = (): void => {
  throw new Error("no failure expected");
};

/** Page i of every CPU: mapped at its unit address to the page chunk->page[] holds. */
function expectMapped(s: ReturnType<typeof setUp>, pages: number[]): void {
  for (const cpu of CPUS) {
    for (let i = 0; i < UNIT_PAGES; i++) {
      const addr = s.chunk.base + cpu * UNIT_SIZE + i * PAGE_SIZE;
      const want = pages.includes(i) ? s.chunk.pageAr.get(pageIdx(cpu, i)) : undefined;
      if (pages.includes(i)) expect(want, `cpu ${cpu} page ${i} set`).toBeDefined();
      expect(s.m.vmalloc.lookup(addr), `cpu ${cpu} page ${i}`).toBe(want);
    }
  }
}

describe("chunk->page[]", () => {
  /*
   *   page[]  | cpu 0: 0..7 | cpu 1: 8..15 | cpu 2: 16..23 |
   *
   * Expect pcpu_page_idx(c, i) = c x unit_pages + i.
   */
  it("indexes CPU c's page i at c x unit_pages + i", () => {
    expect(pageIdx(0, 5)).toBe(5);
    expect(pageIdx(2, 3)).toBe(2 * UNIT_PAGES + 3);
  });
});

describe("pcpu_populate_chunk", () => {
  /*
   *   unit pages   0   1   2   3 ...
   *   first call   .   p   p   .        [4096, 12288): pages 1-2
   *   second call  n   p   p   .        [0, 12288): page 0 new, a run mapped before page 1
   *
   * Expect pages 0-2 of every CPU mapped to their page[] entries and nothing else; one page
   * allocation (and loop iteration) per CPU and new page: 6, then 3.
   */
  it("maps a run of new pages that ends at an already populated page", () => {
    const s = setUp();
    unwrap(populateChunkPages(s.m, s.layout, s.chunk, PAGE_SIZE, 2 * PAGE_SIZE, s.work, noFailure));
    expect(s.work.loopIterations).toBe(6);
    expectMapped(s, [1, 2]);
    unwrap(populateChunkPages(s.m, s.layout, s.chunk, 0, 3 * PAGE_SIZE, s.work, noFailure));
    expect(s.work.loopIterations).toBe(9);
    expectMapped(s, [0, 1, 2]);
    expect([...s.chunk.populated]).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(s.chunk.pageAr.size).toBe(9);
  });

  /*
   *   unit pages   0   1   2
   *   populated    .   .   .      [0, 12288): the page of CPU 1 for page 1 is refused
   *
   * Expect the error path told pages [0, 3) and exactly the 4 pages this call took before
   * (page 0 of CPUs 0-2, page 1 of CPU 0), in order.
   */
  it("tells its error path the range and the pages it took", () => {
    const s = setUp();
    s.m.pages.failAfter(4, 1);
    const seen: [number, number, TakenPage[]][] = [];
    const r = populateChunkPages(s.m, s.layout, s.chunk, 0, 3 * PAGE_SIZE, s.work, (a, b, t) =>
      seen.push([a, b, [...t]]),
    );
    expect(r.ok).toBe(false);
    expect(seen).toEqual([
      [
        0,
        3,
        [
          { cpu: 0, page: 0, pfn: s.chunk.pageAr.get(pageIdx(0, 0)) },
          { cpu: 1, page: 0, pfn: s.chunk.pageAr.get(pageIdx(1, 0)) },
          { cpu: 2, page: 0, pfn: s.chunk.pageAr.get(pageIdx(2, 0)) },
          { cpu: 0, page: 1, pfn: s.chunk.pageAr.get(pageIdx(0, 1)) },
        ],
      ],
    ]);
  });
});

describe("pcpu_depopulate_chunk", () => {
  /*
   *   unit pages   0   1   2   3   4   5   6   7
   *   populated    .   p   p   .   p   p   .   .
   *   depopulate [4, 5)            ^
   *
   * Expect only page 4 of each CPU freed (3 pages, each once), cleared and unmapped; pages 1,
   * 2 and 5 still mapped. Then the whole chunk: the other 9 pages, never a hole's.
   */
  it("frees and unmaps only the range, then the whole chunk", () => {
    const s = setUp();
    unwrap(populateChunkPages(s.m, s.layout, s.chunk, PAGE_SIZE, 2 * PAGE_SIZE, s.work, noFailure));
    unwrap(
      populateChunkPages(s.m, s.layout, s.chunk, 4 * PAGE_SIZE, 2 * PAGE_SIZE, s.work, noFailure),
    );
    const freed: number[] = [];
    const release = (pfn: number): void => {
      freed.push(pfn);
      s.m.pages.free(pfn);
    };
    const page4 = CPUS.map((cpu) => s.chunk.pageAr.get(pageIdx(cpu, 4)));
    depopulateRange(s.m, s.layout, s.chunk, 4, 5, release);
    expect(freed).toEqual(page4);
    expect([...s.chunk.populated]).toEqual([0, 1, 1, 0, 0, 1, 0, 0]);
    expect(s.chunk.pageAr.size).toBe(9);
    expectMapped(s, [1, 2, 5]);
    depopulateChunk(s.m, s.layout, s.chunk, release);
    expect(freed).toHaveLength(12);
    expect(freed.every((pfn) => typeof pfn === "number")).toBe(true);
    expect(s.chunk.pageAr.size).toBe(0);
    expectMapped(s, []);
  });
});

describe("the first chunk (setup_pcpu_4k)", () => {
  /*
   *   cpu c's unit  | static (2 pages, mapped, zeroed) | reserved | dynamic |
   *
   * Expect every CPU's static area to read zero (bootmem is zeroed; fresh pages are poisoned).
   */
  it("maps zeroed static pages", () => {
    const a = booted(new AreamapAllocator(), { possible: CPUS });
    const m = machineOf(a);
    const base = (unwrap(a.inspect()).detail as { chunks: { base: number }[] }).chunks[0]!.base;
    for (const cpu of CPUS) {
      const bytes = unwrap(m.read(base + cpu * UNIT_SIZE, 2 * PAGE_SIZE));
      expect(
        bytes.every((b) => b === 0),
        `cpu ${cpu}`,
      ).toBe(true);
    }
  });
});
