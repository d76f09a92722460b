/**
 * Helpers for the bitmap-2017 white-box invariants: the chunk's alloc map rebuilt from the
 * detail's runs, and the free runs of a range of it.
 *
 *   allocRuns [[0, 3], [5, 2]]  ->  |1|1|1|0|0|1|1|0|0|...
 *   freeRuns over [from, to)        [3, 2], [7, ...]
 */
import type { BitmapChunkDetail, BitmapDetail } from "../../impl/index.ts";
import type { Observer } from "../engine/observer.ts";
import { readDetail } from "./whiteBox.ts";

export const BITMAP_DESIGN = "bitmap-2017";

/** The detail of a bitmap-2017 target, or the violation message. */
export function bitmapDetail(observe: Observer): BitmapDetail | string {
  return readDetail<BitmapDetail>(observe, BITMAP_DESIGN);
}

const memo = new WeakMap<object, Map<string, unknown>>();

/**
 * `compute()` once per detail object and key: a revision hands out the same detail object
 * while its state is unchanged, so the many steps that change nothing (hotplug, writes) and the
 * six invariants reading one state share the work.
 */
export function perDetail<T>(detail: object, key: string, compute: () => T): T {
  let m = memo.get(detail);
  if (m === undefined) {
    m = new Map();
    memo.set(detail, m);
  }
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/** The alloc map, one byte per bit. */
export function allocMap(chunk: BitmapChunkDetail): Uint8Array {
  return perDetail(chunk, "allocMap", () => {
    const map = new Uint8Array(chunk.mapBits);
    for (const [start, bits] of chunk.allocRuns) map.fill(1, start, start + bits);
    return map;
  });
}

/** Whether bits [from, from + bits) are all clear (and inside the map). */
export function allClear(map: Uint8Array, from: number, bits: number): boolean {
  if (from < 0 || from + bits > map.length) return false;
  const set = map.indexOf(1, from);
  return set < 0 || set >= from + bits;
}

/**
 * The free runs [start, length) of map[from, to), in order, by native scans. The maps are
 * `allocMap`'s, of 0s and 1s only, so a free run ends at the next 1.
 */
export function freeRuns(map: Uint8Array, from: number, to: number): [number, number][] {
  const runs: [number, number][] = [];
  let i = map.indexOf(0, from);
  while (i >= 0 && i < to) {
    const set = map.indexOf(1, i);
    const j = set < 0 || set > to ? to : set;
    runs.push([i, j - i]);
    i = j >= to ? -1 : map.indexOf(0, j);
  }
  return runs;
}

/** The length of the largest free run of map[from, to). */
export function largestRun(map: Uint8Array, from: number, to: number): number {
  return freeRuns(map, from, to).reduce((m, [, n]) => Math.max(m, n), 0);
}
