import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import { choose, StepCommand } from "./stepCommand.ts";

export type BadPtrKind = "cpu-out-of-range" | "cpu-impossible" | "freed-object";
export const BAD_PTR_KINDS: readonly BadPtrKind[] = [
  "cpu-out-of-range",
  "cpu-impossible",
  "freed-object",
];

/** per_cpu_ptr with a CPU at or above NR_CPUS, a CPU that is not possible, or a freed object. */
export class BadPtrCommand extends StepCommand {
  constructor(
    readonly kind: BadPtrKind,
    readonly pick: number,
  ) {
    super();
  }

  protected resolve(session: Session): Step | undefined {
    const model = session.model;
    if (this.kind === "freed-object") {
      const obj = choose(model.deadObjects(), this.pick);
      const cpu = model.possible[0] as number;
      return obj && { op: "ptr", obj: obj.name, cpu };
    }
    const obj = choose(model.liveObjects(), this.pick);
    if (obj === undefined) return undefined;
    if (this.kind === "cpu-out-of-range") {
      return { op: "ptr", obj: obj.name, cpu: this.pick % 2 === 0 ? model.nrCpus : -1 };
    }
    const impossible: number[] = [];
    for (let cpu = 0; cpu < model.nrCpus && impossible.length < 64; cpu++) {
      if (!model.isPossible(cpu)) impossible.push(cpu);
    }
    const cpu = choose(impossible, this.pick);
    return cpu === undefined ? undefined : { op: "ptr", obj: obj.name, cpu };
  }

  protected intent(): string {
    return `bad ptr (${this.kind})`;
  }
}
