/**
 * What one step's checks look at. A step can change only some bytes: a new object's copies,
 * the range a free gives back, the bytes a write stores, the copies of the CPU a hotplug event
 * names. The incremental checks read the pages holding those bytes (and compare each whole
 * with its last verified content, see pageShadow.ts); a full audit reads every live copy. An
 * audit runs every K steps, after
 * `reclaim` (which may unmap pages anywhere), after an ENOMEM (a rollback may release pages
 * anywhere), after an answer the model did not expect, and on the first step of the end-of-run
 * teardown.
 *
 *   step              incremental scope (pages integrity reads; each op's `scope`, engine/ops/)
 *   alloc o           the pages of o's copies
 *   free o            the pages o's copies were on
 *   write o@cpu+off   the written pages
 *   cpu_* c           the pages of every live copy of cpu c
 *   ptr, fail_page_alloc, a refused request: none
 */
import type { CopyIndex } from "./copyIndex.ts";
import type { ObjectRecord, PercpuModel } from "./model.ts";
import { opOf } from "./ops/index.ts";
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

/** The scope of a step (computed after the model applied it), by its operation's module. */
export function stepScope(input: ScopeInput): StepScope {
  const { step } = input;
  const op = opOf(step);
  const cpu = op.scopeCpu?.(step);
  if (input.audit) return { audit: true, pages: NONE, cpu };
  const pages = new Set<number>();
  op.scope?.(step, input, pages);
  return { audit: false, pages: [...pages], cpu };
}
