/**
 * The live copies by page: for each page, the (object, CPU) copies with a byte on it, sorted by
 * start address, at the addresses recorded when each object was allocated. It is what makes the
 * per-step checks incremental: a step that touches some bytes (a new object's copies, a freed
 * or written range) needs to look only at the pages it touched, and an overlap of a new copy
 * is found by a binary search among the copies of its pages.
 *
 *   page 0x2000_0000_1000            page 0x2000_0000_2000
 *   [ o1@cpu0 | o2@cpu0 |  free  ]   [ o3@cpu0 ........ ]
 *   copiesOn(o2@cpu0's range) = o1@cpu0, o2@cpu0
 */
import type { ObjectRecord } from "./model.ts";

export const INDEX_PAGE = 4096;

/** One CPU's copy of one object. */
export interface Copy {
  readonly obj: ObjectRecord;
  readonly cpu: number;
  readonly start: number;
  readonly end: number;
}

export class CopyIndex {
  private readonly pages = new Map<number, Copy[]>();
  private readonly byObject = new Map<ObjectRecord, Copy[]>();

  /** Adds every recorded copy of an object. */
  add(obj: ObjectRecord): void {
    const mine: Copy[] = [];
    for (const [cpu, start] of obj.copies) {
      const copy: Copy = { obj, cpu, start, end: start + obj.size };
      mine.push(copy);
      for (const page of pagesOf(copy.start, copy.end)) {
        let list = this.pages.get(page);
        if (list === undefined) {
          list = [];
          this.pages.set(page, list);
        }
        list.splice(lowerBound(list, copy.start), 0, copy);
      }
    }
    this.byObject.set(obj, mine);
  }

  /** Removes every copy of an object. */
  remove(obj: ObjectRecord): void {
    for (const copy of this.byObject.get(obj) ?? []) {
      for (const page of pagesOf(copy.start, copy.end)) {
        const list = this.pages.get(page);
        if (list === undefined) continue;
        const at = list.indexOf(copy, lowerBound(list, copy.start));
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0) this.pages.delete(page);
      }
    }
    this.byObject.delete(obj);
  }

  /** An object's copies as indexed. */
  copiesOf(obj: ObjectRecord): readonly Copy[] {
    return this.byObject.get(obj) ?? [];
  }

  /** The copies with a byte on a page that [start, end) touches, each once. */
  copiesOn(start: number, end: number): Copy[] {
    const seen = new Set<Copy>();
    for (const page of pagesOf(start, end)) {
      for (const c of this.pages.get(page) ?? []) seen.add(c);
    }
    return [...seen];
  }

  /**
   * Another copy sharing a byte with `copy`: among the copies of its pages, sorted by start,
   * the ones just before and just after its own start (the others are disjoint from it when
   * the indexed copies do not overlap one another).
   */
  overlapping(copy: Copy): Copy | undefined {
    for (const page of pagesOf(copy.start, copy.end)) {
      const list = this.pages.get(page) ?? [];
      const at = lowerBound(list, copy.start);
      for (let i = Math.max(0, at - 1); i < list.length; i++) {
        const other = list[i] as Copy;
        if (other.start >= copy.end) break;
        if (other !== copy && other.end > copy.start) return other;
      }
    }
    return undefined;
  }
}

/** The page numbers (addresses of page starts) that [start, end) touches. */
export function* pagesOf(start: number, end: number): Generator<number> {
  const first = start - (start % INDEX_PAGE);
  for (let page = first; page < end; page += INDEX_PAGE) yield page;
}

/** The first index whose copy starts at or after `start`. */
function lowerBound(list: readonly Copy[], start: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Copy).start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
