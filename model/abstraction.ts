/**
 * The abstraction function of refinement: from what an implementation shows through `inspect`
 * (blocks with their state and live count, and, where it says, the CPU masks) to the system
 * machine's abstract state. After every event, abstraction(implementation) must equal
 * abstractState(model).
 */
import type { InspectView } from "../impl/index.ts";
import type { AbstractState } from "./systemMachine.ts";

export function abstraction(view: InspectView): AbstractState {
  return {
    present: view.cpus ? [...view.cpus.present] : [],
    online: view.cpus ? [...view.cpus.online] : [],
    blocks: view.blocks.map((b) => `${b.state}:${b.live}`).sort(),
  };
}

/** What differs between the model's state and the implementation's, or undefined. */
export function refinementDifference(model: AbstractState, view: InspectView): string | undefined {
  const impl = abstraction(view);
  const text = (xs: readonly (string | number)[]) => `[${xs.join(", ")}]`;
  if (text(model.blocks) !== text(impl.blocks)) {
    return `blocks (state:live) are ${text(impl.blocks)}, the model has ${text(model.blocks)}`;
  }
  if (view.cpus !== undefined) {
    if (text(model.present) !== text(impl.present)) {
      return `present CPUs are ${text(impl.present)}, the model has ${text(model.present)}`;
    }
    if (text(model.online) !== text(impl.online)) {
      return `online CPUs are ${text(impl.online)}, the model has ${text(model.online)}`;
    }
  }
  return undefined;
}
