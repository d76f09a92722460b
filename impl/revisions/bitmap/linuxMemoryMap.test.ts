/**
 * pcpu-linux's memory map as bitmap-2017-kernel models it (linuxMemoryMap.ts): the group
 * offsets pcpu_embed_first_chunk computes on its machine, its vmalloc space and page tables.
 */
import { describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../machine/index.ts";
import { buildAllocInfo } from "./allocInfo.ts";
import { KERNEL_GEOMETRY } from "./bitmapKernelAllocator.ts";
import { LINUX_VMALLOC_BASE, LinuxVmSpace, linuxGroupOffsets } from "./linuxMemoryMap.ts";

const BASE = LINUX_VMALLOC_BASE;
const P = PAGE_SIZE;
const MIB2 = 2 * 1024 * 1024;
const SPAN = 2 ** 40;

describe("linuxGroupOffsets", () => {
  /*
   * 4 CPUs, nodes 0 0 1 1, 32 KiB units (upa 1): each node's boot zone is
   * roundUp((4 + 1) x 8 pages + 1024, 512) = 1536 pages. Node 0's zone starts with the alloc
   * info (128 bytes: one page) and the areas array (one page), each with a guard page: its group
   * at page 4; node 1's group at the start of its zone, page 1536.
   *
   * Expect the offsets from the lowest group: 0 and (1536 - 4) pages.
   */
  it("places each node's group in its boot zone, node 0's after the alloc info", () => {
    const info = buildAllocInfo(KERNEL_GEOMETRY, [0, 1, 2, 3], (c) => [0, 0, 1, 1][c] as number);
    expect(linuxGroupOffsets(info, P, 4)).toEqual([0, 1532 * P]);
  });
});

describe("LinuxVmSpace", () => {
  it("reserves at the lowest aligned base that fits, keeping the pieces it skips", () => {
    const v = new LinuxVmSpace();
    expect(v.reserve(3 * P, P)).toBe(BASE);
    expect(v.reserve(P, MIB2)).toBe(BASE + MIB2);
    // The gap below the 2 MiB-aligned area is still free, and an alignment below a page is a page.
    expect(v.reserve(2 * P, 1)).toBe(BASE + 3 * P);
    expect(v.reserve(100, 1)).toBe(BASE + 5 * P);
    expect(v.reserve(P, 1)).toBe(BASE + 6 * P);
  });

  it("refuses a span larger than what is free", () => {
    const v = new LinuxVmSpace();
    expect(v.reserve(SPAN + P, P)).toBeUndefined();
    expect(v.reserve(SPAN, P)).toBe(BASE);
    expect(v.reserve(P, P)).toBeUndefined();
  });

  it("merges a released area with its free neighbours", () => {
    const v = new LinuxVmSpace();
    const [a, b, c] = [v.reserve(2 * P, P), v.reserve(2 * P, P), v.reserve(2 * P, P)];
    v.release(b as number, 2 * P);
    v.release(a as number, 2 * P);
    expect(v.reserve(4 * P, P)).toBe(a);
    v.release(a as number, 4 * P);
    v.release(c as number, 2 * P);
    expect(v.reserve(SPAN, P)).toBe(BASE);
  });

  it("needs one page-table page per 2 MiB of space", () => {
    const v = new LinuxVmSpace();
    expect(v.needsPageTable(BASE)).toBe(true);
    v.addPageTable(BASE + P);
    expect(v.needsPageTable(BASE)).toBe(false);
    expect(v.needsPageTable(BASE + MIB2 - 1)).toBe(false);
    expect(v.needsPageTable(BASE + MIB2)).toBe(true);
  });
});
