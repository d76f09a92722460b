/**
 * What one step's checks look at. A step can change only some bytes: a new object's copies,
 * the range a free gives back, the bytes a write stores, the copies of the CPU a hotplug event
 * names. The incremental checks read the live copies that share a page with those bytes
 * (`CopyIndex`); a full audit reads every live copy. An audit runs every K steps, after
 * `reclaim` (which may unmap pages anywhere), after an ENOMEM (a rollback may release pages
 * anywhere), after an answer the model did not expect, and on the first step of the end-of-run
 * teardown.
 *
 *   step              incremental scope (copies read by integrity)
 *   alloc o           o's copies and every copy on their pages
 *   free o            every live copy on o's old pages
 *   write o@cpu+off   every copy on the written pages
 *   cpu_* c           every live copy of cpu c
 *   ptr, fail_page_alloc, a refused request: none
 */
import type { CopyIndex, Copy } from "./copyIndex.ts";
import type { ObjectRecord, PercpuModel } from "./model.ts";
import type { Step } from "./step.ts";

/** How often a full audit runs when not asked otherwise: every 16 steps. */
export const DEFAULT_AUDIT_EVERY = 16;

export interface StepScope {
  /** A full audit: every live copy is judged, at the address the allocator gives now. */
  readonly audit: boolean;
  /** The live copies the step could have changed, at their recorded addresses. */
  readonly copies: readonly Copy[];
  /** The CPU a hotplug event named. */
  readonly cpu: number | undefined;
}

export interface ScopeInput {
  readonly step: Step;
  readonly record: ObjectRecord | undefined;
  /** The allocator's answer was ok. */
  readonly ok: boolean;
  readonly audit: boolean;
  readonly index: CopyIndex;
  readonly model: PercpuModel;
}

const NONE: readonly Copy[] = [];

/** The scope of a step (computed after the model applied it, before the index drops a freed object). */
export function stepScope(input: ScopeInput): StepScope {
  const { step, record, index, model } = input;
  const cpu = "cpu" in step && step.op.startsWith("cpu_") ? step.cpu : undefined;
  if (input.audit) return { audit: true, copies: NONE, cpu };
  const live = (cs: readonly Copy[]) => cs.filter((c) => c.obj.live);
  switch (step.op) {
    case "alloc":
      return { audit: false, copies: input.ok && record ? index.neighboursOf(record) : NONE, cpu };
    case "free":
      return { audit: false, copies: record ? live(index.neighboursOf(record)) : NONE, cpu };
    case "write": {
      const len = step.hex.length / 2;
      if (step.addr !== undefined) {
        const at = Number.parseInt(step.addr.slice(2), 16);
        return {
          audit: false,
          copies: Number.isSafeInteger(at) ? index.copiesOn(at, at + len) : NONE,
          cpu,
        };
      }
      const base = step.cpu === undefined ? undefined : record?.copies.get(step.cpu);
      if (base === undefined) return { audit: false, copies: NONE, cpu };
      const at = base + (step.offset ?? 0);
      return { audit: false, copies: index.copiesOn(at, at + len), cpu };
    }
    case "cpu_add":
    case "cpu_remove":
    case "cpu_up":
    case "cpu_down": {
      const copies: Copy[] = [];
      for (const obj of model.liveObjects()) {
        const start = obj.copies.get(step.cpu);
        if (start !== undefined) copies.push({ obj, cpu: step.cpu, start, end: start + obj.size });
      }
      return { audit: false, copies, cpu };
    }
    default:
      return { audit: false, copies: NONE, cpu };
  }
}
