import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** Frees every `every`-th live object, up to `count` (engine/ops/drainOp.ts); needs one. */
export class DrainCommand extends StepCommand {
  constructor(
    readonly every: number,
    readonly count: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    if (session.model.liveObjects().length < this.every) return undefined;
    return { op: "drain", every: this.every, count: this.count };
  }

  protected intent(): string {
    return `drain(every ${this.every}, ${this.count})`;
  }
}
