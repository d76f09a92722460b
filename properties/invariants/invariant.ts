/**
 * An invariant: a named predicate over what a run observes through the interface, with where
 * it comes from and what it costs. `afterStep` judges one step; `atEnd` judges the end of the
 * run, after every object has been freed and deferred work has run. Each returns the violation
 * as a message, or undefined when the invariant holds.
 */
import type { AllocatorStats, Capability, PoolBound } from "../../impl/index.ts";
import type { Lock } from "../../impl/sections/index.ts";
import type { AbstractState } from "../../model/systemMachine.ts";
import type { ObjectRecord, PercpuModel } from "../engine/model.ts";
import type { Observer } from "../engine/observer.ts";
import type { CopyIndex } from "../engine/copyIndex.ts";
import type { PageShadow } from "../engine/pageShadow.ts";
import type { StepScope } from "../engine/scope.ts";
import type { Step } from "../engine/step.ts";

/** What the model expects of a step: a valid request, or bad input (and why it is bad). */
export interface Expectation {
  readonly valid: boolean;
  readonly why: string;
  /** The error bad input must get (EINVAL unless said otherwise: EFAULT for an unmapped address). */
  readonly error?: "EINVAL" | "EFAULT";
  /**
   * Invalid only for an alignment that is not a power of two (0 included where the target does
   * not take it): judged by bad-align, not bad-input, since a design may serve it by design.
   */
  readonly badAlign?: true;
  /** The bytes a granted request must return (a read of a copy); integrity judges them. */
  readonly returns?: Uint8Array;
}

/** What the allocator answered. */
export type Outcome =
  | { readonly ok: true; readonly value?: unknown }
  | { readonly ok: false; readonly error: string; readonly message: string };

export interface TwinView {
  readonly before: AllocatorStats;
  readonly after: AllocatorStats;
  readonly nrCpus: number;
  /** The twin's answer to the same step (undefined: the twin does not run it). */
  readonly outcome: Outcome | undefined;
}

export interface StepContext {
  readonly index: number;
  readonly step: Step;
  /** Part of the implicit end-of-run teardown rather than the trace. */
  readonly implicit: boolean;
  readonly expectation: Expectation;
  readonly outcome: Outcome;
  /** The object the step named, if any. */
  readonly record: ObjectRecord | undefined;
  /** The model after the step. */
  readonly model: PercpuModel;
  /** An injected page-allocation failure could still fire when the step started. */
  readonly injectionPending: boolean;
  /** An atomic allocation the target may fail with ENOMEM on its own (docs/protocol.md `alloc`). */
  readonly atomicMayFail: boolean;
  readonly before: AllocatorStats;
  readonly after: AllocatorStats;
  /** Stats right after boot. */
  readonly baseline: AllocatorStats;
  /** The most the target's retained pool may hold (Target.pool); undefined: none. */
  readonly pool: PoolBound | undefined;
  readonly observe: Observer;
  readonly twin: TwinView | undefined;
  /** What the step could have changed, or a full audit (engine/scope.ts). */
  readonly scope: StepScope;
  /** The live copies by page, at their recorded addresses. */
  readonly copies: CopyIndex;
  /** The last verified content of the pages holding live copies. */
  readonly shadow: PageShadow;
  /** The state-machine model's abstract state after the step, in model-driven runs. */
  readonly machineState: AbstractState | undefined;
}

export interface EndContext {
  readonly model: PercpuModel;
  /** Stats right after boot. */
  readonly baseline: AllocatorStats;
  /** Stats after the teardown (every object freed, reclaim run). */
  readonly final: AllocatorStats;
  readonly twin: { readonly baseline: AllocatorStats; readonly final: AllocatorStats } | undefined;
  /** The most the target's retained pool may hold (Target.pool); undefined: none. */
  readonly pool: PoolBound | undefined;
}

export interface Invariant {
  /** Kebab-case id, as in reports and counterexample files. */
  readonly id: string;
  readonly title: string;
  /** Where it comes from: a line of the 2005 thread, a kernel file or commit. */
  readonly source: string;
  /** What one check costs. */
  readonly cost: string;
  /** Capabilities the target must offer; without them the invariant is "not-checked". */
  readonly needs: readonly Capability[];
  /** Relational: needs a twin run at another NR_CPUS. */
  readonly relational?: boolean;
  /**
   * White-box: the designs (`Target.design`) whose `inspect` detail it reads. It applies only
   * to targets of those designs and is left out of every other target's report. Absent for a
   * black-box invariant, which applies everywhere.
   */
  readonly designs?: readonly string[];
  /**
   * With `designs`: also judged on external harnesses (which name no design), through the
   * protocol form of `inspect` it reads; a harness whose `inspect` lacks that form is not
   * held to it.
   */
  readonly externals?: true;
  /**
   * The names of its conjuncts, for an invariant of several parts, in the order they are
   * judged; a failure's message starts with the one that broke ("nr_empty_pop_pages: ...").
   */
  readonly conjuncts?: readonly string[];
  /**
   * Judged on runs of its own shape rather than on the random command runs (`churn-rounds`:
   * runner/churnCheck.ts; `interleavings`: the concurrent rounds, runner/interleaveCheck.ts);
   * it then has neither `afterStep` nor `atEnd`.
   */
  readonly ownRuns?: "churn-rounds" | "interleavings";
  afterStep?(ctx: StepContext): string | undefined;
  /**
   * A judgement of the state alone (no step, no model), for the states between the sections of
   * an interleaved run where pcpu_lock is free (invariant `between-sections`).
   */
  atPoint?(observe: Observer): string | undefined;
  /**
   * The locks none of which may be held for `atPoint` to be judged (default: pcpu_lock alone).
   * A count that an allocation between reserving its area and populating its pages keeps
   * apart from the bitmaps (mm/percpu.c: "The number of pages will be added back with
   * pcpu_chunk_populated()") is judged only where pcpu_alloc_mutex is free too.
   */
  readonly atPointUnless?: readonly Lock[];
  atEnd?(ctx: EndContext): string | undefined;
}

/**
 * The conjuncts of a multi-part invariant, one per line as in a TLA+ invariant: each named,
 * each a check of the same arguments (a chunk, a block, the whole detail) that returns what
 * broke, or undefined.
 *
 *   const PER_CHUNK: Conjuncts<[Chunk]> = {
 *     nr_populated: (c) => ...,
 *     nr_empty_pop_pages: (c) => ...,
 *   };
 */
export type Conjuncts<A extends unknown[]> = Readonly<
  Record<string, (...args: A) => string | undefined>
>;

/** The first conjunct that breaks, in declaration order, as "name: what broke". */
export function firstBroken<A extends unknown[]>(
  conjuncts: Conjuncts<A>,
  ...args: A
): string | undefined {
  for (const [name, check] of Object.entries(conjuncts)) {
    const broken = check(...args);
    if (broken !== undefined) return `${name}: ${broken}`;
  }
  return undefined;
}

/** The names of conjunct tables, in order, for `Invariant.conjuncts`. */
export function conjunctNames(...tables: Conjuncts<never>[]): string[] {
  return tables.flatMap((t) => Object.keys(t));
}
