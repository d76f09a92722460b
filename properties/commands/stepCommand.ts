/**
 * The base of every fast-check command: it resolves its random choices against the session's
 * model when fast-check asks whether it may run (`check`), then runs the resolved step. Its
 * `toString` is the step as one line of a script, so a failing run reads like one.
 */
import type fc from "fast-check";
import type { Session } from "../engine/session.ts";
import type { StepChoice } from "../engine/ops/index.ts";
import { describeStep, type Step } from "../engine/step.ts";

export abstract class StepCommand implements fc.Command<Session, Session> {
  private resolved: Step | undefined;

  /** The step this command stands for in the current state, or undefined if none fits. */
  protected abstract resolve(session: Session): Step | undefined;
  /** What the command will try, before it is resolved. */
  protected abstract intent(): string;

  check(session: Readonly<Session>): boolean {
    if (!session.running) return false;
    this.resolved = this.resolve(session as Session);
    return this.resolved !== undefined;
  }

  run(session: Session): void {
    if (this.resolved !== undefined) session.execute(this.resolved);
  }

  toString(): string {
    return this.resolved ? describeStep(this.resolved) : this.intent();
  }
}

/** A command of an operation's own generator (engine/ops/, `generators`). */
export class OpCommand extends StepCommand {
  constructor(private readonly choice: StepChoice<Step>) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    return this.choice.resolve(session);
  }

  protected intent(): string {
    return this.choice.intent();
  }
}

/** The element of `list` that `pick` selects (picks shrink toward the first). */
export function choose<T>(list: readonly T[], pick: number): T | undefined {
  return list.length === 0 ? undefined : list[pick % list.length];
}
