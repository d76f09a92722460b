import type { Session } from "../engine/session.ts";
import type { HotplugOp, Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

/**
 * A forbidden hotplug event: `op` on a CPU for which the rules refuse it now (the last online
 * CPU going down, an online CPU removed, a CPU at or above NR_CPUS, an impossible CPU...).
 */
export class BadHotplugCommand extends StepCommand {
  constructor(
    readonly op: HotplugOp,
    readonly cpuPick: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const model = session.model;
    const candidates = [...model.possible, model.nrCpus];
    for (let cpu = 0; cpu < model.nrCpus && candidates.length < 80; cpu++) {
      if (!model.isPossible(cpu)) candidates.push(cpu);
    }
    const refused = candidates.filter((cpu) => model.hotplugRefusal(this.op, cpu) !== undefined);
    const cpu = choose(refused, this.cpuPick);
    return cpu === undefined ? undefined : { op: this.op, cpu };
  }

  protected intent(): string {
    return `forbidden ${this.op}(#${this.cpuPick})`;
  }
}
