/** Observations of copies shared by several invariants. */
import type { Copy } from "../engine/copyIndex.ts";
import { hex } from "../engine/observer.ts";
import type { StepContext } from "./invariant.ts";

/**
 * The first live copy whose address is not the one recorded at allocation, as text. Between
 * audits only the copies of the CPU a hotplug event named are asked (`ctx.scope.cpu`).
 */
export function movedCopy(ctx: StepContext): string | undefined {
  const only = ctx.scope.audit ? undefined : ctx.scope.cpu;
  for (const obj of ctx.model.liveObjects()) {
    for (const [cpu, was] of obj.copies) {
      if (only !== undefined && cpu !== only) continue;
      const now = ctx.observe.copyAddr(obj, cpu);
      if (!now.ok) return `ptr(${obj.name}, cpu ${cpu}) now fails: ${now.error} ${now.message}`;
      if (now.value !== was) {
        return `${obj.name}'s copy for cpu ${cpu} moved from ${hex(was)} to ${hex(now.value)}`;
      }
    }
  }
  return undefined;
}

type AuditCopies = { copies: readonly Copy[] } | { problem: string };

/** Per step (its observer), the audit's copies: integrity and no-overlap share one list. */
const audited = new WeakMap<StepContext["observe"], AuditCopies>();

/**
 * Every live copy of every possible CPU at the address the allocator gives now (a failing
 * `ptr` is the problem), with their pages read: what an audit judges. Made once per step.
 */
export function auditCopies(ctx: StepContext): AuditCopies {
  let r = audited.get(ctx.observe);
  if (r === undefined) {
    r = collectAuditCopies(ctx);
    audited.set(ctx.observe, r);
  }
  return r;
}

function collectAuditCopies(ctx: StepContext): AuditCopies {
  const copies: Copy[] = [];
  for (const obj of ctx.model.liveObjects()) {
    for (const cpu of ctx.model.possible) {
      const addr = ctx.observe.copyAddr(obj, cpu);
      if (!addr.ok) {
        return { problem: `reading ${obj.name}@cpu${cpu} failed: ${addr.error} ${addr.message}` };
      }
      copies.push({ obj, cpu, start: addr.value, end: addr.value + obj.size });
    }
  }
  ctx.observe.prefetch(copies);
  return { copies };
}
