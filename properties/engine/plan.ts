/**
 * What a step's checks will ask the allocator, announced before they ask (`PercpuAllocator.plan`),
 * so that an external harness with the capability `batch` answers it in one line instead of a
 * round trip a request. A hint only: each invariant still asks what it asks, and an answer
 * planned and not asked is never read. Planned in the order the checks ask, so that a batch
 * stopped by an error (an oops) stops where the checks would meet it.
 *
 *   audit (no-overlap, integrity)     ptr of every live copy, then every page they are on
 *   node-locality                     node of each page of the copies it judges this step
 *   integrity, zero-on-alloc          the step's pages (engine/scope.ts)
 *   bad-input, failure-atomicity,     ptr of the live copies the step must not have moved
 *   hotplug-transparency
 *
 * The invariants named here are the ones that read copies through the observer; one that is
 * not judged in a check is not planned for.
 */
import type { Query } from "../../impl/index.ts";
import type { Expectation } from "../invariants/invariant.ts";
import { INDEX_PAGE, pagesOf } from "./copyIndex.ts";
import type { ObjectRecord, PercpuModel } from "./model.ts";
import type { StepScope } from "./scope.ts";
import type { Step } from "./step.ts";

export interface PlanInput {
  readonly step: Step;
  readonly record: ObjectRecord | undefined;
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly expectation: Expectation;
  readonly scope: StepScope;
  readonly model: PercpuModel;
  /** The ids of the invariants judged. */
  readonly judges: ReadonlySet<string>;
  /** Planned before the step runs: the object a free gives back is not live after it. */
  readonly before?: boolean;
}

/** A step's observations, in the order its checks ask them. */
export function planObservations(p: PlanInput): Query[] {
  const queries: Query[] = [];
  const gone = p.before === true && p.step.op === "free" && p.ok ? p.record : undefined;
  const live = p.model.liveObjects().filter((o) => o !== gone);
  const hotplug = p.step.op.startsWith("cpu_");
  if (p.scope.audit && (p.judges.has("no-overlap") || p.judges.has("integrity"))) {
    const pages = new Set<number>();
    for (const obj of live) {
      for (const cpu of p.model.possible) queries.push({ op: "ptr", ptr: obj.ptr, cpu });
      for (const start of obj.copies.values()) {
        for (const page of pagesOf(start, start + obj.size)) pages.add(page);
      }
    }
    for (const page of pages) queries.push({ op: "read", addr: page, len: INDEX_PAGE });
  }
  if (p.judges.has("node-locality")) {
    const only = p.scope.audit ? undefined : p.scope.cpu;
    const judged =
      p.scope.audit || hotplug
        ? live
        : p.step.op === "alloc" && p.ok && p.record !== undefined
          ? [p.record]
          : [];
    const probed = new Set<number>();
    for (const obj of judged) {
      for (const [cpu, addr] of obj.copies) {
        if (only !== undefined && cpu !== only) continue;
        for (let page = addr - (addr % INDEX_PAGE); page < addr + obj.size; page += INDEX_PAGE) {
          if (probed.has(page)) continue;
          probed.add(page);
          queries.push({ op: "node", addr: Math.max(page, addr) });
        }
      }
    }
  }
  // A bad write's address is not mapped: its page's read, which fails, goes last.
  const unmapped = p.step.op === "write" && !p.expectation.valid;
  const reads: Query[] = [];
  if (!p.scope.audit && (p.judges.has("integrity") || p.judges.has("zero-on-alloc"))) {
    for (const page of p.scope.pages) reads.push({ op: "read", addr: page, len: INDEX_PAGE });
  }
  if (!unmapped) queries.push(...reads.splice(0));
  const moves =
    (hotplug && p.judges.has("hotplug-transparency")) ||
    (!p.expectation.valid && p.judges.has("bad-input")) ||
    (p.error === "ENOMEM" && p.judges.has("failure-atomicity"));
  if (moves) {
    const only = p.scope.audit ? undefined : p.scope.cpu;
    for (const obj of live) {
      for (const cpu of obj.copies.keys()) {
        if (only === undefined || cpu === only) queries.push({ op: "ptr", ptr: obj.ptr, cpu });
      }
    }
  }
  queries.push(...reads);
  return queries;
}
