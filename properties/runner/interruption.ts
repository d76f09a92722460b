/**
 * What ends a target's check early, and what the units it left are told: a harness that failed
 * as a process (one finding, the steps sent so far) and a stop request (impl/stop.ts), with the
 * progress a check reports as it goes.
 */
import { constants } from "node:os";
import type { HarnessFailure } from "../../impl/external/index.ts";
import type { BootConfig } from "../../impl/index.ts";
import type { Step } from "../engine/step.ts";
import type { Counterexample, RunProgress } from "./checkTarget.ts";

/** A harness failure met during a check: what failed, and the run that was going on. */
export interface HarnessFinding {
  readonly failure: HarnessFailure;
  readonly counterexample: Counterexample;
}

/**
 * Where a round records a harness failure (the later runs then pass at once, so nothing is
 * shrunk) or a stop request (the later runs then fail at once, so that the round ends).
 */
export interface HarnessRecorder {
  finding?: HarnessFinding;
  /** The signal of a stop request seen during the round. */
  stopped?: number;
  /** The time limit ended a run of the round (runner/runBudget.ts): the rest is not judged. */
  timeLimit?: boolean;
}

/** "SIGINT" for 2, "SIGTERM" for 15; "signal N" for a number without a name. */
export function signalName(signal: number): string {
  const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0];
  return name ?? `signal ${signal}`;
}

/** The reason of a unit a stop request left unjudged. */
export function interruptedReason(signal: number): string {
  return `interrupted by ${signalName(signal)}`;
}

/** The reason of a unit left unjudged because the harness failed on an earlier one. */
export const HARNESS_FAILED_REASON = "not judged: the harness failed";

/** A harness failure as a finding: the steps of the run so far, under the run's topology. */
export function harnessFinding(
  failure: HarnessFailure,
  config: BootConfig,
  steps: readonly Step[],
  seed: number,
): HarnessFinding {
  return {
    failure,
    counterexample: {
      invariant: failure.kind,
      message: failure.message,
      config,
      steps: [...steps],
      seed,
      path: undefined,
    },
  };
}

/** The rounds and runs of one target's check, for `onRun`. */
export class RunTally {
  round = 0;
  runs = 0;
  next(): RunProgress {
    this.runs++;
    return { round: this.round, runs: this.runs };
  }
}
