import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** fail_page_alloc(after, count): arm an injected ENOMEM. */
export class FailPageAllocCommand extends StepCommand {
  constructor(
    readonly after: number,
    readonly count: number,
  ) {
    super();
  }

  protected resolve(): Step {
    return { op: "fail_page_alloc", after: this.after, count: this.count };
  }

  protected intent(): string {
    return `fail_page_alloc(${this.after}, ${this.count})`;
  }
}
