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

export interface ReplayResult {
  readonly violation: Violation | undefined;
  readonly session: Session;
  /** Index in `steps` of each step that ran (the rest were skipped). */
  readonly ran: readonly number[];
  /**
   * What each step that ran returned, by its index in `steps`, as the kernel would print it
   * (`-ENOMEM`, `0x200000000000`, `0`, `raised TypeError`): from the session's log.
   */
  readonly returned: ReadonlyMap<number, string>;
}

export function replaySteps(
  target: Target,
  config: BootConfig,
  steps: readonly Step[],
  invariants: readonly Invariant[],
  onStep?: (index: number, session: Session) => void,
): ReplayResult {
  // A replay is short: every step is audited, so a violation shows at the step that made it.
  const session = new Session({ target, config, invariants, auditEvery: 1 });
  const ran: number[] = [];
  // The trace holds the steps that ran, in order: its k-th is steps[ran[k]].
  const returnedOf = () => {
    const returned = new Map<number, string>();
    for (const [k, value] of session.returnedByStep()) {
      const i = ran[k];
      if (i !== undefined) returned.set(i, value);
    }
    return returned;
  };
  let current = -1;
  try {
    steps.forEach((step, i) => {
      current = i;
      if (session.execute(step)) {
        ran.push(i);
        onStep?.(i, session);
      }
    });
    current = -1;
    session.finish();
  } catch (e) {
    if (!(e instanceof Violation)) throw e;
    // The breaking step ran too (the violation is judged after it).
    if (e.stepIndex >= 0 && current >= 0) ran.push(current);
    return { violation: e, session, ran, returned: returnedOf() };
  }
  return { violation: undefined, session, ran, returned: returnedOf() };
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
