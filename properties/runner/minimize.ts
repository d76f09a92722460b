/**
 * Makes a failing trace 1-minimal: no single step can be removed with the violation still
 * there (and, for a short trace, no pair of steps either), and no bulk step's count (a fill's
 * allocations, a drain's frees: engine/ops/) can be lowered by one. fast-check's shrinker
 * already removes commands; this works on the resolved steps (where a removed allocation also
 * takes its later uses with it), in passes until none changes anything:
 *
 *   1. runs of steps: halves, quarters, ... of the trace, each removed if the failure stays
 *      (ddmin's complements, Zeller and Hildebrandt 2002), so that a trace of thousands of
 *      steps loses most of them in a few dozen replays;
 *   2. single steps, then pairs of steps for a short trace;
 *   3. bulk steps: the count halved while the failure stays, then lowered one at a time; the
 *      first requests dropped (the step split in two and its first part removed), half of
 *      them, a quarter, ... one; a bulk step of one becomes the step it ran (a drain's free,
 *      a fill's allocation).
 *
 * Then the objects are renamed o1, o2, ... in the order they are made.
 */
import type { BootConfig } from "../../impl/index.ts";
import { namesMade, opOf, type BulkShape } from "../engine/ops/index.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import type { Invariant } from "../invariants/index.ts";
import { replaySteps } from "./replay.ts";

/** Counterexamples up to this many steps also get a pass removing two steps at a time. */
const PAIR_PASS_MAX = 16;

/** One replay of candidate steps, as the minimiser sees it. */
export interface Trial {
  /** The failure is still there (the same one). */
  readonly reproduces: boolean;
  /** Index in the candidate of each step that ran. */
  readonly ran: readonly number[];
  /** Index among the steps that ran of the failing one; -1 for the end of the run. */
  readonly stepIndex: number;
  /**
   * The parts a bulk step ran (a drain's frees), by its index among the steps that ran (its
   * index in the replay's trace): where a bulk step of one ran one part, that step replaces it.
   * Without it only a fill, whose part needs no state, becomes its allocation.
   */
  readonly partsOf?: (ranIndex: number) => readonly Step[] | undefined;
}

function bulkOf(step: Step): BulkShape<Step> | undefined {
  return opOf(step).bulk;
}

/**
 * Removes runs of steps, single steps, and requests of bulk steps while `trial` says the
 * failure stays; keeps only steps that run, and renames the objects. Any failure check
 * serves: one invariant (`minimizeSteps`), or a difference between two targets (properties/diff).
 */
export function minimizeWith(
  steps: readonly Step[],
  trial: (steps: readonly Step[]) => Trial,
): Step[] {
  const first = trial(steps);
  let current = first.ran.map((i) => steps[i] as Step);
  // Steps after the failing one never ran to any effect: drop them.
  if (first.reproduces && first.stepIndex >= 0) current = current.slice(0, first.stepIndex + 1);
  /** The parts of `current`'s bulk steps, by index in `current`: the steps that ran, in order. */
  let partsOf = (i: number) => first.partsOf?.(i);
  /** Tries a candidate; keeps it if the failure stays. */
  const attempt = (candidate: readonly Step[]): boolean => {
    const again = trial(candidate);
    if (!again.reproduces) return false;
    current = again.ran.map((k) => candidate[k] as Step);
    if (again.stepIndex >= 0) current = current.slice(0, again.stepIndex + 1);
    partsOf = (i) => again.partsOf?.(i);
    return true;
  };
  const without = (drop: ReadonlySet<number>): boolean =>
    attempt(current.filter((_, j) => !drop.has(j)));
  const replaced = (i: number, by: readonly Step[]): boolean =>
    attempt([...current.slice(0, i), ...by, ...current.slice(i + 1)]);

  for (let changed = true; changed;) {
    changed = false;
    // 1. Runs of steps, largest first (a run of one is the single pass's).
    for (let size = Math.floor(current.length / 2); size >= 2; size = Math.floor(size / 2)) {
      for (let start = 0; start < current.length;) {
        const run = new Set(Array.from({ length: size }, (_, k) => start + k));
        if (without(run)) changed = true;
        else start += size;
      }
    }
    // 2. Passes until no single step can go: a removal can make an earlier step removable too.
    for (let removed = true; removed;) {
      removed = false;
      for (let i = 0; i < current.length;) {
        if (without(new Set([i]))) removed = changed = true;
        else i++;
      }
    }
    // Then pairs, for a short trace: two steps that only matter together (two small objects
    // whose offsets shift a later one) go where neither goes alone.
    if (current.length <= PAIR_PASS_MAX) {
      let pair = false;
      for (let i = 0; i < current.length && !pair; i++) {
        for (let j = i + 1; j < current.length && !pair; j++) pair = without(new Set([i, j]));
      }
      if (pair) changed = true;
    }
    // 3. Bulk steps, each made as small as the failure allows.
    for (let i = 0; i < current.length; i++) {
      if (shrinkBulk(i)) changed = true;
    }
  }
  return renameObjects(current);

  /** Lowers the count of the bulk step at `i` and drops its first requests; true if it did. */
  function shrinkBulk(i: number): boolean {
    let did = false;
    const step = (): Step => current[i] as Step;
    const bulk = bulkOf(step());
    if (bulk === undefined) return false;
    // A replay that keeps the failure may end the trace earlier, or skip the step: then stop.
    const gone = () => i >= current.length || bulkOf(step()) !== bulk;
    // Halving, then one at a time: the result has no count that can be lowered by one.
    for (let c = bulk.count(step()); c > 1; c = bulk.count(step())) {
      const half = Math.floor(c / 2);
      if (half >= 1 && half < c - 1 && replaced(i, [bulk.withCount(step(), half)])) did = true;
      else if (replaced(i, [bulk.withCount(step(), c - 1)])) did = true;
      else break;
      if (gone()) return true;
    }
    // The first requests: half of them, a quarter, ... one (the split's second part stays).
    for (let c = bulk.count(step()), head = Math.floor(c / 2); head >= 1 && c > 1;) {
      const [, rest] = bulk.split(step(), head);
      if (replaced(i, [rest])) {
        did = true;
        if (gone()) return true;
        c = bulk.count(step());
        head = Math.min(head, Math.floor(c / 2));
      } else {
        head = Math.floor(head / 2);
      }
    }
    // A bulk step of one reads better as the step it stands for: the free a drain of one ran,
    // the allocation a fill of one made.
    const part = bulk.count(step()) === 1 ? singlePart(step(), partsOf(i)) : undefined;
    if (part !== undefined && replaced(i, [part])) did = true;
    return did;
  }
}

/** The one step a bulk step of count 1 stands for: the one part it ran, or a fill's allocation. */
function singlePart(step: Step, ran: readonly Step[] | undefined): Step | undefined {
  if (ran?.length === 1) return ran[0];
  if (step.op !== "fill") return undefined;
  const { count: _count, op: _op, ...shape } = step;
  return { ...shape, op: "alloc" };
}

/** Removes steps while the violation stays; keeps only steps that run. */
export function minimizeSteps(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariant: Invariant,
  /** Invariants judged beside it, for what they observe (a no-oops failure's observers). */
  observers: readonly Invariant[] = [],
): Step[] {
  return minimizeWith(steps, (candidate) => {
    const r = replaySteps(target, config, candidate, [invariant, ...observers]);
    return {
      reproduces: r.violation?.invariant === invariant.id,
      ran: r.ran,
      stepIndex: r.violation?.stepIndex ?? -1,
      partsOf: (k) => r.session.partsOf(k),
    };
  });
}

/** Renames objects o1, o2, ... in the order they are made (each operation renames its own). */
export function renameObjects(steps: readonly Step[]): Step[] {
  const names = new Map<string, string>();
  for (const s of steps) {
    for (const made of namesMade(s)) {
      if (!names.has(made)) names.set(made, `o${names.size + 1}`);
    }
  }
  const rename = (n: string): string => names.get(n) ?? n;
  return steps.map((s) => opOf(s).rename?.(s, rename) ?? s);
}
