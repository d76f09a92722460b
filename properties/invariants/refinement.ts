import { refinementDifference } from "../../model/abstraction.ts";
import type { AbstractState } from "../../model/systemMachine.ts";
import { kiranBlockLifecycle } from "./blockLifecycle.ts";
import {
  conjunctNames,
  firstBroken,
  type Conjuncts,
  type Invariant,
  type StepContext,
} from "./invariant.ts";

const CONJUNCTS: Conjuncts<[StepContext, AbstractState]> = {
  /** The blocks (state:live) and the CPU masks equal the system machine's. */
  abstraction(ctx, machineState) {
    const view = ctx.observe.inspect();
    if (!view.ok) return `inspect failed: ${view.error} ${view.message}`;
    return refinementDifference(machineState, view.value);
  },
  /** Each block, step by step, follows the block machine's lifecycle. */
  block_lifecycle: (ctx) => kiranBlockLifecycle(ctx),
};

/**
 * refinement: after every event of a model-driven run (the system machine's paths and its
 * random runs), the implementation's state seen through `inspect` (the multiset of block states
 * with their live counts, and the CPU masks) equals the model's state (`abstraction`), and each
 * block has moved as model/blockMachine.ts allows (`block_lifecycle`). Runs not driven by the
 * model have nothing to compare and are not judged.
 *
 * Source: the lifecycle of LKML [patch 2/11] (Sep 2005): a block is made when nothing fits,
 * holds objects, and is released as soon as it is empty; Documentation/core-api/cpu_hotplug.rst
 * for the masks. A design that keeps an empty block, makes a block it did not need, or loses
 * track of a CPU breaks it even when every black-box invariant holds.
 * Cost: one `inspect` per step: O(blocks).
 */
export const refinement: Invariant = {
  id: "refinement",
  title: "the implementation's blocks and CPU masks equal the state-machine model's",
  source: "model/systemMachine.ts; LKML [patch 2/11] block lifecycle; cpu_hotplug.rst",
  cost: "O(blocks) per step of a model-driven run",
  needs: ["inspect"],
  // The system machine models the 2005 block list (8 KiB blocks released when empty).
  designs: ["kiran-2005"],
  conjuncts: conjunctNames(CONJUNCTS),
  afterStep(ctx) {
    if (ctx.machineState === undefined) return undefined;
    return firstBroken(CONJUNCTS, ctx, ctx.machineState);
  },
};
