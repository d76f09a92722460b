/**
 * A harness's retained pool as its `hello` declares it: the constants of the rule (how many
 * spare chunks, the largest unit, the metadata pages a chunk counts), never a figure of its
 * state. The bound is worked out here from those constants and the topology of each `boot`,
 * by the same arithmetic as the in-process chunk designs' pools (spareChunksBound), so a
 * harness that leaks cannot declare the leak part of its pool.
 */
import type { BootConfig } from "../allocator.ts";
import { spareChunksBound, type RetainedPool } from "../revisions/retainedPool.ts";

/** `hello`'s `pool`, as docs/protocol.md defines it. */
export interface DeclaredPool {
  /** Fully free chunks the allocator keeps at most (`chunks`). */
  readonly chunks: number;
  /** The largest unit (one CPU's share of a chunk) its chunks may have, in bytes (`unit_bytes`). */
  readonly unitBytes: number;
  /** Pages of one chunk's metadata counted in `pages_by_node` (`meta_pages`; 0 if left out). */
  readonly metaPages: number;
}

export function declaredPool(declared: DeclaredPool): RetainedPool {
  return {
    what: `declared by the harness's hello: at most ${declared.chunks} fully free chunk(s) of units up to ${declared.unitBytes} bytes, populated for every possible CPU, with their vm areas and ${declared.metaPages} metadata page(s) each`,
    bound: (config: BootConfig) =>
      spareChunksBound({
        chunks: declared.chunks,
        units: config.possible.length,
        unitBytes: declared.unitBytes,
        metaPages: declared.metaPages,
        pageSize: config.pageSize,
      }),
  };
}
