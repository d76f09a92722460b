/**
 * Scratch memory per operation: temporary memory an allocation or free needs besides what it
 * hands out, read from a design's white-box view where the design's code fixes it.
 *
 *   kiran-2005: valloc_percpu() and vfree_percpu() keep
 *       struct page *pages[BLOCK_MANAGEMENT_PAGES];      on the stack
 *   so an allocation that makes a block, or a free that releases one, uses
 *       management pages x sizeof(struct page *) = 9 x 4 = 36 bytes (January 2005, i386;
 *       72 on its 64-bit build)
 *   the same in the September series (64-bit), whose management area grows with NR_CPUS
 *       (15 pages at NR_CPUS 8, 19 at 512: 120 and 152 bytes).
 *
 * The review question: "How much stackspace is this guy using on 512-way?" (Andrew Morton,
 * <20050113005730.0e10b2d9.akpm@osdl.org>); Kiran's answer: "36 bytes. BLOCK_MANAGEMENT_PAGES is
 * not dependent on NR_CPUS" (9 pointers of 4 bytes on i386: the detail's `wordSize`).
 * Designs without such a model report null ("not modelled"), as do external harnesses.
 */
import type { PercpuAllocator } from "../../impl/index.ts";
import { POINTER_SIZE } from "../../impl/machine/index.ts";
import { readWork } from "./workCounters.ts";

interface KiranLikeDetail {
  readonly design: "kiran-2005";
  readonly list: readonly { readonly mgmtPages: number }[];
  /** sizeof(void *) of the build the revision models; absent: the machine's. */
  readonly wordSize?: number;
}

function isKiranDetail(detail: unknown): detail is KiranLikeDetail {
  if (typeof detail !== "object" || detail === null) return false;
  const d = detail as { design?: unknown; list?: unknown };
  return d.design === "kiran-2005" && Array.isArray(d.list);
}

/** The largest scratch memory one operation of this allocator uses now, or null. */
export function scratchBytes(allocator: PercpuAllocator): number | null {
  const counted = readWork(allocator)?.scratchBytes;
  if (counted !== undefined) return counted;
  if (!allocator.hello().capabilities.includes("inspect")) return null;
  const view = allocator.inspect();
  if (!view.ok) return null;
  const detail: unknown = view.value.detail;
  if (!isKiranDetail(detail)) return null;
  const pages = Math.max(0, ...detail.list.map((b) => b.mgmtPages));
  return pages === 0 ? null : pages * (detail.wordSize ?? POINTER_SIZE);
}
