import { describe, expect, it } from "vitest";
import {
  alignUp,
  DEFAULT_PAGES_PER_NODE,
  DEFAULT_VMALLOC_BYTES,
  Machine,
  MAX_PAGES_PER_NODE,
  MAX_VMALLOC_BYTES,
  PAGE_OFFSET,
  PAGE_SIZE,
  pfnToDirect,
  POISON,
  validateBootConfig,
  VMALLOC_START,
  type PageFrame,
} from "./index.ts";
import type { BootConfig } from "../allocator.ts";
import { unwrap, type Result } from "../result.ts";

const P = PAGE_SIZE;

/** 2 CPUs on 2 nodes, 16 pages per node (8 low + 8 high), a 16-page vmalloc area. */
function config(overrides: Partial<BootConfig> = {}): BootConfig {
  return {
    nrCpus: 2,
    nrNodes: 2,
    cpuToNode: [0, 1],
    possible: [0, 1],
    present: [0, 1],
    online: [0, 1],
    pageSize: P,
    pagesPerNode: 16,
    vmallocBytes: 16 * P,
    ...overrides,
  };
}

function expectErr(r: Result<unknown>, error: string, ...fragments: string[]): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error).toBe(error);
  for (const f of fragments) expect(r.message).toContain(f);
}

function lowPage(m: Machine, node = 0, zero = false): PageFrame {
  return unwrap(m.pages.alloc({ node, owner: "t", zero }));
}

describe("layout helpers", () => {
  it("pfnToDirect maps a pfn into the direct map", () => {
    expect(pfnToDirect(0)).toBe(PAGE_OFFSET);
    expect(pfnToDirect(3)).toBe(PAGE_OFFSET + 3 * P);
  });

  it("alignUp rounds up to a multiple", () => {
    expect(alignUp(0, 8)).toBe(0);
    expect(alignUp(1, 8)).toBe(8);
    expect(alignUp(8, 8)).toBe(8);
    expect(alignUp(9, 8)).toBe(16);
    expect(alignUp(7, 3)).toBe(9);
  });
});

describe("validateBootConfig", () => {
  it("accepts a good configuration, with and without the optional sizes", () => {
    expect(validateBootConfig(config()).ok).toBe(true);
    expect(
      validateBootConfig(config({ pagesPerNode: undefined, vmallocBytes: undefined })).ok,
    ).toBe(true);
  });

  it("refuses something that is not an object", () => {
    expectErr(validateBootConfig(null as unknown as BootConfig), "EINVAL", "configuration object");
  });

  it("passes topology errors through", () => {
    expectErr(validateBootConfig(config({ online: [] })), "EINVAL", "online must not be empty");
  });

  it.each([0, 8192, 4095, Number.NaN])("refuses page_size %s", (pageSize) => {
    expectErr(validateBootConfig(config({ pageSize })), "EINVAL", "page_size", "4096");
  });

  it.each([1, 0, -2, 2.5, MAX_PAGES_PER_NODE + 1])("refuses pages_per_node %s", (n) => {
    expectErr(
      validateBootConfig(config({ pagesPerNode: n })),
      "EINVAL",
      "pages_per_node",
      `2..${MAX_PAGES_PER_NODE}`,
    );
  });

  it("accepts pages_per_node at its bounds", () => {
    expect(validateBootConfig(config({ pagesPerNode: 2 })).ok).toBe(true);
    expect(validateBootConfig(config({ pagesPerNode: MAX_PAGES_PER_NODE })).ok).toBe(true);
  });

  it.each([P, 0, 3 * P + 1, MAX_VMALLOC_BYTES + P, -2 * P])("refuses vmalloc_bytes %s", (vm) => {
    expectErr(
      validateBootConfig(config({ vmallocBytes: vm })),
      "EINVAL",
      "vmalloc_bytes",
      `multiple of ${P}`,
    );
  });

  it("accepts vmalloc_bytes at its bounds", () => {
    expect(validateBootConfig(config({ vmallocBytes: 2 * P })).ok).toBe(true);
    expect(validateBootConfig(config({ vmallocBytes: MAX_VMALLOC_BYTES })).ok).toBe(true);
  });
});

describe("Machine construction", () => {
  it("defaults: 128 MiB of vmalloc, 65536 pages per node split evenly", () => {
    const m = new Machine(config({ pagesPerNode: undefined, vmallocBytes: undefined }));
    expect(DEFAULT_VMALLOC_BYTES).toBe(128 * 1024 * 1024);
    expect(m.vmalloc.limit).toBe(128 * 1024 * 1024);
    expect(m.pages.lowPages + m.pages.highPages).toBe(DEFAULT_PAGES_PER_NODE);
    expect(m.pages.lowPages).toBe(32768);
    expect(m.pages.nrNodes).toBe(2);
  });

  it("an odd pages_per_node gives the extra page to low memory", () => {
    const m = new Machine(config({ pagesPerNode: 5 }));
    expect([m.pages.lowPages, m.pages.highPages]).toEqual([3, 2]);
  });

  it("currentNode is the node of the first online CPU", () => {
    expect(new Machine(config()).currentNode).toBe(0);
    expect(new Machine(config({ online: [1] })).currentNode).toBe(1);
  });
});

describe("translation and faults", () => {
  /*
   * A 2-page vmalloc area backed by two pages that are not neighbours in physical memory:
   *
   *   virtual   [ va+0 .......... | va+P .......... ][guard]
   *                  |                  |
   *   pfn       [ 5 ]   ...          [ 2 ]
   *
   * A 16-byte access at va+P-8 takes the last 8 bytes of pfn 5 and the first 8 of pfn 2.
   * Expect the write to land in both pages and the read to give it back whole.
   */
  it("reads and writes across a page boundary in vmalloc space with scattered pfns", () => {
    const m = new Machine(config());
    const frames = Array.from({ length: 6 }, () => lowPage(m));
    const [, , second, , , first] = frames as [
      PageFrame,
      PageFrame,
      PageFrame,
      PageFrame,
      PageFrame,
      PageFrame,
    ];
    const area = unwrap(m.vmalloc.reserve(2 * P, "t"));
    m.vmalloc.map(area.addr, first.pfn);
    m.vmalloc.map(area.addr + P, second.pfn);

    const data = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    unwrap(m.write(area.addr + P - 8, data));
    expect([...unwrap(m.read(area.addr + P - 8, 16))]).toEqual([...data]);
    // The bytes sit in the two frames, seen through the direct map.
    expect([...unwrap(m.read(pfnToDirect(first.pfn) + P - 8, 8))]).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect([...unwrap(m.read(pfnToDirect(second.pfn), 8))]).toEqual([
      9, 10, 11, 12, 13, 14, 15, 16,
    ]);
    // Neighbours in the frames are untouched.
    expect(unwrap(m.read(pfnToDirect(first.pfn) + P - 9, 1))[0]).toBe(POISON);
    expect(unwrap(m.read(pfnToDirect(second.pfn) + 8, 1))[0]).toBe(POISON);
    // A frame between the two is untouched.
    expect(unwrap(m.read(pfnToDirect(first.pfn - 1), P)).every((b) => b === POISON)).toBe(true);
  });

  it("reads a range spanning three pages", () => {
    const m = new Machine(config());
    const pfns = [lowPage(m, 0, true), lowPage(m), lowPage(m, 0, true)].map((f) => f.pfn);
    const area = unwrap(m.vmalloc.reserve(3 * P, "t"));
    pfns.reverse().forEach((pfn, i) => m.vmalloc.map(area.addr + i * P, pfn));
    const bytes = unwrap(m.read(area.addr + 10, 2 * P));
    expect(bytes.subarray(0, P - 10).every((b) => b === 0)).toBe(true);
    expect(bytes.subarray(P - 10, 2 * P - 10).every((b) => b === POISON)).toBe(true);
    expect(bytes.subarray(2 * P - 10).every((b) => b === 0)).toBe(true);
  });

  it("EFAULT at address 0 (NULL)", () => {
    const m = new Machine(config());
    expectErr(m.read(0, 1), "EFAULT", "read", "0x0");
    expectErr(m.write(0, Uint8Array.of(1)), "EFAULT", "write");
    expectErr(m.fill(0, 1, 0), "EFAULT", "memset");
    expectErr(m.nodeOf(0), "EFAULT");
    expect(m.translate(0)).toBeUndefined();
  });

  it("EFAULT for addresses that are not numbers the machine can hold", () => {
    const m = new Machine(config());
    const f = lowPage(m);
    for (const bad of [Number.NaN, Infinity, -Infinity, -1, pfnToDirect(f.pfn) + 0.5]) {
      expectErr(m.read(bad, 8), "EFAULT");
      expectErr(m.write(bad, new Uint8Array(8)), "EFAULT");
      expectErr(m.fill(bad, 8, 0), "EFAULT");
      expectErr(m.loadWord(bad), "EFAULT");
    }
  });

  /*
   * A 1-page area and its guard:
   *
   *   | area (mapped) | guard |
   *               ^-- 8-byte write at the last 4 bytes runs into the guard
   *
   * Expect EFAULT for the guard, and the mapped part of a faulting write unchanged.
   */
  it("EFAULT on the guard page; a faulting write changes no byte", () => {
    const m = new Machine(config());
    const f = lowPage(m, 0, true);
    const area = unwrap(m.vmalloc.reserve(P, "t"));
    m.vmalloc.map(area.addr, f.pfn);
    expectErr(m.read(area.addr + P, 1), "EFAULT", (area.addr + P).toString(16));
    expectErr(m.write(area.addr + P - 4, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), "EFAULT");
    expectErr(m.fill(area.addr + P - 4, 8, 0xff), "EFAULT");
    expectErr(m.storeWord(area.addr + P - 4, 0x0102030405), "EFAULT");
    expect([...unwrap(m.read(area.addr + P - 4, 4))]).toEqual([0, 0, 0, 0]);
    expect(unwrap(m.read(area.addr, P)).every((b) => b === 0)).toBe(true);
  });

  it("EFAULT for vmalloc space that is reserved but not mapped, or not reserved", () => {
    const m = new Machine(config());
    const area = unwrap(m.vmalloc.reserve(2 * P, "t"));
    m.vmalloc.map(area.addr + P, lowPage(m).pfn);
    expectErr(m.read(area.addr, 1), "EFAULT");
    expectErr(m.read(VMALLOC_START + 8 * P, 1), "EFAULT");
    expect(m.read(area.addr + P, 1).ok).toBe(true);
  });

  it("EFAULT after a vmalloc page is unmapped", () => {
    const m = new Machine(config());
    const area = unwrap(m.vmalloc.reserve(P, "t"));
    m.vmalloc.map(area.addr, lowPage(m).pfn);
    expect(m.read(area.addr, 8).ok).toBe(true);
    m.vmalloc.unmap(area.addr);
    expectErr(m.read(area.addr, 8), "EFAULT");
  });

  it("EFAULT for a high-memory page through the direct map, fine through vmalloc", () => {
    const m = new Machine(config());
    const high = unwrap(m.pages.alloc({ node: 0, owner: "t", highmem: true, zero: true }));
    expect(high.zone).toBe("high");
    expectErr(m.read(pfnToDirect(high.pfn), 1), "EFAULT");
    expectErr(m.nodeOf(pfnToDirect(high.pfn)), "EFAULT");
    const area = unwrap(m.vmalloc.reserve(P, "t"));
    m.vmalloc.map(area.addr, high.pfn);
    expect([...unwrap(m.read(area.addr, 2))]).toEqual([0, 0]);
  });

  it("EFAULT for a freed low-memory page through the direct map, and for a never-used one", () => {
    const m = new Machine(config());
    const f = lowPage(m);
    const addr = pfnToDirect(f.pfn);
    expect(m.read(addr, 8).ok).toBe(true);
    m.pages.free(f.pfn);
    expectErr(m.read(addr, 8), "EFAULT");
    expectErr(m.write(addr, Uint8Array.of(1)), "EFAULT");
    expectErr(m.read(pfnToDirect(f.pfn + 3), 1), "EFAULT");
  });

  it("a direct-map access running off an allocated page into a free one faults whole", () => {
    const m = new Machine(config());
    const f = lowPage(m, 0, true);
    const addr = pfnToDirect(f.pfn);
    expectErr(m.write(addr + P - 2, Uint8Array.of(7, 7, 7, 7)), "EFAULT");
    expect([...unwrap(m.read(addr + P - 2, 2))]).toEqual([0, 0]);
  });

  it("an access of length 0 succeeds with nothing", () => {
    const m = new Machine(config());
    const f = lowPage(m);
    expect(unwrap(m.read(pfnToDirect(f.pfn), 0)).length).toBe(0);
  });
});

describe("nodeOf", () => {
  it("names the node of the page behind a direct-map or vmalloc address", () => {
    const m = new Machine(config());
    const n0 = lowPage(m, 0);
    const n1 = lowPage(m, 1);
    expect(unwrap(m.nodeOf(pfnToDirect(n0.pfn) + 100))).toBe(0);
    expect(unwrap(m.nodeOf(pfnToDirect(n1.pfn)))).toBe(1);
    const high1 = unwrap(m.pages.alloc({ node: 1, owner: "t", highmem: true }));
    const area = unwrap(m.vmalloc.reserve(2 * P, "t"));
    m.vmalloc.map(area.addr, n1.pfn);
    m.vmalloc.map(area.addr + P, high1.pfn);
    expect(unwrap(m.nodeOf(area.addr + 5))).toBe(1);
    expect(unwrap(m.nodeOf(area.addr + P))).toBe(1);
    expectErr(m.nodeOf(area.addr + 2 * P), "EFAULT");
  });
});

describe("storeWord / loadWord", () => {
  it.each([0, 1, 0xff, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, 2 ** 48 - 1, 2 ** 48])(
    "round-trips %s",
    (value) => {
      const m = new Machine(config());
      const addr = pfnToDirect(lowPage(m).pfn) + 16;
      unwrap(m.storeWord(addr, value));
      expect(unwrap(m.loadWord(addr))).toBe(value);
    },
  );

  it("stores 8 bytes little endian", () => {
    const m = new Machine(config());
    const addr = pfnToDirect(lowPage(m, 0, true).pfn);
    unwrap(m.storeWord(addr, 0x0102_0304_0506));
    expect([...unwrap(m.read(addr, 10))]).toEqual([6, 5, 4, 3, 2, 1, 0, 0, 0, 0]);
  });

  it("round-trips a word that straddles two vmalloc pages", () => {
    const m = new Machine(config());
    const area = unwrap(m.vmalloc.reserve(2 * P, "t"));
    m.vmalloc.map(area.addr, lowPage(m).pfn);
    m.vmalloc.map(area.addr + P, lowPage(m, 1).pfn);
    unwrap(m.storeWord(area.addr + P - 3, 2 ** 47 + 99));
    expect(unwrap(m.loadWord(area.addr + P - 3))).toBe(2 ** 47 + 99);
  });

  it("loadWord counts one load per call, storeWord and read count none", () => {
    const m = new Machine(config());
    const addr = pfnToDirect(lowPage(m).pfn);
    expect(m.loads).toBe(0);
    unwrap(m.storeWord(addr, 7));
    unwrap(m.read(addr, 8));
    expect(m.loads).toBe(0);
    unwrap(m.loadWord(addr));
    unwrap(m.loadWord(addr));
    expect(m.loads).toBe(2);
  });

  it("loadWord of a never-written page reads the POISON word", () => {
    const m = new Machine(config());
    const addr = pfnToDirect(lowPage(m).pfn);
    const poisonWord = 0xa5a5a5a5 + 0xa5a5a5a5 * 2 ** 32;
    expect(unwrap(m.loadWord(addr))).toBe(poisonWord);
  });
});

describe("wiring", () => {
  it("kmalloc, the page allocator and memory are one machine", () => {
    const m = new Machine(config());
    const obj = unwrap(m.kmalloc.alloc(64, 1));
    expect(unwrap(m.nodeOf(obj))).toBe(1);
    expect(unwrap(m.read(obj, 4)).every((b) => b === POISON)).toBe(true);
    unwrap(m.storeWord(obj, 1234));
    expect(unwrap(m.loadWord(obj))).toBe(1234);
    expect(m.pages.heldBy("slab")[1]).toEqual({ low: 1, high: 0 });
  });
});
