/**
 * What one step's checks look at. A step can change only some bytes: a new object's copies,
 * the range a free gives back, the bytes a write stores, the copies of the CPU a hotplug event
 * names. The incremental checks read the pages holding those bytes (and compare each whole
 * with its last verified content, see pageShadow.ts); a full audit reads every live copy. An audit runs every K steps, after
 * `reclaim` (which may unmap pages anywhere), after an ENOMEM (a rollback may release pages
 * anywhere), after an answer the model did not expect, and on the first step of the end-of-run
 * teardown.
 *
 *   step              incremental scope (pages integrity reads)
 *   alloc o           the pages of o's copies
 *   free o            the pages o's copies were on
 *   write o@cpu+off   the written pages
 *   cpu_* c           the pages of every live copy of cpu c
 *   ptr, fail_page_alloc, a refused request: none
 */
import { pagesOf, type CopyIndex } from "./copyIndex.ts";
import type { ObjectRecord, PercpuModel } from "./model.ts";
import type { Step } from "./step.ts";

/** How often a full audit runs when not asked otherwise: every 16 steps. */
export const DEFAULT_AUDIT_EVERY = 16;

export interface StepScope {
  /** A full audit: every live copy is judged, at the address the allocator gives now. */
  readonly audit: boolean;
  /** The pages the step could have changed (page-aligned addresses), between audits. */
  readonly pages: readonly number[];
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

const NONE: readonly number[] = [];

/** The pages of an object's copies (for a hotplug event, of its copy on one CPU). */
function objectPages(obj: ObjectRecord, into: Set<number>, cpu?: number): void {
  for (const [c, start] of obj.copies) {
    if (cpu !== undefined && c !== cpu) continue;
    for (const page of pagesOf(start, start + obj.size)) into.add(page);
  }
}

/** The scope of a step (computed after the model applied it). */
export function stepScope(input: ScopeInput): StepScope {
  const { step, record, model } = input;
  const cpu = "cpu" in step && step.op.startsWith("cpu_") ? step.cpu : undefined;
  if (input.audit) return { audit: true, pages: NONE, cpu };
  const pages = new Set<number>();
  switch (step.op) {
    case "alloc":
      if (input.ok && record !== undefined) objectPages(record, pages);
      break;
    case "free":
      if (record !== undefined) objectPages(record, pages);
      break;
    case "write": {
      const len = step.hex.length / 2;
      const at =
        step.addr !== undefined
          ? Number.parseInt(step.addr.slice(2), 16)
          : step.cpu === undefined
            ? undefined
            : (record?.copies.get(step.cpu) ?? Number.NaN) + (step.offset ?? 0);
      if (at !== undefined && Number.isSafeInteger(at)) {
        for (const page of pagesOf(at, at + len)) pages.add(page);
      }
      break;
    }
    case "cpu_add":
    case "cpu_remove":
    case "cpu_up":
    case "cpu_down":
      for (const obj of model.liveObjects()) objectPages(obj, pages, step.cpu);
      break;
    default:
      break;
  }
  return { audit: false, pages: [...pages], cpu };
}
