import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

export type BadFreeKind = "double" | "interior" | "unknown";
export const BAD_FREE_KINDS: readonly BadFreeKind[] = ["double", "interior", "unknown"];

/** A free every design must refuse: a double free, an interior pointer, a pointer never made. */
export class BadFreeCommand extends StepCommand {
  constructor(
    readonly kind: BadFreeKind,
    readonly pick: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const model = session.model;
    switch (this.kind) {
      case "double": {
        const obj = choose(model.deadObjects(), this.pick);
        return obj && { op: "free", obj: obj.name };
      }
      case "interior": {
        const obj = choose(
          model.liveObjects().filter((o) => o.size > 4),
          this.pick,
        );
        return obj && { op: "free", obj: obj.name, offset: 4 };
      }
      case "unknown":
        return { op: "free", ptr: `0x${(0x1000 + (this.pick % 64) * 8).toString(16)}` };
    }
  }

  protected intent(): string {
    return `bad free (${this.kind})`;
  }
}
