import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

/**
 * fail_page_alloc(after, 1) at the scale of one population: `after` is the data pages an
 * object of `pages` pages takes on every possible CPU of the boot, plus `extra` (the chunk's
 * own structures before them, or the page tables after them), so that the one failure lands
 * on a chosen allocation of the next population, the page-table page of a mapping among them.
 */
export class PopulationFailCommand extends StepCommand {
  constructor(
    readonly pages: number,
    readonly extra: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step {
    const after = this.pages * session.model.possible.length + this.extra;
    return { op: "fail_page_alloc", after, count: 1 };
  }

  protected intent(): string {
    return `fail_page_alloc(${this.pages} pages per possible CPU + ${this.extra}, 1)`;
  }
}
