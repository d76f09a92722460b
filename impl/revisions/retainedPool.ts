/**
 * A design's retained pool: what it keeps on purpose once every object is freed and its
 * deferred work has run, and the most that can come to.
 *
 *   boot baseline ──► run ──► free everything, reclaim ──► baseline + pool   (pool ≤ bound)
 *
 * The chunk designs keep one fully free chunk (its vm area, its metadata and the pages it has
 * populated), and the 2009 area maps never shrink. This is deliberate caching, not a leak: it
 * does not grow with how many objects were ever allocated, nor with how many chunks were
 * ever made. no-leak and failure-atomicity allow exactly this much and no more; a design
 * without a pool (legacy-2.6.10, the 2005 blocks) must return to its baseline page for page.
 *
 * What the pool is may not say for itself: the bound is worked out from the design's
 * constants and the boot, never read from the allocator's state, so an allocator that leaks
 * cannot declare the leak part of its pool.
 */
import type { BootConfig } from "../allocator.ts";

/** The most a pool holds above the boot baseline. */
export interface PoolBound {
  /** Pages in all, over every node and zone. */
  readonly pages: number;
  /** Bytes of vmalloc space. */
  readonly vmBytes: number;
}

export interface RetainedPool {
  /** What the design keeps and where the rule comes from (a kernel function, a mail). */
  readonly what: string;
  /**
   * The bound for a machine booted with `config`, after a run whose most objects live at once
   * was `peakLive` (the area maps grow with it).
   */
  bound(config: BootConfig, peakLive: number): PoolBound;
}

/** The spare chunks a chunk design may keep, by the constants of its geometry. */
export interface SpareChunks {
  /** How many fully free chunks it keeps. */
  readonly chunks: number;
  /** Units per chunk: one per possible CPU. */
  readonly units: number;
  /** The largest unit a chunk may have, in bytes. */
  readonly unitBytes: number;
  /** Pages of one chunk's metadata counted among the pages (0 where they are not). */
  readonly metaPages: number;
  readonly pageSize: number;
}

/**
 * The most `chunks` spare chunks hold: each populated for every unit (its data pages), its
 * vm area of one unit per CPU, and its metadata pages.
 */
export function spareChunksBound(s: SpareChunks): PoolBound {
  const unitPages = Math.ceil(s.unitBytes / s.pageSize);
  return {
    pages: s.chunks * (s.units * unitPages + s.metaPages),
    vmBytes: s.chunks * s.units * s.unitBytes,
  };
}
