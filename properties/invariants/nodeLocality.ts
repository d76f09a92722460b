import { hex } from "../engine/observer.ts";
import type { ObjectRecord } from "../engine/model.ts";
import type { Invariant, StepContext } from "./invariant.ts";

const PAGE = 4096;

function misplaced(ctx: StepContext, obj: ObjectRecord, only?: number): string | undefined {
  for (const [cpu, addr] of obj.copies) {
    if (only !== undefined && cpu !== only) continue;
    const want = ctx.model.config.cpuToNode[cpu];
    for (let page = addr - (addr % PAGE); page < addr + obj.size; page += PAGE) {
      const probe = Math.max(page, addr);
      const node = ctx.observe.nodeOf(probe);
      if (!node.ok)
        return `node(${hex(probe)}) of ${obj.name}@cpu${cpu} failed: ${node.error} ${node.message}`;
      if (node.value !== want) {
        return `${obj.name}'s copy for cpu ${cpu} at ${hex(probe)} is on node ${node.value}, cpu_to_node(${cpu}) is ${want}`;
      }
    }
  }
  return undefined;
}

/**
 * node-locality: every page backing CPU c's copy is on cpu_to_node(c).
 *
 * Source: the 2005 thread, "Provides truly node local allocation" (Kiran's claim, and why not
 * plain vmalloc); mm/percpu.c groups units by node (pcpu_build_alloc_info).
 * Cost: one `node` per page of each new copy (O(P·pages)); after a hotplug event, per page of
 * each live copy of the CPU it named (a CPU_UP_PREPARE handler may map pages); in an audit,
 * per page of every live copy.
 */
export const nodeLocality: Invariant = {
  id: "node-locality",
  title: "every page backing CPU c's copy is on cpu_to_node(c)",
  source:
    'LKML Jan 2005: "Provides truly node local allocation"; mm/percpu.c pcpu_build_alloc_info',
  cost: "O(P·pages) per allocation; O(L·pages) after a hotplug event; O(L·P·pages) in an audit",
  needs: [],
  afterStep(ctx) {
    // An audit asks for every live copy: deferred work (a balance worker repopulating pages)
    // may have moved a page of any of them to another node.
    if (ctx.scope.audit || ctx.step.op.startsWith("cpu_")) {
      const only = ctx.scope.audit ? undefined : ctx.scope.cpu;
      for (const obj of ctx.model.liveObjects()) {
        const m = misplaced(ctx, obj, only);
        if (m !== undefined) return m;
      }
      return undefined;
    }
    if (ctx.step.op === "alloc" && ctx.outcome.ok && ctx.record !== undefined) {
      return misplaced(ctx, ctx.record);
    }
    return undefined;
  },
};
