/**
 * `pcpu-verify diff BASE HEAD`: the same generated runs on two targets, compared after every
 * step (properties/diff): each call's outcome, each object's place, the pages held by node and
 * the blocks in use, and the block lists where both have `inspect`. `--compare` says which of
 * these; of each, only what both sides expose is compared. Exit 0 when they agree, 1 when they
 * differ (the difference shrunk, 1-minimal, written as a counterexample file under `--out` that
 * `replay` runs on both sides), 2 for a usage error, 3 when a harness failed as a process.
 *
 * BASE and HEAD are revision or mutant ids, or harnesses (`--base-external "CMD"`,
 * `--head-external "CMD"`), as `review` takes them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";
import { HarnessFailure } from "../impl/external/index.ts";
import {
  asExternal,
  capabilitiesOf,
  COMPARE_ASPECTS,
  describeStep,
  diffFileName,
  diffToFile,
  formatCounterexample,
  orderedAspects,
  runDiff,
  type CompareAspect,
  type DiffReport,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { formatTopology, plural } from "./format.ts";
import { resolveTarget } from "./metricsTarget.ts";
import { listIds } from "./optionParsers.ts";
import { checkOutputDir } from "./outputPaths.ts";
import { UsageError } from "./usageError.ts";

export interface DiffCliOptions {
  readonly baseExternal?: string;
  readonly headExternal?: string;
  readonly harnessTimeout?: number;
  /** The aspects asked for (default: every one both sides can give). */
  readonly compare?: readonly CompareAspect[];
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** `--cpus N`: every run has possible CPUs 0..N-1. */
  readonly cpus?: number;
  /** `--nodes N`: every run has N nodes. */
  readonly nodes?: number;
  readonly out: string;
  readonly json?: boolean;
}

/** `--compare outcomes,placement`: known aspects, at least one, in the order given. */
export function parseCompare(value: string): CompareAspect[] {
  const words = value
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
  if (words.length === 0) {
    throw new InvalidArgumentError(`expected one or more of ${listIds([...COMPARE_ASPECTS])}`);
  }
  const unknown = words.find((w) => !(COMPARE_ASPECTS as readonly string[]).includes(w));
  if (unknown !== undefined) {
    throw new InvalidArgumentError(
      `unknown aspect "${unknown}"; expected a comma-separated list of ${listIds([...COMPARE_ASPECTS])}`,
    );
  }
  return [...new Set(words as CompareAspect[])];
}

/** The two sides from the positional ids and the external options. */
function diffSides(ids: readonly string[], o: DiffCliOptions): [Target, Target] {
  const externals = (o.baseExternal !== undefined ? 1 : 0) + (o.headExternal !== undefined ? 1 : 0);
  if (ids.length + externals !== 2) {
    throw new UsageError(
      `diff: expected two targets, BASE and HEAD (ids, or --base-external/--head-external), got ${plural(ids.length, "id")} and ${plural(externals, "harness", "harnesses")}`,
    );
  }
  const rest = [...ids];
  const side = (external: string | undefined, id: string, option: string) =>
    resolveTarget(
      external === undefined ? rest.shift() : undefined,
      external,
      { id, external: option },
      o.harnessTimeout,
    );
  return [
    side(o.baseExternal, "BASE", "--base-external"),
    side(o.headExternal, "HEAD", "--head-external"),
  ];
}

/** The aspects to compare, and the ones left out with the reason; a usage error if none. */
function chooseAspects(
  asked: readonly CompareAspect[] | undefined,
  base: Target,
  head: Target,
): { aspects: Set<CompareAspect>; left: string[] } {
  const lacking = [
    ...(capabilitiesOf(base).has("inspect") ? [] : ["BASE"]),
    ...(capabilitiesOf(head).has("inspect") ? [] : ["HEAD"]),
  ];
  const aspects = new Set(asked ?? COMPARE_ASPECTS);
  const left: string[] = [];
  if (aspects.has("lists") && lacking.length > 0) {
    const why = `lists: ${lacking.join(" and ")} ${lacking.length === 1 ? "has" : "have"} no inspect`;
    if (asked !== undefined && asked.length === 1) {
      throw new UsageError(`diff --compare lists: nothing to compare: ${why.slice(7)}`);
    }
    aspects.delete("lists");
    left.push(why);
  }
  return { aspects, left };
}

export function diffCommand(ids: readonly string[], options: DiffCliOptions, io: CliIo): number {
  checkOutputDir("--out", options.out);
  const [base, head] = diffSides(ids, options);
  let report: DiffReport;
  let aspects: Set<CompareAspect>;
  let left: string[];
  try {
    ({ aspects, left } = chooseAspects(options.compare, base, head));
    const shape = {
      ...(options.cpus !== undefined ? { possibleCpus: options.cpus } : {}),
      ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    };
    report = runDiff(base, head, { ...options, aspects, shape });
  } catch (e) {
    if (!(e instanceof HarnessFailure)) throw e;
    io.err(`diff: a harness failed (${e.kind}): ${e.message}\n`);
    return EXIT_HARNESS;
  } finally {
    asExternal(base)?.close();
    asExternal(head)?.close();
  }
  const ce = report.counterexample;
  let file: string | undefined;
  if (ce !== undefined) {
    mkdirSync(options.out, { recursive: true });
    file = join(options.out, diffFileName(base, head));
    writeFileSync(file, formatCounterexample(diffToFile(base, head, aspects, ce)));
  }
  const failure = report.harnessFailure;
  const compared = orderedAspects(aspects);
  if (options.json) {
    const json = {
      base: base.id,
      head: head.id,
      seed: options.seed,
      runs: report.runs,
      max_commands: options.maxCommands,
      compare: compared,
      not_compared: left,
      agree: ce === undefined && failure === undefined,
      steps: report.steps,
      cut: report.cut,
      reached: {
        steps_by_op: report.reach.byOp,
        reserved_allocs: report.reach.reservedAllocs,
        atomic_allocs: report.reach.atomicAllocs,
        enomem: report.reach.enomem,
        max_possible_cpus: report.reach.maxPossible,
        max_nodes: report.reach.maxNodes,
      },
      ...(ce !== undefined
        ? {
            difference: {
              field: ce.difference.field,
              aspect: ce.difference.aspect,
              base: ce.difference.base,
              head: ce.difference.head,
              step: ce.stepIndex,
              length: ce.steps.length,
              message: ce.message,
              commands: ce.steps.map(describeStep),
              file,
            },
          }
        : {}),
      ...(failure !== undefined
        ? { harness_failure: { kind: failure.failure.kind, message: failure.failure.message } }
        : {}),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const verdict =
      failure !== undefined
        ? `a harness failed (${failure.failure.kind})`
        : ce === undefined
          ? "they agree"
          : `they differ: ${ce.difference.field}`;
    io.out(
      [
        `pcpu-verify diff ${base.id} -> ${head.id}: ${verdict}`,
        `seed ${options.seed}, ${plural(report.runs, "run")} of up to ${options.maxCommands} commands, ${plural(report.steps, "step")} compared; compared: ${compared.join(", ")}${left.length > 0 ? `; not compared: ${left.join("; ")}` : ""}`,
        ...(report.cut > 0
          ? [
              `${plural(report.cut, "run")} ended early where the sides parted in an aspect not compared`,
            ]
          : []),
        ...(ce !== undefined
          ? [
              "",
              `first difference after step ${ce.stepIndex} of ${plural(ce.steps.length, "step")} (1-minimal), ${formatTopology(ce.config)}:`,
              ...ce.steps.map((s, i) => `${String(i).padStart(3)}  ${describeStep(s)}`),
              `  ${ce.difference.field}: BASE ${ce.difference.base}, HEAD ${ce.difference.head}`,
              `  file: ${file}`,
            ]
          : []),
        ...(failure !== undefined ? [`  ${failure.failure.message.split("\n")[0]}`] : []),
        "",
      ].join("\n"),
    );
  }
  if (failure !== undefined) return EXIT_HARNESS;
  return ce === undefined ? EXIT_OK : EXIT_FAIL;
}
