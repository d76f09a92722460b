/**
 * The white-box helpers' native scans (freeRuns, allClear) against byte-by-byte loops on
 * random alloc maps and ranges at a fixed seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allClear, freeRuns } from "./bitmapRuns.ts";

function slowRuns(map: Uint8Array, from: number, to: number): [number, number][] {
  const runs: [number, number][] = [];
  let i = from;
  while (i < to) {
    if (map[i] === 1) {
      i++;
      continue;
    }
    let j = i;
    while (j < to && map[j] === 0) j++;
    runs.push([i, j - i]);
    i = j;
  }
  return runs;
}

function slowClear(map: Uint8Array, from: number, bits: number): boolean {
  if (from < 0 || from + bits > map.length) return false;
  for (let i = from; i < from + bits; i++) if (map[i] === 1) return false;
  return true;
}

// An alloc map (runs of 0s and 1s) and a range [from, to) inside it.
const mapAndRange = fc
  .array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 40 })), {
    minLength: 1,
    maxLength: 30,
  })
  .map((parts) => Uint8Array.from(parts.flatMap(([bit, n]) => Array<number>(n).fill(bit))))
  .chain((map) =>
    fc
      .tuple(fc.nat(map.length), fc.nat(map.length))
      .map(([a, b]) => ({ map, from: Math.min(a, b), to: Math.max(a, b) })),
  );

describe("the bitmap helpers' scans", () => {
  it("freeRuns and allClear give the byte loops' answers", () => {
    fc.assert(
      fc.property(mapAndRange, fc.integer({ min: -2, max: 50 }), ({ map, from, to }, bits) => {
        expect(freeRuns(map, from, to)).toEqual(slowRuns(map, from, to));
        expect(allClear(map, from, bits)).toBe(slowClear(map, from, bits));
        expect(allClear(map, from, to - from)).toBe(slowClear(map, from, to - from));
      }),
      { seed: 20051, numRuns: 1000 },
    );
    expect(freeRuns(Uint8Array.from([0, 1, 0, 0, 1]), 0, 4)).toEqual([
      [0, 1],
      [2, 2],
    ]);
  });
});
