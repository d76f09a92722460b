/**
 * Splitting a check across machines: the work is the list of (target, invariant) units, in
 * the order the check would run them (targets in order, each target's applicable invariants in
 * the catalogue's order); shard i of n takes the i-th of n contiguous, near-equal slices. Each
 * unit is in exactly one shard, so the shards together judge what one unsharded run judges.
 * A slice keeps a target's invariants together where it can, so a target's runs (shared by its
 * invariants) are made by as few shards as possible.
 *
 *   units   k1 k2 k3 k4 | k5 k6 k7 l1 | l2 l3 l4 l5      (k: kiran-2005-09, l: legacy-2.6.10)
 *   shard       1/3     |     2/3     |     3/3
 */
import type { Invariant } from "../invariants/index.ts";
import { applicable } from "../invariants/index.ts";
import type { Target } from "../engine/target.ts";

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface WorkUnit {
  readonly target: Target;
  readonly invariant: Invariant;
}

/** Every (target, invariant) unit of a check, in run order. */
export function planUnits(
  targets: readonly Target[],
  invariants: readonly Invariant[],
): WorkUnit[] {
  return targets.flatMap((target) =>
    applicable(invariants, target).map((invariant) => ({ target, invariant })),
  );
}

/** The units of one shard: the `index`-th of `count` contiguous slices. */
export function shardUnits(units: readonly WorkUnit[], shard: Shard): WorkUnit[] {
  const from = Math.floor(((shard.index - 1) * units.length) / shard.count);
  const to = Math.floor((shard.index * units.length) / shard.count);
  return units.slice(from, to);
}

/** Units grouped by target, targets in first-seen order, invariants in unit order. */
export function byTarget(
  units: readonly WorkUnit[],
): { target: Target; invariants: Invariant[] }[] {
  const out: { target: Target; invariants: Invariant[] }[] = [];
  for (const u of units) {
    const last = out[out.length - 1];
    if (last !== undefined && last.target === u.target) last.invariants.push(u.invariant);
    else out.push({ target: u.target, invariants: [u.invariant] });
  }
  return out;
}
