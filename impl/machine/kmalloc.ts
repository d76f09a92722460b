/**
 * kmalloc / kmalloc_node: size-class caches on the page allocator, node-aware.
 *
 *   cache (node, 64)       slab = 1 page, 64 objects
 *   +----+----+----+----+-- ... --+----+
 *   | o0 | o1 | o2 | o3 |         |o63 |     object i at slab + i * 64
 *   +----+----+----+----+-- ... --+----+
 *
 * Size classes are the powers of two from 32 to 131072 bytes, the 2.6.10 general caches of
 * include/linux/kmalloc_sizes.h for L1_CACHE_BYTES 128 (where the 96- and 192-byte caches are
 * left out). Objects of a class are aligned to the class size. A slab of a class up to PAGE_SIZE
 * is one page; a larger class takes a naturally aligned run of pages holding one object. Slabs
 * come from low memory of the requested node (kmalloc never returns high memory), are not
 * zeroed (kmalloc does not clear), and an empty slab goes back to the page allocator at once
 * (the model does no cache_reap delay). Slab descriptors are kept off-slab.
 */
import { MachineError } from "./machineError.ts";
import { PAGE_OFFSET, PAGE_SIZE, pfnToDirect } from "./layout.ts";
import type { PageAllocator } from "./pageAllocator.ts";
import { err, type Result } from "../result.ts";

export const KMALLOC_MIN_SIZE = 32;
/** The largest general cache of 2.6.10 (KMALLOC_MAX_SIZE). */
export const KMALLOC_MAX_SIZE = 131072;
/** The owner tag of slab pages in the page allocator's accounting. */
export const SLAB_OWNER = "slab";

/** The general cache size that serves `size` bytes (undefined above KMALLOC_MAX_SIZE). */
export function kmallocClass(size: number): number | undefined {
  if (size > KMALLOC_MAX_SIZE) return undefined;
  let cls = KMALLOC_MIN_SIZE;
  while (cls < size) cls *= 2;
  return cls;
}

/**
 * The most pages one kmalloc object of `size` bytes can hold: its slab, when it is the slab's
 * only object (one page up to PAGE_SIZE, the class's own run of pages above).
 */
export function kmallocPagesAtMost(size: number): number {
  const cls = kmallocClass(Math.max(1, size));
  if (cls === undefined) throw new RangeError(`kmalloc: ${size} bytes is above KMALLOC_MAX_SIZE`);
  return Math.max(1, cls / PAGE_SIZE);
}

interface Slab {
  readonly pfn: number;
  readonly addr: number;
  readonly cls: number;
  readonly node: number;
  readonly objects: number;
  /** Free object indices, lowest on top. */
  readonly free: number[];
  readonly used: Uint8Array;
  inuse: number;
}

export class Kmalloc {
  private readonly pages: PageAllocator;
  /** Slabs with a free object, per node and class. */
  private readonly partial = new Map<string, Slab[]>();
  /** Every pfn of every slab. */
  private readonly slabByPfn = new Map<number, Slab>();
  /** Bytes handed out (class sizes). */
  bytesInUse = 0;

  constructor(pages: PageAllocator) {
    this.pages = pages;
  }

  /** kmalloc_node(size, GFP_KERNEL, node): the address of an uninitialised object. */
  alloc(size: number, node: number): Result<number> {
    const cls = kmallocClass(Math.max(1, size));
    if (cls === undefined) {
      return err(
        "EINVAL",
        `kmalloc: ${size} bytes is above KMALLOC_MAX_SIZE (${KMALLOC_MAX_SIZE})`,
      );
    }
    const key = `${node}:${cls}`;
    let list = this.partial.get(key);
    if (list === undefined) this.partial.set(key, (list = []));
    let slab = list[list.length - 1];
    if (slab === undefined) {
      const order = cls > PAGE_SIZE ? Math.log2(cls / PAGE_SIZE) : 0;
      const frame = this.pages.alloc({ node, order, owner: SLAB_OWNER });
      if (!frame.ok) return frame;
      const objects = Math.max(1, PAGE_SIZE / cls);
      slab = {
        pfn: frame.value.pfn,
        addr: pfnToDirect(frame.value.pfn),
        cls,
        node,
        objects,
        free: Array.from({ length: objects }, (_, i) => objects - 1 - i),
        used: new Uint8Array(objects),
        inuse: 0,
      };
      for (let i = 0; i < 1 << order; i++) this.slabByPfn.set(slab.pfn + i, slab);
      list.push(slab);
    }
    const index = slab.free.pop() as number;
    slab.used[index] = 1;
    slab.inuse++;
    if (slab.free.length === 0) list.pop();
    this.bytesInUse += cls;
    return { ok: true, value: slab.addr + index * cls };
  }

  private slabOf(addr: number): { slab: Slab; index: number } | undefined {
    const slab = this.slabByPfn.get(Math.floor((addr - PAGE_OFFSET) / PAGE_SIZE));
    if (slab === undefined) return undefined;
    const delta = addr - slab.addr;
    if (delta % slab.cls !== 0) return undefined;
    const index = delta / slab.cls;
    return slab.used[index] === 1 ? { slab, index } : undefined;
  }

  /** ksize(): the usable size of a live object, or undefined if `addr` is not one. */
  size(addr: number): number | undefined {
    return this.slabOf(addr)?.slab.cls;
  }

  /** kfree(): frees a live object; a bad address is the caller's bug. */
  free(addr: number): void {
    const found = this.slabOf(addr);
    if (found === undefined)
      throw new MachineError(`kfree: 0x${addr.toString(16)} is not a live object`);
    const { slab, index } = found;
    const list = this.partial.get(`${slab.node}:${slab.cls}`) as Slab[];
    if (slab.free.length === 0) list.push(slab);
    slab.used[index] = 0;
    slab.free.push(index);
    slab.inuse--;
    this.bytesInUse -= slab.cls;
    if (slab.inuse === 0) {
      list.splice(list.indexOf(slab), 1);
      const order = slab.cls > PAGE_SIZE ? Math.log2(slab.cls / PAGE_SIZE) : 0;
      for (let i = 0; i < 1 << order; i++) this.slabByPfn.delete(slab.pfn + i);
      this.pages.free(slab.pfn);
    }
  }
}
