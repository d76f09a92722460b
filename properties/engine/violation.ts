/**
 * A broken invariant, raised by a run at the step where it broke. fast-check shrinks the run
 * that raised it; the runner turns the shrunk run into a counterexample file.
 */
import type { Step } from "./step.ts";

export class Violation extends Error {
  readonly invariant: string;
  /** Index of the breaking step in the trace, or -1 for the end-of-run checks. */
  readonly stepIndex: number;
  readonly step: Step | undefined;

  constructor(invariant: string, message: string, stepIndex: number, step: Step | undefined) {
    super(`${invariant}: ${message}`);
    this.name = "Violation";
    this.invariant = invariant;
    this.stepIndex = stepIndex;
    this.step = step;
    this.detail = message;
  }

  /** The invariant's own message, without the invariant's id. */
  readonly detail: string;
}
