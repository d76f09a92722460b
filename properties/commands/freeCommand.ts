import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

/** free_percpu of a live object. */
export class FreeCommand extends StepCommand {
  constructor(readonly pick: number) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const obj = choose(session.model.liveObjects(), this.pick);
    return obj && { op: "free", obj: obj.name };
  }

  protected intent(): string {
    return `free(live #${this.pick})`;
  }
}
