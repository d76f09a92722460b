import { movedCopy } from "./copies.ts";
import type { Invariant } from "./invariant.ts";
import { memoryChange } from "./stats.ts";

/**
 * hotplug-transparency: cpu add/remove/up/down never moves or changes a copy, and bringing a
 * CPU up allocates no memory for existing objects (nor does any other hotplug event free any).
 * Contents are judged by integrity after the same step.
 *
 * Source: Documentation/core-api/cpu_hotplug.rst (the percpu memory of an offline CPU
 * persists; possible is fixed at boot); the 2005 series' CPU_UP_PREPARE handler ("[patch
 * 11/11]"); percpu_counter folding a dead CPU's count on CPU_DEAD.
 * Cost: a `ptr` per live copy and two `stats` per hotplug event: O(L·P).
 */
export const hotplugTransparency: Invariant = {
  id: "hotplug-transparency",
  title: "hotplug events never move a copy or change the memory held",
  source:
    "Documentation/core-api/cpu_hotplug.rst; LKML [patch 11/11] <20050913161914.GM3570@localhost.localdomain>",
  cost: "O(L) per hotplug event (the CPU it named); O(L·P) in an audit",
  needs: [],
  afterStep(ctx) {
    if (!ctx.step.op.startsWith("cpu_")) return undefined;
    const moved = movedCopy(ctx);
    if (moved !== undefined) return moved;
    const change = memoryChange(ctx.before, ctx.after);
    return change === undefined
      ? undefined
      : `${ctx.step.op}(${"cpu" in ctx.step ? ctx.step.cpu : ""}): ${change}`;
  },
};
