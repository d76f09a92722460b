import { describe, expect, it } from "vitest";
import { Machine, PAGE_SIZE, PageAllocator, PhysicalMemory, POISON, pfnToDirect } from "./index.ts";
import type { BootConfig } from "../allocator.ts";
import { unwrap } from "../result.ts";

const P = PAGE_SIZE;

/** A page allocator of one node (8 low pages) whose pages get contents from `mem`. */
function setup(): { pa: PageAllocator; mem: PhysicalMemory } {
  const pa = new PageAllocator(1, 8, 0);
  const mem = new PhysicalMemory();
  pa.contents = mem;
  return { pa, mem };
}

function readPage(mem: PhysicalMemory, pfn: number, offset = 0, len = P): Uint8Array {
  const out = new Uint8Array(len);
  mem.read(pfn, offset, len, out, 0);
  return out;
}

function allBytes(bytes: Uint8Array, value: number): boolean {
  return bytes.every((b) => b === value);
}

describe("PhysicalMemory", () => {
  it("POISON is 0xa5", () => {
    expect(POISON).toBe(0xa5);
  });

  it("a fresh page allocated without __GFP_ZERO reads POISON everywhere", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t" }));
    expect(allBytes(readPage(mem, f.pfn), POISON)).toBe(true);
  });

  it("a page allocated with __GFP_ZERO reads 0 everywhere", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t", zero: true }));
    expect(allBytes(readPage(mem, f.pfn), 0)).toBe(true);
  });

  it("zeroes or poisons every page of a run", () => {
    const { pa, mem } = setup();
    const z = unwrap(pa.alloc({ node: 0, owner: "t", order: 1, zero: true }));
    const p = unwrap(pa.alloc({ node: 0, owner: "t", order: 1 }));
    expect(allBytes(readPage(mem, z.pfn + 1), 0)).toBe(true);
    expect(allBytes(readPage(mem, p.pfn + 1), POISON)).toBe(true);
  });

  /*
   * One page: written, freed, handed out again without __GFP_ZERO:
   *
   *   | 11 22 33 a5 a5 ... |   before the free
   *   | 11 22 33 a5 a5 ... |   after the reallocation: nothing cleared it
   *
   * Expect the old bytes back (the model of a design that forgets to zero reused memory).
   */
  it("a page freed and reallocated without zero keeps its old contents", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t" }));
    mem.write(f.pfn, 0, Uint8Array.of(0x11, 0x22, 0x33), 0, 3);
    pa.free(f.pfn);
    const again = unwrap(pa.alloc({ node: 0, owner: "t" }));
    expect(again.pfn).toBe(f.pfn);
    expect([...readPage(mem, f.pfn, 0, 5)]).toEqual([0x11, 0x22, 0x33, POISON, POISON]);
  });

  it("a zeroed page freed and reallocated without zero still reads 0 (not POISON)", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t", zero: true }));
    pa.free(f.pfn);
    unwrap(pa.alloc({ node: 0, owner: "t" }));
    expect(allBytes(readPage(mem, f.pfn), 0)).toBe(true);
  });

  /*
   * | 11 22 33 a5 ... |  freed, reallocated with __GFP_ZERO  ->  | 00 00 00 00 ... |
   *
   * Expect every byte 0.
   */
  it("a page freed and reallocated with zero reads 0", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t" }));
    mem.write(f.pfn, 100, Uint8Array.of(1, 2, 3), 0, 3);
    pa.free(f.pfn);
    unwrap(pa.alloc({ node: 0, owner: "t", zero: true }));
    expect(allBytes(readPage(mem, f.pfn), 0)).toBe(true);
  });

  it("write copies the requested slice of the source to the requested offset", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t", zero: true }));
    mem.write(f.pfn, 10, Uint8Array.of(9, 8, 7, 6, 5), 1, 3);
    expect([...readPage(mem, f.pfn, 9, 5)]).toEqual([0, 8, 7, 6, 0]);
  });

  it("read places the bytes at the requested position of the output", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t", zero: true }));
    mem.write(f.pfn, 0, Uint8Array.of(4, 5), 0, 2);
    const out = new Uint8Array(6).fill(0xff);
    mem.read(f.pfn, 0, 2, out, 3);
    expect([...out]).toEqual([0xff, 0xff, 0xff, 4, 5, 0xff]);
    // An untouched (fill-only) page also honours `at` and `len`.
    const g = unwrap(pa.alloc({ node: 0, owner: "t" }));
    const out2 = new Uint8Array(4);
    mem.read(g.pfn, 0, 2, out2, 1);
    expect([...out2]).toEqual([0, POISON, POISON, 0]);
  });

  it("fill covers a part of a page or the whole page", () => {
    const { pa, mem } = setup();
    const f = unwrap(pa.alloc({ node: 0, owner: "t" }));
    mem.fill(f.pfn, 4, 2, 0x3c);
    expect([...readPage(mem, f.pfn, 3, 4)]).toEqual([POISON, 0x3c, 0x3c, POISON]);
    mem.fill(f.pfn, 0, P, 0x77);
    expect(allBytes(readPage(mem, f.pfn), 0x77)).toBe(true);
    const g = unwrap(pa.alloc({ node: 0, owner: "t" }));
    mem.fill(g.pfn, 0, P, 0x01);
    expect(allBytes(readPage(mem, g.pfn), 0x01)).toBe(true);
    // A whole-page fill survives a free and a non-zeroing reallocation.
    pa.free(g.pfn);
    unwrap(pa.alloc({ node: 0, owner: "t" }));
    expect(allBytes(readPage(mem, g.pfn), 0x01)).toBe(true);
  });
});

describe("contents through the machine", () => {
  const config: BootConfig = {
    nrCpus: 1,
    nrNodes: 1,
    cpuToNode: [0],
    possible: [0],
    present: [0],
    online: [0],
    pageSize: P,
    pagesPerNode: 16,
  };

  it("reads POISON from a fresh page, 0 from a zeroed one, through the direct map", () => {
    const m = new Machine(config);
    const f = unwrap(m.pages.alloc({ node: 0, owner: "t" }));
    const z = unwrap(m.pages.alloc({ node: 0, owner: "t", zero: true }));
    expect(allBytes(unwrap(m.read(pfnToDirect(f.pfn), P)), POISON)).toBe(true);
    expect(allBytes(unwrap(m.read(pfnToDirect(z.pfn), P)), 0)).toBe(true);
  });

  it("machine.fill (memset) over a whole zeroed page and part of the next", () => {
    const m = new Machine(config);
    const run = unwrap(m.pages.alloc({ node: 0, owner: "t", order: 1, zero: true }));
    const base = pfnToDirect(run.pfn);
    unwrap(m.fill(base, P + 2, 0xee));
    const bytes = unwrap(m.read(base, 2 * P));
    expect(allBytes(bytes.subarray(0, P + 2), 0xee)).toBe(true);
    expect(allBytes(bytes.subarray(P + 2), 0)).toBe(true);
  });
});
