import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/** fail_page_alloc with a negative count or delay: EINVAL, nothing armed. */
export class BadFailPageAllocCommand extends StepCommand {
  constructor(readonly negativeAfter: boolean) {
    super();
  }

  protected resolve(): Step {
    return this.negativeAfter
      ? { op: "fail_page_alloc", after: -1, count: 1 }
      : { op: "fail_page_alloc", after: 0, count: -1 };
  }

  protected intent(): string {
    return `bad fail_page_alloc (negative ${this.negativeAfter ? "after" : "count"})`;
  }
}
