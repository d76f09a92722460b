import type { Session } from "../engine/session.ts";
import type { HotplugOp, Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

/** An allowed hotplug event: a CPU for which `op` is legal now. */
export class HotplugCommand extends StepCommand {
  constructor(
    readonly op: HotplugOp,
    readonly cpuPick: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const model = session.model;
    const allowed = model.possible.filter(
      (cpu) => model.hotplugRefusal(this.op, cpu) === undefined,
    );
    const cpu = choose(allowed, this.cpuPick);
    return cpu === undefined ? undefined : { op: this.op, cpu };
  }

  protected intent(): string {
    return `${this.op}(allowed #${this.cpuPick})`;
  }
}
