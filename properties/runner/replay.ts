/**
 * Replay: run a list of steps on a fresh allocator, with no generator, and report the first
 * violation. Steps that name an object the run does not have are skipped, as fast-check skips
 * a command whose precondition fails; the end-of-run teardown and checks follow the last step.
 */
import type { BootConfig } from "../../impl/index.ts";
import { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import type { Invariant } from "../invariants/index.ts";
import { ReturnRecorder } from "./replayReturns.ts";

export interface ReplayResult {
  readonly violation: Violation | undefined;
  readonly session: Session;
  /** Index in `steps` of each step that ran (the rest were skipped). */
  readonly ran: readonly number[];
  /**
   * What each step that ran returned, by its index, as the kernel would print it (`-ENOMEM`,
   * `0x200000000000`, `0`): only when asked with `returns` (replayReturns.ts).
   */
  readonly returned?: ReadonlyMap<number, string>;
}

export interface ReplayStepsOptions {
  /** Record what each step returned (`ReplayResult.returned`). */
  readonly returns?: boolean;
}

export function replaySteps(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariants: readonly Invariant[],
  onStep?: (index: number, session: Session) => void,
  options: ReplayStepsOptions = {},
): ReplayResult {
  const recorder = options.returns ? new ReturnRecorder() : undefined;
  // A replay is short: every step is audited, so a violation shows at the step that made it.
  const session = new Session({
    target: recorder?.wrap(target) ?? target,
    config,
    invariants,
    auditEvery: 1,
  });
  const ran: number[] = [];
  const returned = new Map<number, string>();
  const note = (i: number, step: Step) => {
    const answer = recorder?.take(step, session.allocator);
    if (answer !== undefined) returned.set(i, answer);
  };
  const answers = recorder !== undefined ? { returned } : {};
  let current = -1;
  try {
    steps.forEach((step, i) => {
      current = i;
      recorder?.reset();
      if (session.execute(step)) {
        ran.push(i);
        note(i, step);
        onStep?.(i, session);
      }
    });
    current = -1;
    session.finish();
  } catch (e) {
    if (!(e instanceof Violation)) throw e;
    // The breaking step ran too (the violation is judged after it).
    if (e.stepIndex >= 0 && current >= 0) {
      ran.push(current);
      note(current, steps[current] as Step);
    }
    return { violation: e, session, ran, ...answers };
  }
  return { violation: undefined, session, ran, ...answers };
}

/** Whether the steps still break `invariant`. */
export function reproduces(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariant: Invariant,
): boolean {
  return replaySteps(target, config, steps, [invariant]).violation?.invariant === invariant.id;
}
