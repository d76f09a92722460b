/**
 * The sizes and slot arithmetic of the 2009 allocator (mm/percpu.c of 2.6.30 and
 * include/linux/percpu.h), fixed for the model:
 *
 *   unit (32 KiB = PCPU_MIN_UNIT_SIZE, 8 pages)
 *   | static 8 KiB | reserved 8 KiB (PERCPU_MODULE_RESERVE) | dynamic 16 KiB |   the first chunk
 *   |                       free 32 KiB                                      |   any other chunk
 *
 *   slot of a free size s: __pcpu_size_to_slot(s) = max(fls(s) - 5 + 2, 1)
 *     s  1-31 -> 1 | 32-63 -> 2 | ... | 16384-32767 -> 12 | the whole unit -> 14 (the last)
 *
 * Why these sizes: a static area of 8 KiB stands for a small kernel image's .data.percpu; the
 * reserved area is the 2.6.30 PERCPU_MODULE_RESERVE; pcpu_setup_first_chunk takes the rest of
 * the unit as the dynamic area (dyn_size -1), and unit_size is at least PCPU_MIN_UNIT_SIZE. So
 * the first chunk fills after 16 KiB and the largest request needs an empty chunk of its own.
 */
import { PAGE_SIZE } from "../../machine/index.ts";

/** PCPU_MIN_UNIT_SIZE: the smallest unit, and the largest allocation. */
export const PCPU_MIN_UNIT_SIZE = 32 * 1024;
/** The modelled kernel image's static percpu area. */
export const STATIC_SIZE = 8 * 1024;
/** PERCPU_MODULE_RESERVE: the reserved area for modules' static percpu. */
export const RESERVED_SIZE = 8 * 1024;
/** unit_size: static + reserved + dynamic rounded to pages, at least PCPU_MIN_UNIT_SIZE. */
export const UNIT_SIZE = PCPU_MIN_UNIT_SIZE;
/** The first chunk's dynamic area: the rest of the unit. */
export const DYNAMIC_SIZE = UNIT_SIZE - STATIC_SIZE - RESERVED_SIZE;
export const UNIT_PAGES = UNIT_SIZE / PAGE_SIZE;
/** PCPU_SLOT_BASE_SHIFT: sizes 1-31 share slot 1. */
export const PCPU_SLOT_BASE_SHIFT = 5;
/** PCPU_DFL_MAP_ALLOC: a new map has 16 entries. */
export const PCPU_DFL_MAP_ALLOC = 16;
/** The first chunk's static map (`static int dmap[2]`). */
export const FIRST_CHUNK_MAP_ALLOC = 2;
/**
 * sizeof(struct pcpu_chunk) of 2.6.30 on a 64-bit build: list 16, rb_node 24, free_size and
 * contig_hint 8, vm 8, map_used and map_alloc 8, map 8, immutable 8 (padded), page 8.
 */
export const CHUNK_STRUCT_BASE = 88;
/** The static area's pages: what the x86 4k first chunk maps at boot (PFN_UP(static_size)). */
export const STATIC_PAGES = Math.ceil(STATIC_SIZE / PAGE_SIZE);

/**
 * pcpu_chunk_struct_size: the struct and its page_ar[] of num_possible_cpus() x unit_pages
 * page pointers, so the kzalloc'd chunk struct grows with the possible CPUs (88 + 64 bytes a
 * CPU here: 152 bytes at one CPU, 4184 at 64).
 */
export function chunkStructSize(nrPossible: number): number {
  return CHUNK_STRUCT_BASE + nrPossible * UNIT_PAGES * 8;
}
/** The owner tag of unit pages. */
export const UNIT_PAGE_OWNER = "percpu-data";

/** fls(): the 1-based index of the highest set bit, 0 for 0. */
export function fls(x: number): number {
  return x <= 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

/** __pcpu_size_to_slot(size) = max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1). */
export function sizeToSlotRaw(size: number): number {
  return Math.max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/** pcpu_nr_slots = __pcpu_size_to_slot(unit_size) + 2. */
export const NR_SLOTS = sizeToSlotRaw(UNIT_SIZE) + 2;
