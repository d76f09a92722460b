/**
 * The live copies by page: for each page, the (object, CPU) copies with a byte on it, at the
 * addresses recorded when each object was allocated. It is what makes the per-step checks
 * incremental: a step that touches some bytes (a new object's copies, a freed or written
 * range) needs to look only at the copies that share a page with them.
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

  /** Adds every recorded copy of an object. */
  add(obj: ObjectRecord): void {
    for (const [cpu, start] of obj.copies) {
      const copy: Copy = { obj, cpu, start, end: start + obj.size };
      for (const page of pagesOf(copy.start, copy.end)) {
        let list = this.pages.get(page);
        if (list === undefined) {
          list = [];
          this.pages.set(page, list);
        }
        list.push(copy);
      }
    }
  }

  /** Removes every copy of an object. */
  remove(obj: ObjectRecord): void {
    for (const [, start] of obj.copies) {
      for (const page of pagesOf(start, start + obj.size)) {
        const list = this.pages.get(page);
        if (list === undefined) continue;
        const kept = list.filter((c) => c.obj !== obj);
        if (kept.length === 0) this.pages.delete(page);
        else this.pages.set(page, kept);
      }
    }
  }

  /** The copies with a byte on a page that [start, end) touches, each once. */
  copiesOn(start: number, end: number): Copy[] {
    const seen = new Set<Copy>();
    for (const page of pagesOf(start, end)) {
      for (const c of this.pages.get(page) ?? []) seen.add(c);
    }
    return [...seen];
  }

  /** The copies of an object's pages (its own included), each once. */
  neighboursOf(obj: ObjectRecord, cpus?: readonly number[]): Copy[] {
    const seen = new Set<Copy>();
    for (const [cpu, start] of obj.copies) {
      if (cpus !== undefined && !cpus.includes(cpu)) continue;
      for (const c of this.copiesOn(start, start + obj.size)) seen.add(c);
    }
    return [...seen];
  }

  clear(): void {
    this.pages.clear();
  }
}

/** The page numbers (addresses of page starts) that [start, end) touches. */
function* pagesOf(start: number, end: number): Generator<number> {
  const first = start - (start % INDEX_PAGE);
  for (let page = first; page < end; page += INDEX_PAGE) yield page;
}
