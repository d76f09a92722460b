/**
 * The simulated machine's virtual address layout (a 64-bit kernel, kept below 2^53 so that
 * every address is an exact JavaScript number):
 *
 *   0x0000_0000_0000 ... unmapped (NULL and user space: every access faults)
 *   0x1000_0000_0000 ... the direct map: PAGE_OFFSET + pfn * PAGE_SIZE, low memory only
 *   0x2000_0000_0000 ... the vmalloc area: VMALLOC_START, size limit `vmallocBytes`
 *   0xffff_ffff_ffff     top of the modelled 48-bit space (legacy's ~pdata cookies live here)
 */

/** PAGE_SIZE (PAGE_SHIFT 12). */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** The start of the direct map of low memory (the kernel's PAGE_OFFSET). */
export const PAGE_OFFSET = 0x1000_0000_0000;
/** The start of the vmalloc area. */
export const VMALLOC_START = 0x2000_0000_0000;
/** The default vmalloc size: 128 MiB, the 32-bit x86 figure of 2005. */
export const DEFAULT_VMALLOC_BYTES = 128 * 1024 * 1024;
/** The top of the modelled address space (48 bits). */
export const ADDRESS_MASK = 0xffff_ffff_ffff;
/** Size of a pointer (sizeof(void *)) on the modelled 64-bit machine. */
export const POINTER_SIZE = 8;

/** The direct-map address of a low-memory page frame. */
export function pfnToDirect(pfn: number): number {
  return PAGE_OFFSET + pfn * PAGE_SIZE;
}

/** Rounds `value` up to a multiple of `align` (a power of two or any positive integer). */
export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
