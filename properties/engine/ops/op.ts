/**
 * One operation of the protocol, whole: everything the engine knows of it lives in its module
 * (`allocOp.ts`, `freeOp.ts`, ...), and `index.ts` lists them. A module owns
 *
 *   schema, refine     the step's JSON form (counterexample files, replay)
 *   describe           the step as one line of a script
 *   prepare            the model's expectation, how it runs on the target and on the twin,
 *                      and what it changes in the model when the allocator grants it
 *   scope              the pages the step could have changed (engine/scope.ts)
 *   rename, makes      how minimisation renames its objects
 *   fromMachineEvent   the step a system-machine event stands for (model-driven runs)
 *   generators         the random commands that make it (properties/commands)
 *   expand, bulk       a bulk step (fill, drain): the ordinary steps it stands for, and how
 *                      minimisation lowers its count or splits it
 *
 * so that a new operation is one file and one line in the table.
 */
import type fc from "fast-check";
import type { z } from "zod";
import type { Capability, PercpuAllocator, Result } from "../../../impl/index.ts";
import type { BlockKind, SystemEvent } from "../../../model/systemMachine.ts";
import type { Expectation, Outcome } from "../../invariants/invariant.ts";
import { pagesOf, type CopyIndex } from "../copyIndex.ts";
import type { ObjectRecord, PercpuModel } from "../model.ts";
import type { Observer } from "../observer.ts";
import type { Target } from "../target.ts";

/** What an operation may look at when it prepares a step. */
export interface OpContext {
  readonly model: PercpuModel;
  readonly target: Target;
}

/** The twin allocator of a relational check, with the pointers it handed out by name. */
export interface TwinAllocator {
  readonly allocator: PercpuAllocator;
  readonly ptrs: Map<string, number>;
}

/** What a granted step leaves to record beside the model (alloc's copies, free's index entry). */
export interface GrantContext {
  readonly record: ObjectRecord | undefined;
  readonly model: PercpuModel;
  readonly observe: Observer;
  readonly copies: CopyIndex;
}

/** A step made ready to run: what the model expects, and how to run it. */
export interface Prepared {
  /** The object the step names, if any (an allocation's is made by `apply`). */
  readonly record?: ObjectRecord;
  /** Absent: a valid request. */
  readonly expectation?: Expectation;
  /** The step on the allocator under test. */
  perform(allocator: PercpuAllocator): Result<unknown>;
  /** The same step on the twin; absent: the twin does not run it. */
  performTwin?(twin: TwinAllocator): Result<unknown>;
  /** The model's change after a valid request the allocator granted; returns a new object. */
  apply?(value: unknown): ObjectRecord | undefined;
  /** After `apply`, with the allocator's view at hand. */
  granted?(ctx: GrantContext): void;
  /** The request may fail with ENOMEM on its own (an atomic allocation, docs/protocol.md). */
  readonly mayFailAlone?: boolean;
  /** The step is followed by a full audit (it may change pages anywhere). */
  readonly audit?: boolean;
}

/** What the scope of a step is computed from (after the model applied it). */
export interface ScopeStepInput {
  readonly record: ObjectRecord | undefined;
  /** The allocator's answer was ok. */
  readonly ok: boolean;
  readonly model: PercpuModel;
}

/** What a model-driven run offers an operation to make its step from a machine event. */
export interface MachineStepView {
  readonly model: PercpuModel;
  /** A live object in a block of this kind (the `at`-th of the kind in list order), if any. */
  objectIn(kind: BlockKind, at?: number): string | undefined;
}

/** What a generated command resolves its random choices against. */
export interface SessionView {
  readonly model: PercpuModel;
  readonly target: Target;
  readonly capabilities: ReadonlySet<Capability>;
}

/** A random choice of a step, resolved against the session when it may run. */
export interface StepChoice<S> {
  /** The step in the current state, or undefined if none fits. */
  resolve(session: SessionView): S | undefined;
  /** What it will try, before it is resolved. */
  intent(): string;
}

/** An ordinary step a bulk step expands to (any operation of the table but a bulk one). */
export interface PartStep {
  readonly op: string;
}

/** How minimisation makes a bulk step smaller (runner/minimize.ts). */
export interface BulkShape<S> {
  /** How many requests it stands for. */
  count(step: S): number;
  /** The same step standing for its first `count` requests (1 <= count < its own). */
  withCount(step: S, count: number): S;
  /** Two steps that stand for its first `at` requests and the rest, in order. */
  split(step: S, at: number): readonly [S, S];
}

/** A weighted source of random steps of one operation. */
export interface StepGenerator<S> {
  readonly weight: number;
  readonly arbitrary: fc.Arbitrary<StepChoice<S>>;
}

export interface Op<S extends { readonly op: string }> {
  readonly op: S["op"];
  /** The step's JSON form (a strict zod object with `op` a literal). */
  readonly schema: z.ZodType<S>;
  /** Checks across fields the schema cannot state alone. */
  refine?(step: S, ctx: z.RefinementCtx): void;
  /** A capability the target must offer; without it the step is skipped. */
  readonly needs?: Capability;
  /** The capabilities this step needs beyond `needs` (a field of it the protocol extends). */
  needsOf?(step: S): readonly Capability[];
  /** The step as one line of a script: `alloc(24, 8) -> o1`. */
  describe(step: S): string;
  /** A granted answer's value as the kernel would print it (default: "0"). */
  formatValue?(value: unknown): string;
  /** The step made ready, or undefined when it is skipped (it names no object the run has). */
  prepare(step: S, ctx: OpContext): Prepared | undefined;
  /** Adds the pages the step could have changed; the CPU it names for the copy checks. */
  scope?(step: S, input: ScopeStepInput, pages: Set<number>): void;
  scopeCpu?(step: S): number | undefined;
  /** The object name the step makes, if any. */
  makes?(step: S): string | undefined;
  /** Every object name the step makes, in order, for a step that makes several (a fill). */
  madeNames?(step: S): readonly string[];
  /** The step with its object names passed through `rename`. */
  rename?(step: S, rename: (name: string) => string): S;
  /** The machine event types it stands for, and its step for one. */
  readonly machineEvents?: readonly SystemEvent["type"][];
  fromMachineEvent?(event: SystemEvent, view: MachineStepView): S | undefined;
  /**
   * A bulk step: the ordinary steps it stands for in the current state, run in order as parts
   * of it (one line of the trace; session.ts), or undefined when it is skipped. A bulk step
   * has no `prepare` of its own to speak of: it is never run unexpanded.
   */
  expand?(step: S, ctx: OpContext): readonly PartStep[] | undefined;
  readonly bulk?: BulkShape<S>;
  /** Random commands that make it, for a target with these capabilities (appended to the mix). */
  generators?(target: Target, capabilities: ReadonlySet<Capability>): StepGenerator<S>[];
}

/** The pages of an object's copies (for a hotplug event, of its copy on one CPU). */
export function objectPages(obj: ObjectRecord, into: Set<number>, cpu?: number): void {
  for (const [c, start] of obj.copies) {
    if (cpu !== undefined && c !== cpu) continue;
    for (const page of pagesOf(start, start + obj.size)) into.add(page);
  }
}

/** The answer of an allocator call as an outcome. */
export function outcomeOf(result: Result<unknown>): Outcome {
  return result.ok
    ? { ok: true, value: result.value }
    : { ok: false, error: result.error, message: result.message };
}
