/**
 * The page shadow's in-place compare (pageShadow.ts) against the copy-then-compare it
 * replaced, on random pages, objects and reads at a fixed seed: the same answer to every
 * `matches`, and the same shadow after it (probed by a `matches` with no object of the step).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INDEX_PAGE } from "./copyIndex.ts";
import type { ObjectRecord } from "./model.ts";
import { PageShadow } from "./pageShadow.ts";

/** The previous implementation: the expected page built in a copy of the shadow. */
class CopyingShadow {
  readonly pages = new Map<number, Uint8Array>();
  matches(page: number, now: Uint8Array, own: ObjectRecord | undefined): boolean {
    const kept = this.pages.get(page);
    if (kept === undefined || kept.length !== now.length) return false;
    let expect = kept;
    if (own !== undefined && own.live) {
      for (const [cpu, start] of own.copies) {
        const end = start + own.size;
        if (end <= page || start >= page + INDEX_PAGE) continue;
        if (expect === kept) expect = Uint8Array.from(kept);
        const lo = Math.max(page, start);
        const hi = Math.min(page + INDEX_PAGE, end);
        const want = own.contents.get(cpu);
        if (want === undefined) expect.fill(0, lo - page, hi - page);
        else expect.set(want.subarray(lo - start, hi - start), lo - page);
      }
    }
    const equal = Buffer.from(expect).equals(Buffer.from(now));
    if (equal && expect !== kept) this.pages.set(page, expect);
    return equal;
  }
  set(page: number, now: Uint8Array): void {
    this.pages.set(page, Uint8Array.from(now));
  }
}

const PAGE = 0x10000;
const byte = fc.integer({ min: 0, max: 3 });
// An object of the step: copies that may start before the page, end after it, or overlap.
const own = fc
  .record({
    size: fc.integer({ min: 1, max: 96 }),
    starts: fc.array(fc.integer({ min: -100, max: INDEX_PAGE + 20 }), { maxLength: 4 }),
    written: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    fill: byte,
    live: fc.boolean(),
  })
  .map(({ size, starts, written, fill, live }): ObjectRecord => {
    const copies = new Map(starts.map((s, cpu) => [cpu, PAGE + s]));
    const contents = new Map<number, Uint8Array>();
    starts.forEach((_, cpu) => {
      if (written[cpu] === true) contents.set(cpu, new Uint8Array(size).fill(fill + cpu));
    });
    return { name: "o", ptr: PAGE, size, align: 8, copies, contents, live };
  });
// A read of the page: the shadow with the object's changes, or not, and a byte changed or not.
const step = fc.record({
  own: fc.option(own, { nil: undefined }),
  applied: fc.boolean(),
  flip: fc.option(fc.nat(INDEX_PAGE - 1), { nil: undefined }),
});

describe("PageShadow", () => {
  it("answers and keeps as the copying compare did, step after step", () => {
    let equalSeen = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), byte, (steps, start) => {
        const fast = new PageShadow();
        const slow = new CopyingShadow();
        const first = new Uint8Array(INDEX_PAGE).fill(start);
        fast.set(PAGE, first);
        slow.set(PAGE, first);
        for (const s of steps) {
          const now = Uint8Array.from(slow.pages.get(PAGE) as Uint8Array);
          if (s.applied && s.own !== undefined) {
            for (const [cpu, at] of s.own.copies) {
              for (let i = 0; i < s.own.size; i++) {
                const off = at + i - PAGE;
                if (off >= 0 && off < INDEX_PAGE) now[off] = s.own.contents.get(cpu)?.[i] ?? 0;
              }
            }
          }
          if (s.flip !== undefined) now[s.flip] = ((now[s.flip] as number) + 1) % 4;
          const answer = slow.matches(PAGE, now, s.own);
          if (answer) equalSeen++;
          expect(fast.matches(PAGE, now, s.own)).toBe(answer);
          // Where the page differed, integrity renews the shadow once every copy holds.
          if (!answer) {
            slow.set(PAGE, now);
            fast.set(PAGE, now);
          }
          const kept = slow.pages.get(PAGE) as Uint8Array;
          expect(fast.matches(PAGE, kept, undefined)).toBe(true);
        }
      }),
      { seed: 20051, numRuns: 400 },
    );
    expect(equalSeen).toBeGreaterThan(100);
  });
});
