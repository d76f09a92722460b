import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { StepCommand } from "./stepCommand.ts";

export type BadAllocKind =
  "size-zero" | "size-too-big" | "align-not-power-of-two" | "align-too-big";
export const BAD_ALLOC_KINDS: readonly BadAllocKind[] = [
  "size-zero",
  "size-too-big",
  "align-not-power-of-two",
  "align-too-big",
];

/** An allocation every design must refuse: size 0 or too big, a bad alignment. */
export class BadAllocCommand extends StepCommand {
  constructor(
    readonly kind: BadAllocKind,
    readonly size: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step {
    const max = session.target.maxSize;
    const size = Math.min(this.size, max);
    const as = session.model.newNamePeek();
    switch (this.kind) {
      case "size-zero":
        return { op: "alloc", size: 0, align: 8, as };
      case "size-too-big":
        return { op: "alloc", size: max + 1 + (this.size % 4096), align: 8, as };
      case "align-not-power-of-two":
        return { op: "alloc", size, align: 3 * 2 ** (this.size % 6), as };
      case "align-too-big":
        return { op: "alloc", size, align: 8192 * 2 ** (this.size % 3), as };
    }
  }

  protected intent(): string {
    return `bad alloc (${this.kind})`;
  }
}
