import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** A write to an address nothing maps (the NULL page and user space): EFAULT, nothing changes. */
export class BadWriteCommand extends StepCommand {
  constructor(readonly pick: number) {
    super();
  }

  protected resolve(): Step {
    return { op: "write", addr: `0x${(0x10 + (this.pick % 512) * 8).toString(16)}`, hex: "5a" };
  }

  protected intent(): string {
    return `write to an unmapped address (#${this.pick})`;
  }
}
