import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** The alignment 2^k, capped at what the target accepts for this size. */
export function cappedAlign(session: Session, size: number, alignLog2: number): number {
  return Math.min(2 ** alignLog2, session.target.maxAlign(size));
}

/** __alloc_percpu(size, align): the alignment 2^k is capped at what the target accepts. */
export class AllocCommand extends StepCommand {
  constructor(
    readonly size: number,
    readonly alignLog2: number,
    readonly atomic: boolean,
  ) {
    super();
  }

  protected resolve(session: Session): Step {
    const align = cappedAlign(session, this.size, this.alignLog2);
    return {
      op: "alloc",
      size: this.size,
      align,
      ...(this.atomic ? { atomic: true } : {}),
      as: session.model.newNamePeek(),
    };
  }

  protected intent(): string {
    return `alloc(${this.size}, 2^${this.alignLog2}${this.atomic ? ", atomic" : ""})`;
  }
}
