import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { cappedAlign } from "./allocCommand.ts";
import { StepCommand } from "./stepCommand.ts";

/** `count` allocations of one shape, one step (engine/ops/fillOp.ts); alignment as alloc's. */
export class FillCommand extends StepCommand {
  constructor(
    readonly count: number,
    readonly size: number,
    readonly alignLog2: number,
    readonly atomic: boolean,
  ) {
    super();
  }

  protected resolve(session: Session): Step {
    const align = cappedAlign(session, this.size, this.alignLog2);
    return {
      op: "fill",
      count: this.count,
      size: this.size,
      align,
      ...(this.atomic ? { atomic: true } : {}),
      as: session.model.newNamePeek(),
    };
  }

  protected intent(): string {
    return `fill(${this.count} x alloc(${this.size}, 2^${this.alignLog2}${this.atomic ? ", atomic" : ""}))`;
  }
}
