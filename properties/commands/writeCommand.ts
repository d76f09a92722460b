import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

/** Writes a pattern into part of one CPU's copy of a live object. */
export class WriteCommand extends StepCommand {
  constructor(
    readonly pick: number,
    readonly cpuPick: number,
    readonly offsetPick: number,
    readonly lengthPick: number,
    readonly byte: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const obj = choose(session.model.liveObjects(), this.pick);
    const cpu = choose(session.model.possible, this.cpuPick);
    if (obj === undefined || cpu === undefined) return undefined;
    // Half the writes start at the object's first byte, where a neighbour's overrun lands.
    const offset = this.offsetPick % 2 === 0 ? 0 : this.offsetPick % obj.size;
    const length = 1 + (this.lengthPick % Math.min(16, obj.size - offset));
    const bytes = Array.from({ length }, (_, i) => ((this.byte + i * 37) % 255) + 1);
    return { op: "write", obj: obj.name, cpu, offset, hex: Buffer.from(bytes).toString("hex") };
  }

  protected intent(): string {
    return `write(live #${this.pick}, cpu #${this.cpuPick})`;
  }
}
