/**
 * The detail's native scans (setRuns, setBits) against byte-by-byte loops on random maps at a
 * fixed seed: the same runs and the same set bits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setBits, setRuns } from "./bitmapDetail.ts";

function slowRuns(map: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  let i = 0;
  while (i < map.length) {
    if (map[i] !== 1) {
      i++;
      continue;
    }
    let j = i;
    while (j < map.length && map[j] === 1) j++;
    runs.push([i, j - i]);
    i = j;
  }
  return runs;
}

function slowBits(map: Uint8Array): number[] {
  const bits: number[] = [];
  map.forEach((b, i) => {
    if (b === 1) bits.push(i);
  });
  return bits;
}

// Maps as the chunks hold them: runs of 0s and 1s of random lengths.
const map = fc
  .array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 40 })), { maxLength: 30 })
  .map((parts) => Uint8Array.from(parts.flatMap(([bit, n]) => Array<number>(n).fill(bit))));

describe("the bitmap detail's scans", () => {
  it("setRuns and setBits give the byte loops' answers", () => {
    fc.assert(
      fc.property(map, (m) => {
        expect(setRuns(m)).toEqual(slowRuns(m));
        expect(setBits(m)).toEqual(slowBits(m));
      }),
      { seed: 20051, numRuns: 500 },
    );
    expect(setRuns(Uint8Array.from([1, 1, 0, 1]))).toEqual([
      [0, 2],
      [3, 1],
    ]);
  });
});
