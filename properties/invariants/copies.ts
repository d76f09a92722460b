/** Observations of copies shared by several invariants. */
import { hex } from "../engine/observer.ts";
import type { StepContext } from "./invariant.ts";

/** The first live copy whose address is not the one recorded at allocation, as text. */
export function movedCopy(ctx: StepContext): string | undefined {
  for (const obj of ctx.model.liveObjects()) {
    for (const [cpu, was] of obj.copies) {
      const now = ctx.observe.copyAddr(obj, cpu);
      if (!now.ok) return `ptr(${obj.name}, cpu ${cpu}) now fails: ${now.error} ${now.message}`;
      if (now.value !== was) {
        return `${obj.name}'s copy for cpu ${cpu} moved from ${hex(was)} to ${hex(now.value)}`;
      }
    }
  }
  return undefined;
}
