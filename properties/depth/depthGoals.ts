/**
 * The depth a check should reach on each kind of target: the states where allocators break in
 * practice, chosen for what each design has (2.6.10's kmalloc array has no chunks; the 2005
 * design has blocks of two-page slices; the 2009 and 2017 designs chunks, the 2017 one partial
 * depopulation; a harness what it lets us count).
 *
 *   goal               legacy  kiran  areamap  bitmap  external
 *   chunks-3             -       x       x        x       x      3+ blocks/chunks holding objects at once
 *   unit-last-page       -       x       x        x       x      an object ends in a unit's last page
 *   full-chunk-released  -       x       x        x    inspect   a chunk seen full, later released
 *   chunk-released       -       -       -        -    no inspect  the vm space held shrank
 *   depopulated          -       -       -        x       -      pages given back, no chunk released
 *   live-1000            x       x       x        x       x      1,000 objects live at once
 *   cpus-64              x       x       x        x       x      a run with 64 possible CPUs
 *
 * A goal is reported met or not with each check; it never changes the verdict unless asked
 * (`check --require-depth`).
 */
import type { DepthJson } from "./depthMeter.ts";

export interface DepthGoal {
  readonly id: string;
  /** What it asks, in words, for a target whose chunks are called `grouping`. */
  readonly text: (grouping: string) => string;
  readonly met: (d: DepthJson) => boolean;
  /** The figure reached, for the report: "2". */
  readonly reached: (d: DepthJson) => string;
}

/** What a target's depth is measured in, and which goals apply. */
export interface DepthKind {
  /** "blocks" (the 2005 design), "chunks", or undefined (no grouping: 2.6.10). */
  readonly grouping: "blocks" | "chunks" | undefined;
  readonly design: string | undefined;
  readonly external: boolean;
  readonly inspect: boolean;
}

const one = (grouping: string) => grouping.slice(0, -1);

/** Every goal, by id (the table above says which kind of target has which). */
export const DEPTH_GOALS: Readonly<Record<string, DepthGoal>> = Object.fromEntries(
  (
    [
      {
        id: "chunks-3",
        text: (g) => `3+ ${g} in use at once`,
        met: (d) => d.chunks_in_use_max >= 3,
        reached: (d) => String(d.chunks_in_use_max),
      },
      {
        id: "unit-last-page",
        text: () => "an object in the last page of a unit",
        met: (d) => d.runs_last_page > 0,
        reached: (d) => `offset ${fraction(d.unit_offset_max)}`,
      },
      {
        id: "full-chunk-released",
        text: (g) => `a full ${one(g)} released`,
        met: (d) => (d.full_released ?? 0) > 0,
        reached: (d) => `${d.full_chunks ?? 0} full, ${d.released} released`,
      },
      {
        id: "chunk-released",
        text: (g) => `a ${one(g)} released`,
        met: (d) => d.released > 0,
        reached: (d) => String(d.released),
      },
      {
        id: "depopulated",
        text: () => "a depopulation",
        met: (d) => (d.depopulations ?? 0) > 0,
        reached: (d) => String(d.depopulations ?? 0),
      },
      {
        id: "live-1000",
        text: () => "1,000 objects live at once",
        met: (d) => d.live_max >= 1000,
        reached: (d) => String(d.live_max),
      },
      {
        id: "cpus-64",
        text: () => "64 possible CPUs",
        met: (d) => d.cpus_max >= 64,
        reached: (d) => String(d.cpus_max),
      },
    ] satisfies DepthGoal[]
  ).map((g) => [g.id, g]),
);

/** The goals of a kind of target, in report order. */
export function depthGoals(kind: DepthKind): DepthGoal[] {
  const ids: string[] = [];
  if (kind.grouping !== undefined) {
    ids.push("chunks-3", "unit-last-page", kind.inspect ? "full-chunk-released" : "chunk-released");
    if (kind.design === "bitmap-2017") ids.push("depopulated");
  }
  ids.push("live-1000", "cpus-64");
  return ids.map((id) => DEPTH_GOALS[id] as DepthGoal);
}

/** 0.4137 -> "0.41"; null -> "none". */
export function fraction(x: number | null): string {
  return x === null ? "none" : (Math.floor(x * 100) / 100).toFixed(2);
}
