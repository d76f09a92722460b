/**
 * Deep rounds: a few long runs per target, made mostly of bulk steps (fills by the hundred,
 * drains, the ordinary commands among them: commands/index.ts's "deep" mix, each run with its
 * swarm configuration), judged by every invariant still passing with the full audit at the
 * usual interval. They reach what the short runs of a round cannot: a thousand live objects,
 * chunks filled to the end and released, a unit's last page on a large unit. A failure goes
 * through the round's own shrinking, minimising and recording (checkTarget.ts).
 */

/** Deep runs per target in a check. */
export const DEEP_RUNS = 3;
/**
 * The fewest runs per round of a check that makes deep rounds (the default check's 200 does):
 * a short check (`--runs 15`, a test's) stays short.
 */
export const DEEP_MIN_RUNS = 100;

/** The deep runs a check of these settings makes. */
export function deepRunsOf(settings: {
  readonly runs: number;
  readonly deepRuns?: number;
}): number {
  return settings.deepRuns ?? (settings.runs >= DEEP_MIN_RUNS ? DEEP_RUNS : 0);
}
/** The most commands of a deep run (most of them bulk: a few thousand requests). */
export const DEEP_COMMANDS = 8;
/**
 * A deep run's possible CPUs (0..3, NR_CPUS and the rest drawn): every request of a run is
 * asked of each CPU's copy, so depth in objects is bought with few CPUs; the rounds' large
 * machines reach 64 and more.
 */
export const DEEP_POSSIBLE_CPUS = 4;
/**
 * The most shrinking tries fast-check makes of a failing deep run (the default rounds' runs
 * shrink without a bound). A try replays a run of thousands of requests, and on an allocator
 * that takes a block per object each request walks every block: unbounded, the shrinking of one
 * deep run took over an hour on kiran-skip-tail-run. Past the bound the smallest failing run
 * found so far goes on to the minimiser (minimize.ts), whose tries are mostly short.
 */
export const DEEP_SHRINK_TRIES = 40;
/** Where the deep runs' measures go in the depth meter (after any round's runs). */
export const DEEP_DEPTH_INDEX = 1_000_000;

/** What the deep rounds of a target ran. */
export interface DeepFigures {
  /** Deep runs made (the shrinking tries after a failure are not counted). */
  runs: number;
  /** Steps of their traces (a bulk step is one). */
  steps: number;
  /** Requests those steps made of the allocator (a fill of 200 is 200). */
  requests: number;
  /** The most requests in one run. */
  requests_max: number;
}

export function emptyDeepFigures(): DeepFigures {
  return { runs: 0, steps: 0, requests: 0, requests_max: 0 };
}

/** The deep rounds' line of a check's text. */
export function deepLine(d: DeepFigures): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `  deep rounds: ${n(d.runs)} run${d.runs === 1 ? "" : "s"}, ${n(d.steps)} steps, ${n(d.requests)} requests (at most ${n(d.requests_max)} in a run)`;
}
