import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** reclaim(): run deferred work now. */
export class ReclaimCommand extends StepCommand {
  protected resolve(): Step {
    return { op: "reclaim" };
  }

  protected intent(): string {
    return "reclaim()";
  }
}
