/**
 * The last verified content of each page that holds live copies: after integrity has checked
 * every copy on a page, the page as read is kept. On a later step the page is read again and
 * compared whole (native memcmp) with the shadow, into which the step's own legitimate changes
 * (a new object's zeroed copies, the bytes a write stored) have been applied; equal pages need
 * no copy-by-copy check. A page that differs, or has no shadow, is checked copy by copy (bytes
 * outside every live copy may change freely: freed space, a repopulated page) and its shadow
 * renewed when every copy on it holds.
 *
 *   shadow  [ o1=00 00 | o2=5a 00 | free=?? ]   after "write o2@cpu0+1 = 7f":
 *   expect  [ o1=00 00 | o2=5a 7f | free=?? ]   page read equal -> o1 and o2 hold, no per-copy work
 */
import type { ObjectRecord } from "./model.ts";
import { INDEX_PAGE } from "./copyIndex.ts";

/** An object's copies sorted by address, each with its place in `copies`' order. */
interface SortedCopies {
  readonly count: number;
  readonly starts: number[];
  readonly cpus: number[];
  /** The copy's index in `copies`' iteration order. */
  readonly order: number[];
}

export class PageShadow {
  private readonly pages = new Map<number, Uint8Array>();
  /** Each step object's copies by address, so a page finds its own in O(log P), not O(P). */
  private readonly sorted = new WeakMap<ObjectRecord, SortedCopies>();

  private sortedCopies(own: ObjectRecord): SortedCopies {
    let s = this.sorted.get(own);
    if (s === undefined || s.count !== own.copies.size) {
      const all = [...own.copies].map(([cpu, start], order) => ({ cpu, start, order }));
      all.sort((a, b) => a.start - b.start || a.order - b.order);
      s = {
        count: own.copies.size,
        starts: all.map((c) => c.start),
        cpus: all.map((c) => c.cpu),
        order: all.map((c) => c.order),
      };
      this.sorted.set(own, s);
    }
    return s;
  }

  /** `own`'s copies that overlap the page, as [cpu, start], in `copies`' order. */
  private copiesOn(page: number, own: ObjectRecord): [number, number][] {
    const s = this.sortedCopies(own);
    // The first copy that ends after the page's start: start > page - size.
    let lo = 0;
    let hi = s.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((s.starts[mid] as number) + own.size <= page) lo = mid + 1;
      else hi = mid;
    }
    const found: [number, number, number][] = [];
    for (let i = lo; i < s.starts.length && (s.starts[i] as number) < page + INDEX_PAGE; i++) {
      found.push([s.order[i] as number, s.cpus[i] as number, s.starts[i] as number]);
    }
    // Where copies overlap each other the later one in `copies`' order is what the page holds.
    if (found.length > 1) found.sort((a, b) => a[0] - b[0]);
    return found.map(([, cpu, start]) => [cpu, start]);
  }

  /**
   * Whether the page as read now equals the shadow once `own`'s copies on it are set to what
   * the model expects of them (all of `own`'s copies: the step's object, allocated or written).
   * When it does, the shadow takes those changes.
   */
  matches(page: number, now: Uint8Array, own: ObjectRecord | undefined): boolean {
    const kept = this.pages.get(page);
    if (kept === undefined || kept.length !== now.length) return false;
    // The own copies' expected bytes go into the shadow in place (no copy of the page); the
    // bytes they replace are kept to be put back if the page differs.
    const saved: [number, Uint8Array][] = [];
    if (own !== undefined && own.live) {
      for (const [cpu, start] of this.copiesOn(page, own)) {
        const end = start + own.size;
        const lo = Math.max(page, start) - page;
        const hi = Math.min(page + INDEX_PAGE, end) - page;
        saved.push([lo, kept.slice(lo, hi)]);
        const want = own.contents.get(cpu);
        if (want === undefined) kept.fill(0, lo, hi);
        else kept.set(want.subarray(lo + page - start, hi + page - start), lo);
      }
    }
    const equal = Buffer.compare(kept, now) === 0;
    // The step's own changes are verified with the rest: they are the shadow from now on.
    if (!equal) {
      for (let i = saved.length - 1; i >= 0; i--) {
        const [at, bytes] = saved[i] as [number, Uint8Array];
        kept.set(bytes, at);
      }
    }
    return equal;
  }

  /** Keeps a verified page (a copy of it). */
  set(page: number, now: Uint8Array): void {
    const kept = this.pages.get(page);
    // The shadow's own array is reused: nothing outside holds it.
    if (kept !== undefined && kept.length === now.length) kept.set(now);
    else this.pages.set(page, Uint8Array.from(now));
  }
}
