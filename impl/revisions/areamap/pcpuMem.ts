/**
 * pcpu_mem_alloc / pcpu_mem_free of mm/percpu.c (2.6.30): the allocator's own bookkeeping
 * memory (chunk structs, area maps) comes from kzalloc up to PAGE_SIZE and from vmalloc above.
 *
 *   size <= PAGE_SIZE   kzalloc(size)            a slab object on the current node
 *   size >  PAGE_SIZE   vmalloc(size) + memset   an area of whole pages, mapped one by one
 *
 * A vmalloc that fails half way frees the pages it took and the area (vmalloc's own unwind).
 */
import { alignUp, PAGE_SIZE, type Machine } from "../../machine/index.ts";
import type { Result } from "../../result.ts";
import type { MapMemory } from "./pcpuChunk.ts";

/** The owner tag of the vmalloc'd maps' pages. */
export const MAP_PAGE_OWNER = "percpu-map";

/** pcpu_mem_alloc(size): memory for `size` bytes of bookkeeping, or ENOMEM. */
export function pcpuMemAlloc(m: Machine, size: number): Result<MapMemory> {
  if (size <= PAGE_SIZE) {
    const addr = m.kmalloc.alloc(size, m.currentNode);
    return addr.ok ? { ok: true, value: { kind: "kmalloc", addr: addr.value } } : addr;
  }
  const bytes = alignUp(size, PAGE_SIZE);
  const area = m.vmalloc.reserve(bytes, "vmalloc");
  if (!area.ok) return area;
  for (let va = area.value.addr; va < area.value.addr + bytes; va += PAGE_SIZE) {
    const page = m.pages.alloc({ node: m.currentNode, highmem: true, owner: MAP_PAGE_OWNER });
    if (!page.ok) {
      unmapAndFree(m, area.value.addr, va);
      m.vmalloc.release(area.value.addr);
      return page;
    }
    m.vmalloc.map(va, page.value.pfn);
  }
  return { ok: true, value: { kind: "vmalloc", addr: area.value.addr } };
}

/** pcpu_mem_free: kfree or vfree; the first chunk's static map is not freed. */
export function pcpuMemFree(m: Machine, mem: MapMemory, size: number): void {
  if (mem.kind === "kmalloc") m.kmalloc.free(mem.addr);
  else if (mem.kind === "vmalloc") {
    unmapAndFree(m, mem.addr, mem.addr + alignUp(size, PAGE_SIZE));
    m.vmalloc.release(mem.addr);
  }
}

function unmapAndFree(m: Machine, from: number, to: number): void {
  for (let va = from; va < to; va += PAGE_SIZE) m.pages.free(m.vmalloc.unmap(va));
}
