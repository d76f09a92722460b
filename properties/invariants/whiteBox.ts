/**
 * White-box invariants read a design's own bookkeeping through `inspect`'s `detail`, which
 * each revision fills in its own shape with a `design` tag (e.g. "kiran-2005"). An invariant
 * with `designs` applies only to targets of those designs (`appliesTo`); `whiteBoxDetail`
 * fetches the detail and checks its tag, so a white-box predicate never misreads another
 * design's fields.
 */
import type { Target } from "../engine/target.ts";
import type { Observer } from "../engine/observer.ts";
import type { Capability } from "../../impl/index.ts";
import type { Invariant, StepContext } from "./invariant.ts";

/**
 * Whether an invariant is judged on a target: black-box ones everywhere, white-box by design,
 * those of the concurrent rounds on the in-process targets that run their calls as sections
 * (the `threads` capability).
 */
export function appliesTo(invariant: Invariant, target: Target): boolean {
  if (invariant.ownRuns === "interleavings" && !hasThreads(target)) return false;
  if (invariant.designs === undefined) return true;
  if (invariant.externals === true && target.kind === "external") return true;
  return target.design !== undefined && invariant.designs.includes(target.design);
}

const threadsOf = new WeakMap<Target, boolean>();

/** Whether an in-process target's allocator declares `threads` (asked once per target). */
function hasThreads(target: Target): boolean {
  if (target.kind === "external") return false;
  let has = threadsOf.get(target);
  if (has === undefined) {
    has = target.create().hello().capabilities.includes("threads");
    threadsOf.set(target, has);
  }
  return has;
}

/** The invariants of a list that apply to a target, in the list's order. */
export function applicable(invariants: readonly Invariant[], target: Target): Invariant[] {
  return invariants.filter((i) => appliesTo(i, target));
}

/** A design's detail, or why it could not be read (a violation message). */
export type DetailResult<T> = { readonly detail: T } | { readonly problem: string };

/**
 * The `inspect` detail tagged `design`, as the design's own type. The caller's type parameter
 * is trusted once the tag matches: each revision's detail type lives beside its invariants.
 */
export function whiteBoxDetail<T>(observe: Observer, design: string): DetailResult<T> {
  const view = observe.inspect();
  if (!view.ok) return { problem: `inspect failed: ${view.error} ${view.message}` };
  const detail = view.value.detail as { design?: unknown } | undefined;
  if (detail === undefined || detail === null || typeof detail !== "object") {
    return { problem: `inspect has no detail; expected the ${design} detail` };
  }
  if (detail.design !== design) {
    return { problem: `inspect detail is of design ${String(detail.design)}, expected ${design}` };
  }
  return { detail: detail as T };
}

/** The detail tagged `design`, or the violation message why it could not be read. */
export function readDetail<T>(observe: Observer, design: string): T | string {
  const r = whiteBoxDetail<T>(observe, design);
  return "problem" in r ? r.problem : r.detail;
}

/** What a white-box invariant is made of: its description and its judgement of a detail. */
export interface WhiteBoxSpec<T> {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly cost: string;
  /** The names of its conjuncts, if it has several (Invariant.conjuncts). */
  readonly conjuncts?: readonly string[];
  /** Capabilities beyond `inspect`. */
  readonly needs?: readonly Capability[];
  /** The design whose detail it reads. */
  readonly design: string;
  /** How the detail is read (default: `whiteBoxDetail` of the design); a string is a problem. */
  readonly read?: (observe: Observer) => T | string;
  /** The violation in the detail, or undefined (absent: `state` is the whole judgement). */
  judge?(detail: T, ctx: StepContext): string | undefined;
  /**
   * The part of `judge` that needs the detail alone: judged between the sections of an
   * interleaved run (Invariant.atPoint); absent: not judged there.
   */
  state?(detail: T): string | undefined;
}

/**
 * A white-box invariant: a whole-structure check of one design's bookkeeping, judged at the
 * full audits (every K steps, after reclaim or an ENOMEM, and at the end of each run), where
 * the detail is read once and shared.
 */
export function whiteBoxInvariant<T>(spec: WhiteBoxSpec<T>): Invariant {
  const read = spec.read ?? ((observe: Observer) => readDetail<T>(observe, spec.design));
  const state = spec.state?.bind(spec);
  const judge = spec.judge?.bind(spec) ?? state;
  if (judge === undefined)
    throw new Error(`${spec.id}: a white-box invariant needs judge or state`);
  return {
    id: spec.id,
    title: spec.title,
    source: spec.source,
    cost: spec.cost,
    needs: ["inspect", ...(spec.needs ?? [])],
    designs: [spec.design],
    ...(spec.conjuncts !== undefined ? { conjuncts: spec.conjuncts } : {}),
    ...(state !== undefined ? { atPoint: atPointOf(read, state) } : {}),
    afterStep(ctx) {
      if (!ctx.scope.audit) return undefined;
      const detail = read(ctx.observe);
      if (typeof detail === "string") return detail;
      return judge(detail, ctx);
    },
  };
}

/** A state judgement on a freshly read detail (a detail that cannot be read is the violation). */
export function atPointOf<T>(
  read: (observe: Observer) => T | string,
  state: (detail: T) => string | undefined,
): (observe: Observer) => string | undefined {
  return (observe) => {
    const detail = read(observe);
    return typeof detail === "string" ? detail : state(detail);
  };
}
