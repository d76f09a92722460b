import { BitmapAllocator } from "../revisions/index.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc's fail path without pcpu_free_area: when populating fails, the area's alloc and
 * boundary bits stay set with no live object behind them, and free_bytes stays lowered.
 *
 *   alloc bits |1|1|1|1|0|0|...   ENOMEM returned, the 4 bits stay set
 */
class BitmapFailKeepsArea extends BitmapAllocator {
  protected override unwindArea(_chunk: PcpuChunk, _off: number): void {}
}

export const bitmapFailKeepsArea: MutantEntry = {
  id: "bitmap-fail-keeps-area",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc returns ENOMEM after a failed pcpu_populate_chunk without pcpu_free_area: the area's bits stay set",
  source:
    "mm/percpu.c pcpu_alloc: 'ret = pcpu_populate_chunk(...); if (ret) { ... pcpu_free_area(chunk, off); err = \"failed to populate\"; goto fail_unlock; }'",
  expected: ["bitmap-free-bytes"],
  create: () => new BitmapFailKeepsArea(),
};
