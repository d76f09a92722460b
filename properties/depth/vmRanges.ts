/**
 * Chunks counted from the copies alone, for a harness that has no `inspect`: a chunk is one vm
 * area, and every object in it has a copy in each of its units, so the span from an object's
 * lowest copy to the end of its highest (its footprint) lies inside its chunk's area and, with
 * two units or more, overlaps the footprint of every other object of the same chunk (each copy
 * is less than a unit from its unit's start). Footprints that overlap are one chunk:
 *
 *   chunk A (units of CPUs 0, 1)            chunk B
 *   |  o1   o2    |  o1   o2    |    ...    |  o3         |  o3         |
 *   [o1 ...................... o1]           [o3 ...................... o3]
 *      [o2 ...................... o2]
 *   -> 2 vm ranges: {o1, o2}, {o3}
 *
 * With one possible CPU an object has one copy; footprints less than a unit apart (the declared
 * unit, else PCPU_MIN_UNIT_SIZE) are then taken as one chunk. Chunks whose areas touch could be
 * counted as one: the count is a lower bound.
 *
 * The same ranges give a lower bound of how far into its unit an object reaches: on one CPU,
 * from the lowest copy of its range (at offset 0 or more) to the end of its own.
 */

/** An object as the depth measure sees it: its size and the address of each CPU's copy. */
export interface DepthObject {
  readonly ptr: number;
  readonly size: number;
  readonly copies: ReadonlyMap<number, number>;
}

/** PCPU_MIN_UNIT_SIZE: the gap below which one-copy objects are taken to share a chunk. */
export const MIN_UNIT_BYTES = 32768;

interface Footprint {
  readonly obj: DepthObject;
  readonly lo: number;
  readonly hi: number;
}

export interface VmRanges {
  /** How many distinct vm ranges the live copies make (chunks in use, at least). */
  readonly count: number;
  /**
   * For `of`: on the CPU `cpu`, the end of its copy minus the lowest copy start in its range
   * (a lower bound of how far into its unit it reaches), in bytes.
   */
  readonly reach: number | undefined;
}

function footprint(obj: DepthObject): Footprint | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const addr of obj.copies.values()) {
    lo = Math.min(lo, addr);
    hi = Math.max(hi, addr + obj.size);
  }
  return lo === Infinity ? undefined : { obj, lo, hi };
}

/**
 * The vm ranges of `objects`' copies; `gap`: footprints closer than this are one range (0 with
 * two possible CPUs or more, where a chunk's footprints overlap). `of`: the object whose reach
 * on `cpu` is asked.
 */
export function vmRanges(
  objects: readonly DepthObject[],
  gap: number,
  of?: DepthObject,
  cpu?: number,
): VmRanges {
  const prints: Footprint[] = [];
  for (const o of objects) {
    const f = footprint(o);
    if (f !== undefined) prints.push(f);
  }
  prints.sort((a, b) => a.lo - b.lo);
  let count = 0;
  let reach: number | undefined;
  let i = 0;
  while (i < prints.length) {
    let j = i;
    let hi = (prints[i] as Footprint).hi;
    while (j + 1 < prints.length && (prints[j + 1] as Footprint).lo < hi + gap) {
      j++;
      hi = Math.max(hi, (prints[j] as Footprint).hi);
    }
    count++;
    if (of !== undefined && cpu !== undefined) {
      const range = prints.slice(i, j + 1);
      if (range.some((f) => f.obj === of)) reach = reachIn(range, of, cpu);
    }
    i = j + 1;
  }
  return { count, reach };
}

function reachIn(range: readonly Footprint[], of: DepthObject, cpu: number): number | undefined {
  const mine = of.copies.get(cpu);
  if (mine === undefined) return undefined;
  let lowest = mine;
  for (const f of range) lowest = Math.min(lowest, f.obj.copies.get(cpu) ?? Infinity);
  return mine + of.size - lowest;
}

/**
 * The distance between neighbouring copies of one object (the unit stride when the units lie
 * side by side, as in every design here), or undefined with fewer than two copies.
 */
export function unitStride(obj: DepthObject): number | undefined {
  const addrs = [...obj.copies.values()].sort((a, b) => a - b);
  let stride: number | undefined;
  for (let k = 1; k < addrs.length; k++) {
    const d = (addrs[k] as number) - (addrs[k - 1] as number);
    if (d > 0) stride = stride === undefined ? d : Math.min(stride, d);
  }
  return stride;
}
