import type { Invariant } from "./invariant.ts";

/**
 * possible-only: memory is held only for possible CPUs. Black-box form: a node that no
 * possible CPU maps to holds no pages (memory for CPU c belongs on cpu_to_node(c), and the
 * allocator's own bookkeeping on the node it runs on, which has an online CPU). The topology
 * generator makes such nodes, mapping only impossible CPUs to them.
 *
 * Source: Morton on the 2005 patch, "Isn't this equivalent to for_each_cpu()?" (loops over
 * NR_CPUS testing cpu_possible); Documentation/core-api/cpu_hotplug.rst (per-CPU resources are
 * set up with for_each_possible_cpu).
 * Cost: one `stats` per step: O(nodes).
 */
export const possibleOnly: Invariant = {
  id: "possible-only",
  title: "memory is held only for possible CPUs",
  source:
    'LKML Jan 2005 "Isn\'t this equivalent to for_each_cpu()?"; cpu_hotplug.rst for_each_possible_cpu',
  cost: "O(nodes) per step",
  needs: [],
  afterStep(ctx) {
    const used = new Set(ctx.model.possible.map((cpu) => ctx.model.config.cpuToNode[cpu]));
    for (let node = 0; node < ctx.after.pagesByNode.length; node++) {
      const pages = ctx.after.pagesByNode[node] as number;
      if (!used.has(node) && pages > 0) {
        return `node ${node} has no possible CPU but holds ${pages} pages`;
      }
    }
    return undefined;
  },
};
