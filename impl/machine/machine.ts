/**
 * The simulated machine an in-process allocator runs on: topology, page allocator, vmalloc
 * area, memory contents, kmalloc and a counter of memory loads.
 *
 *   CpuSets ── cpu_to_node ──┐
 *                            v
 *   Kmalloc ──> PageAllocator (node × {low, high}) <── allocator's own pages
 *                            │ pfn
 *        direct map (low) ───┼─── vmalloc page table (VmallocArea)
 *                            v
 *                     PhysicalMemory (bytes)
 *
 * Addresses are translated page by page: through the direct map for low-memory frames that are
 * allocated, through the vmalloc page table for mapped pages; anything else is EFAULT.
 */
import type { BootConfig } from "../allocator.ts";
import { err, isIntIn, ok, type Result } from "../result.ts";
import { Kmalloc } from "./kmalloc.ts";
import { DEFAULT_VMALLOC_BYTES, PAGE_OFFSET, PAGE_SIZE } from "./layout.ts";
import { PageAllocator } from "./pageAllocator.ts";
import { PhysicalMemory } from "./physicalMemory.ts";
import { CpuSets, validateTopology } from "./topology.ts";
import { VmallocArea } from "./vmalloc.ts";

/** Default memory per node: 32768 low + 32768 high pages (128 MiB + 128 MiB). */
export const DEFAULT_PAGES_PER_NODE = 65536;
/** The largest memory per node the model accepts (4 GiB of 4 KiB pages). */
export const MAX_PAGES_PER_NODE = 1 << 20;
/** The largest vmalloc area the model accepts (the direct map and vmalloc must not meet). */
export const MAX_VMALLOC_BYTES = 2 ** 40;

export interface Translation {
  readonly pfn: number;
  readonly offset: number;
}

/** Checks a boot request; the message names the field and what was expected. */
export function validateBootConfig(config: BootConfig): Result<void> {
  if (config === null || typeof config !== "object") {
    return err("EINVAL", "boot: expected a configuration object");
  }
  const topo = validateTopology(config);
  if (!topo.ok) return topo;
  if (config.pageSize !== PAGE_SIZE) {
    return err(
      "EINVAL",
      `boot: page_size is ${String(config.pageSize)}, the machine supports ${PAGE_SIZE}`,
    );
  }
  if (config.pagesPerNode !== undefined && !isIntIn(config.pagesPerNode, 2, MAX_PAGES_PER_NODE)) {
    return err(
      "EINVAL",
      `boot: pages_per_node is ${String(config.pagesPerNode)}, expected 2..${MAX_PAGES_PER_NODE}`,
    );
  }
  const vm = config.vmallocBytes;
  if (
    vm !== undefined &&
    (!isIntIn(vm, 2 * PAGE_SIZE, MAX_VMALLOC_BYTES) || vm % PAGE_SIZE !== 0)
  ) {
    return err(
      "EINVAL",
      `boot: vmalloc_bytes is ${String(vm)}, expected a multiple of ${PAGE_SIZE} in ${2 * PAGE_SIZE}..${MAX_VMALLOC_BYTES}`,
    );
  }
  return ok();
}

export class Machine {
  readonly cpus: CpuSets;
  readonly pages: PageAllocator;
  readonly vmalloc: VmallocArea;
  readonly memory = new PhysicalMemory();
  readonly kmalloc: Kmalloc;
  /** Memory loads performed by allocator code through `loadWord` (e.g. per_cpu_ptr). */
  loads = 0;

  /** Builds a machine; call `validateBootConfig` first (bad input here is a caller bug). */
  constructor(config: BootConfig) {
    const perNode = config.pagesPerNode ?? DEFAULT_PAGES_PER_NODE;
    this.cpus = new CpuSets(config);
    this.pages = new PageAllocator(config.nrNodes, Math.ceil(perNode / 2), Math.floor(perNode / 2));
    this.pages.contents = this.memory;
    this.vmalloc = new VmallocArea(config.vmallocBytes ?? DEFAULT_VMALLOC_BYTES);
    this.kmalloc = new Kmalloc(this.pages);
  }

  /** The node allocator code runs on: that of the first online CPU (numa_node_id()). */
  get currentNode(): number {
    return this.cpus.cpuToNode(this.cpus.bootCpu);
  }

  /** The frame and offset behind a virtual address, or undefined if nothing is mapped there. */
  translate(addr: number): Translation | undefined {
    if (!Number.isSafeInteger(addr) || addr < 0) return undefined;
    const offset = addr % PAGE_SIZE;
    if (this.vmalloc.contains(addr)) {
      const pfn = this.vmalloc.lookup(addr);
      return pfn === undefined ? undefined : { pfn, offset };
    }
    if (addr >= PAGE_OFFSET) {
      const pfn = Math.floor((addr - PAGE_OFFSET) / PAGE_SIZE);
      const frame = this.pages.frameOf(pfn);
      return frame !== undefined && frame.zone === "low" ? { pfn, offset } : undefined;
    }
    return undefined;
  }

  /** Calls `visit` for each page-sized piece of [addr, addr+len); EFAULT before any visit. */
  private pieces(
    addr: number,
    len: number,
    what: string,
    visit: (pfn: number, offset: number, n: number, done: number) => void,
  ): Result<void> {
    // A non-finite address would end the loop below at once and "succeed" without a visit.
    if (len > 0 && !Number.isSafeInteger(addr)) {
      return err("EFAULT", `${what}: ${String(addr)} is not mapped`);
    }
    // One page, the checks' page reads and most accesses: no list of translations.
    if (len > 0 && (addr % PAGE_SIZE) + len <= PAGE_SIZE) {
      const t = this.translate(addr);
      if (t === undefined) return err("EFAULT", `${what}: 0x${addr.toString(16)} is not mapped`);
      visit(t.pfn, t.offset, len, 0);
      return ok();
    }
    const found: Translation[] = [];
    for (let a = addr; a < addr + len; a = a - (a % PAGE_SIZE) + PAGE_SIZE) {
      const t = this.translate(a);
      if (t === undefined) return err("EFAULT", `${what}: 0x${a.toString(16)} is not mapped`);
      found.push(t);
    }
    let done = 0;
    for (const t of found) {
      const n = Math.min(PAGE_SIZE - t.offset, len - done);
      visit(t.pfn, t.offset, n, done);
      done += n;
    }
    return ok();
  }

  read(addr: number, len: number): Result<Uint8Array> {
    const out = new Uint8Array(len);
    const r = this.readInto(addr, out);
    return r.ok ? { ok: true, value: out } : r;
  }

  /** `read(addr, out.length)` into `out` (untouched when the answer is an error). */
  readInto(addr: number, out: Uint8Array): Result<void> {
    return this.pieces(addr, out.length, "read", (pfn, offset, n, done) =>
      this.memory.read(pfn, offset, n, out, done),
    );
  }

  write(addr: number, bytes: Uint8Array): Result<void> {
    return this.pieces(addr, bytes.length, "write", (pfn, offset, n, done) =>
      this.memory.write(pfn, offset, bytes, done, n),
    );
  }

  /** memset(addr, value, len) by allocator code. */
  fill(addr: number, len: number, value: number): Result<void> {
    return this.pieces(addr, len, "memset", (pfn, offset, n) =>
      this.memory.fill(pfn, offset, n, value),
    );
  }

  /** The node of the page behind `addr`. */
  nodeOf(addr: number): Result<number> {
    const t = this.translate(addr);
    if (t === undefined) return err("EFAULT", `node: 0x${addr.toString(16)} is not mapped`);
    return { ok: true, value: this.pages.frameOf(t.pfn)?.node ?? -1 };
  }

  /** Stores a pointer-sized word (8 bytes, little endian) at `addr`. */
  storeWord(addr: number, value: number): Result<void> {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, value % 2 ** 32, true);
    view.setUint32(4, Math.floor(value / 2 ** 32), true);
    return this.write(addr, bytes);
  }

  /** Loads a pointer-sized word from `addr`, counting one memory load. */
  loadWord(addr: number): Result<number> {
    this.loads++;
    const r = this.read(addr, 8);
    if (!r.ok) return r;
    const view = new DataView(r.value.buffer);
    return { ok: true, value: view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32 };
  }
}
