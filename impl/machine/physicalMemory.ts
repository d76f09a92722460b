/**
 * Byte contents of page frames, materialised lazily.
 *
 * A page that was never written has a fill byte instead of a buffer: 0x00 after an allocation
 * with __GFP_ZERO, else POISON (0xa5) the first time it is handed out, as uninitialised memory
 * would be anything but zero. A page freed and allocated again without __GFP_ZERO keeps what was
 * last written to it, so a design that forgets to zero reused memory is caught.
 */
import { PAGE_SIZE } from "./layout.ts";
import type { PageContentsHook, PageFrame } from "./pageAllocator.ts";

/** What fresh, never-zeroed memory reads as. */
export const POISON = 0xa5;

export class PhysicalMemory implements PageContentsHook {
  private readonly pages = new Map<number, Uint8Array>();
  private readonly fills = new Map<number, number>();

  onAllocate(frame: PageFrame, zero: boolean): void {
    for (let pfn = frame.pfn; pfn < frame.pfn + (1 << frame.order); pfn++) {
      if (zero) {
        this.pages.delete(pfn);
        this.fills.set(pfn, 0);
      } else if (!this.pages.has(pfn) && !this.fills.has(pfn)) {
        this.fills.set(pfn, POISON);
      }
    }
  }

  /** The page's buffer, made on first write. */
  private page(pfn: number): Uint8Array {
    let bytes = this.pages.get(pfn);
    if (bytes === undefined) {
      bytes = new Uint8Array(PAGE_SIZE).fill(this.fills.get(pfn) ?? POISON);
      this.pages.set(pfn, bytes);
      this.fills.delete(pfn);
    }
    return bytes;
  }

  /** Copies `len` bytes of page `pfn` from `offset` into `out` at `at` (within one page). */
  read(pfn: number, offset: number, len: number, out: Uint8Array, at: number): void {
    const bytes = this.pages.get(pfn);
    if (bytes === undefined) out.fill(this.fills.get(pfn) ?? POISON, at, at + len);
    else if (offset === 0 && len === bytes.length) out.set(bytes, at);
    else out.set(bytes.subarray(offset, offset + len), at);
  }

  /** Writes `len` bytes of `src` from `from` into page `pfn` at `offset` (within one page). */
  write(pfn: number, offset: number, src: Uint8Array, from: number, len: number): void {
    this.page(pfn).set(src.subarray(from, from + len), offset);
  }

  /** Fills `len` bytes of page `pfn` from `offset` with `value` (within one page). */
  fill(pfn: number, offset: number, len: number, value: number): void {
    if (offset === 0 && len === PAGE_SIZE && !this.pages.has(pfn)) {
      this.fills.set(pfn, value);
      return;
    }
    this.page(pfn).fill(value, offset, offset + len);
  }
}
