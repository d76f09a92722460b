/**
 * What a check is asked to judge: the targets and invariants the options name, and the
 * (target, invariant) units planned from them. A unit that cannot be judged under the chosen
 * options is left out of the plan and said so in one line ("not planned"), rather than run and
 * reported not-checked: refinement is judged only on the state-machine model's runs, so with
 * the model off (`--no-model`, or an external harness without `--model`) it is not planned.
 *
 * A selection with nothing to judge is the user's mistake, found before any work: no unit at
 * all (or none in the chosen shard), or an invariant asked for by name that no selected target
 * keeps (`emptySelection` says which, and what would make it judgeable).
 */
import type { Target } from "../engine/target.ts";
import { appliesTo, findInvariant, INVARIANTS, type Invariant } from "../invariants/index.ts";
import { ALL_TARGETS } from "../targets.ts";
import { shardUnits, type Shard, type WorkUnit } from "./shard.ts";

export interface SelectionOptions {
  readonly revision?: readonly string[];
  readonly mutant?: readonly string[];
  readonly all?: boolean;
  /** External harnesses, as command lines. */
  readonly external?: readonly string[];
}

/**
 * The in-process targets the options name: every revision by default; `--all` adds every
 * mutant; `--external` alone checks only the harnesses (made by the caller).
 */
export function selectTargets(
  options: SelectionOptions,
  catalogue: readonly Target[] = ALL_TARGETS,
): Target[] {
  const revisions = catalogue.filter((t) => t.kind === "revision");
  if (options.all) return [...catalogue];
  const named = [...(options.revision ?? []), ...(options.mutant ?? [])];
  if (named.length === 0) return (options.external ?? []).length > 0 ? [] : revisions;
  return named.map((id) => catalogue.find((t) => t.id === id) as Target);
}

/** The invariants named (all by default). */
export function selectInvariants(ids: readonly string[] | undefined): readonly Invariant[] {
  if (ids === undefined || ids.length === 0) return INVARIANTS;
  return ids.map((id) => findInvariant(id) as Invariant);
}

/**
 * Whether the state-machine model's paths and random runs are run on a target: `model` when
 * given (`--model`, `--no-model`), else on in-process targets and not on external harnesses
 * (their ~100,000 model commands cost minutes over a pipe).
 */
export function modelFor(target: Target, model: boolean | undefined): boolean {
  return model ?? target.kind !== "external";
}

/**
 * Whether the invariants judged on churn rounds (utilization-after-churn) are planned on a
 * target: `churn` when given (`--churn`, `--no-churn`), else on in-process targets and not on
 * external harnesses, where one churn run is thousands of requests (about 25 s on the C
 * example harness, whose first fit scans every chunk) and a check makes several.
 */
export function churnFor(target: Target, churn: boolean | undefined): boolean {
  return churn ?? target.kind !== "external";
}

/** Invariants judged only on the model's runs: with the model off they cannot be judged. */
const MODEL_ONLY: ReadonlySet<string> = new Set(["refinement"]);

/** A unit left out of the plan, and why. */
export interface NotPlanned {
  readonly target: Target;
  readonly invariant: Invariant;
  readonly reason: string;
  /** The option that would make it judgeable. */
  readonly remedy: string;
}

export interface Plan {
  /** Every unit judged, in run order (before any shard). */
  readonly units: WorkUnit[];
  /** The units of the chosen shard (all of `units` without one). */
  readonly planned: WorkUnit[];
  /** Units of the design that the options leave unjudgeable. */
  readonly notPlanned: NotPlanned[];
}

export interface PlanOptions {
  /** `--model` (true), `--no-model` (false), or the default (undefined, see `modelFor`). */
  readonly model?: boolean;
  /** `--churn` (true), `--no-churn` (false), or the default (undefined, see `churnFor`). */
  readonly churn?: boolean;
  readonly shard?: Shard;
}

/** The units of a check: each target's invariants that apply to it and can be judged. */
export function planCheck(
  targets: readonly Target[],
  invariants: readonly Invariant[],
  options: PlanOptions = {},
): Plan {
  const units: WorkUnit[] = [];
  const notPlanned: NotPlanned[] = [];
  for (const target of targets) {
    for (const invariant of invariants) {
      if (!appliesTo(invariant, target)) continue;
      if (MODEL_ONLY.has(invariant.id) && !modelFor(target, options.model)) {
        notPlanned.push({ target, invariant, reason: "the model is off", remedy: "--model" });
        continue;
      }
      if (invariant.ownRuns === "churn-rounds" && !churnFor(target, options.churn)) {
        const reason =
          target.kind === "external"
            ? "churn runs are thousands of requests each over a pipe"
            : "the churn runs are off";
        notPlanned.push({ target, invariant, reason, remedy: "--churn" });
        continue;
      }
      units.push({ target, invariant });
    }
  }
  const planned = options.shard !== undefined ? shardUnits(units, options.shard) : units;
  return { units, planned, notPlanned };
}

/** "not planned: refinement (the model is off: --model)", one line per reason. */
export function notPlannedLines(notPlanned: readonly NotPlanned[]): string[] {
  const byWhy = new Map<string, Set<string>>();
  for (const n of notPlanned) {
    const key = `${n.reason}: ${n.remedy}`;
    const ids = byWhy.get(key) ?? new Set<string>();
    ids.add(n.invariant.id);
    byWhy.set(key, ids);
  }
  return [...byWhy].map(([why, ids]) => `not planned: ${[...ids].join(", ")} (${why})`);
}

function listIds(ids: readonly string[]): string {
  return ids.length === 0 ? "(none)" : ids.join(", ");
}

/**
 * Why the selection has nothing to judge, or undefined when it has: the invariants named that
 * no selected target keeps (with what would make them judgeable), or an empty shard.
 */
export function emptySelection(
  targets: readonly Target[],
  named: readonly string[] | undefined,
  plan: Plan,
  shard?: Shard,
): string | undefined {
  const targetList = `selected target${targets.length === 1 ? "" : "s"}: ${listIds(targets.map((t) => t.id))}`;
  const judged = new Set(plan.units.map((u) => u.invariant.id));
  const unkept = (named ?? []).filter((id) => !judged.has(id));
  if (unkept.length > 0) {
    const remedies = unkept.flatMap((id) => {
      const n = plan.notPlanned.find((p) => p.invariant.id === id);
      if (n !== undefined) return [`${id}: ${n.reason}; ${n.remedy} would judge it`];
      const designs = findInvariant(id)?.designs;
      return designs === undefined
        ? []
        : [`${id} is judged on targets of design ${designs.join(", ")} only`];
    });
    return [
      `no selected target keeps ${unkept.length === 1 ? "invariant" : "invariants"} ${unkept.join(", ")} (${targetList})`,
      ...remedies,
    ].join("; ");
  }
  if (plan.units.length === 0) {
    return `nothing to judge: no invariant applies to the selection (${targetList})`;
  }
  if (plan.planned.length === 0 && shard !== undefined) {
    return `shard ${shard.index}/${shard.count} has nothing to judge: the selection has ${plan.units.length} (target, invariant) unit${plan.units.length === 1 ? "" : "s"} (${targetList})`;
  }
  return undefined;
}
