/**
 * `pcpu-verify check`: runs the invariants on revisions and mutants with fast-check, writes
 * every failing run as a counterexample file, and reports per target and in sum.
 *
 * Exit code 0 when nothing fails unexpectedly (a failure a revision is known for by design, or
 * the failure a mutant was seeded to cause, is expected), 1 when an invariant fails unexpectedly,
 * 3 when an external harness (`--external "CMD ARGS"`) crashed, hung or broke the protocol: its
 * target's unjudged invariants get that status, and the run so far is written as a file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  INVARIANTS,
  ALL_TARGETS,
  asExternal,
  externalTarget,
  type MutantTarget,
  checkTarget,
  counterexampleFileName,
  describeStep,
  findInvariant,
  formatCounterexample,
  toFile,
  byTarget,
  planUnits,
  shardUnits,
  type Shard,
  type TargetReport,
  type Invariant,
  type InvariantResult,
  type Step,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { isHarnessFailureKind } from "../impl/external/index.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { junitXml } from "./junit.ts";
import { formatDuration, formatTable, formatTopology, plural, truncate } from "./format.ts";

/** The default seed, printed in every report so that a CI failure can be run again. */
export const DEFAULT_SEED = 20051;
export const DEFAULT_RUNS = 200;
export const DEFAULT_MAX_COMMANDS = 60;
/**
 * Where counterexample files go, relative to the working directory: a folder of its own that
 * git ignores, not the committed corpus (counterexamples/, refreshed by `npm run corpus`).
 */
export const DEFAULT_OUT = "pcpu-verify-out";

/** The options of a bare `pcpu-verify check`. */
export function defaultCheckOptions(): CheckOptions {
  return {
    seed: DEFAULT_SEED,
    runs: DEFAULT_RUNS,
    maxCommands: DEFAULT_MAX_COMMANDS,
    out: DEFAULT_OUT,
  };
}

export interface CheckOptions {
  readonly revision?: readonly string[];
  readonly mutant?: readonly string[];
  readonly all?: boolean;
  /** External harnesses, as command lines. */
  readonly external?: readonly string[];
  /** How long to wait for each harness answer, in ms (default 5000). */
  readonly harnessTimeout?: number;
  readonly invariant?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** A full audit every K steps (default 16). */
  readonly auditEvery?: number;
  /** Run only this shard of the (target, invariant) units (`--shard i/n`). */
  readonly shard?: Shard;
  /** Stop starting new work after this many seconds; what was not judged is not-checked. */
  readonly timeLimit?: number;
  /** Also write a JUnit XML report here. */
  readonly junit?: string;
  readonly out: string;
  readonly json?: boolean;
  /**
   * Run the state-machine model's paths and random runs: `--model` always, `--no-model` never;
   * by default on in-process targets, not on external harnesses (their ~100,000 model commands
   * cost minutes over a pipe, and refinement, which the model exists for, is of the 2005 design).
   */
  readonly model?: boolean;
}

export interface CheckResultJson {
  target: string;
  invariant: string;
  status: InvariantResult["status"];
  runs: number;
  expected?: true;
  reason?: string;
  counterexample?: {
    file: string;
    length: number;
    commands: Step[];
    message: string;
  };
}

/** Coverage of the state-machine model: [covered, total] of each kind. */
export interface CoverageJson {
  states: [number, number];
  transitions: [number, number];
  guards: [number, number];
  pairs: [number, number];
}

export interface CheckJson {
  seed: number;
  commands: number;
  elapsed_ms: number;
  results: CheckResultJson[];
  /** Per target, the model coverage of its model-driven runs (absent with --no-model). */
  coverage?: Record<string, CoverageJson>;
}

/**
 * The targets the options name: every revision by default; `--all` adds every mutant.
 * `--external` alone checks only the harnesses (they are made by `checkCommand`).
 */
export function selectTargets(
  options: Pick<CheckOptions, "revision" | "mutant" | "all" | "external">,
  catalogue: readonly Target[] = ALL_TARGETS,
): Target[] {
  const revisions = catalogue.filter((t) => t.kind === "revision");
  if (options.all) return [...catalogue];
  const named = [...(options.revision ?? []), ...(options.mutant ?? [])];
  if (named.length === 0) return (options.external ?? []).length > 0 ? [] : revisions;
  return named.map((id) => catalogue.find((t) => t.id === id) as Target);
}

/** The invariants the options name (all by default). */
function selectInvariants(ids: readonly string[] | undefined): readonly Invariant[] {
  if (ids === undefined || ids.length === 0) return INVARIANTS;
  return ids.map((id) => findInvariant(id) as Invariant);
}

/** The target as a mutant (with what it must break), or undefined for a revision. */
function asMutant(target: Target): MutantTarget | undefined {
  return target.kind === "mutant" && "expected" in target ? (target as MutantTarget) : undefined;
}

/** Why a failure is expected, or undefined when it is not. */
export function expectedReason(target: Target, result: InvariantResult): string | undefined {
  if (result.status !== "fail") return undefined;
  if (result.expected) return result.reason ?? "a known violation of the design";
  // On a mutant every failure is expected: it is the seeded bug, or a consequence of it. What
  // a mutant must not do is survive (see `survived`).
  const mutant = asMutant(target);
  if (mutant !== undefined) {
    return mutant.expected.includes(result.invariant)
      ? `the mutant's seeded bug: ${mutant.description}`
      : `a consequence of the mutant's seeded bug: ${mutant.description}`;
  }
  return undefined;
}

/** The invariants a mutant must break that passed on it: the mutant survived them. */
function survived(target: Target, result: InvariantResult): boolean {
  const mutant = asMutant(target);
  return (
    mutant !== undefined && result.status === "pass" && mutant.expected.includes(result.invariant)
  );
}

interface Row {
  readonly target: Target;
  readonly result: InvariantResult;
  readonly expected: string | undefined;
  readonly file: string | undefined;
}

/** Runs the check; `catalogue` is where target ids are looked up (every target by default). */
export function checkCommand(
  options: CheckOptions,
  io: CliIo,
  catalogue: readonly Target[] = ALL_TARGETS,
): number {
  const started = performance.now();
  const externals = (options.external ?? []).map((command) =>
    externalTarget(command, { timeoutMs: options.harnessTimeout }),
  );
  const selected = [...selectTargets(options, catalogue), ...externals];
  const invariants = selectInvariants(options.invariant);
  const human = options.json ? () => {} : (lines: string[]) => io.out(`${lines.join("\n")}\n`);
  const units = planUnits(selected, invariants);
  const planned = options.shard !== undefined ? shardUnits(units, options.shard) : units;
  const plan = byTarget(planned);
  const targets = plan.map((p) => p.target);
  const deadline =
    options.timeLimit !== undefined ? Date.now() + options.timeLimit * 1000 : undefined;

  human([
    `pcpu-verify check: seed ${options.seed}, ${plural(options.runs, "run")} per round, at most ${plural(options.maxCommands, "command")} per run`,
    `${plural(targets.length, "target")}, ${plural(invariants.length, "invariant")}; counterexamples go to ${options.out}`,
    ...(options.shard !== undefined
      ? [
          `shard ${options.shard.index}/${options.shard.count}: ${planned.length} of ${plural(units.length, "(target, invariant) unit")}`,
        ]
      : []),
    ...(options.timeLimit !== undefined ? [`time limit ${options.timeLimit} s`] : []),
  ]);

  const rows: Row[] = [];
  const coverage: Record<string, CoverageJson> = {};
  let commands = 0;
  let madeOut = false;
  const harnessFailures: string[] = [];
  for (const { target, invariants: mineInvariants } of plan) {
    let report: ReturnType<typeof checkTarget>;
    try {
      report =
        deadline !== undefined && Date.now() > deadline
          ? notReached(target, mineInvariants)
          : checkTarget(target, {
              seed: options.seed,
              runs: options.runs,
              maxCommands: options.maxCommands,
              model: options.model ?? target.kind !== "external",
              auditEvery: options.auditEvery,
              invariants: mineInvariants,
              ...(deadline !== undefined ? { deadline } : {}),
            });
    } finally {
      asExternal(target)?.close();
    }
    commands += report.commands;
    const written = new Map<string, string>();
    const mine: Row[] = report.results.map((result) => {
      const expected = expectedReason(target, result);
      const harness = isHarnessFailureKind(result.status);
      if (result.status !== "fail" && !harness)
        return { target, result, expected, file: undefined };
      if (!madeOut) {
        mkdirSync(options.out, { recursive: true });
        madeOut = true;
      }
      // A harness failure is one finding for the target: one file, named after its kind.
      const name = harness ? result.status : result.invariant;
      let file = written.get(name);
      if (file === undefined) {
        file = join(options.out, counterexampleFileName(target, name));
        writeFileSync(file, formatCounterexample(toFile(target, result, expected !== undefined)));
        written.set(name, file);
      }
      return { target, result, expected, file };
    });
    if (report.harnessFailure !== undefined) {
      const failure = report.harnessFailure;
      harnessFailures.push(target.id);
      const ce = failure.counterexample;
      human([
        "",
        `${target.id}: ${failure.failure.kind.toUpperCase()}`,
        ...failure.failure.message.split("\n").map((l) => `  ${l}`),
        `  topology: ${formatTopology(ce.config)}`,
        `  steps sent in that run (${plural(ce.steps.length, "step")}):`,
        ...ce.steps.map((s, i) => `  ${String(i).padStart(3)}  ${describeStep(s)}`),
        `  file: ${written.get(failure.failure.kind) ?? "(none)"}`,
      ]);
    }
    rows.push(...mine);
    human(targetReport(target, mine));
    if (report.coverage !== undefined) {
      coverage[target.id] = report.coverage;
      human([`  model coverage: ${coverageText(report.coverage)}`]);
    }
  }
  for (const t of externals) t.close();
  const elapsed = performance.now() - started;
  const unexpected = rows.filter((r) => r.result.status === "fail" && r.expected === undefined);
  if (options.junit !== undefined) {
    const cases = rows.map((r) => ({
      result: resultJson(r),
      survived: survived(r.target, r.result),
    }));
    writeFileSync(options.junit, junitXml(cases, elapsed, options.seed));
  }
  if (deadline !== undefined) {
    const judged = rows.filter((r) => r.result.status !== "not-checked").length;
    human([
      "",
      `time limit ${options.timeLimit} s: ${Date.now() > deadline ? "reached" : "not reached"}; ${judged} of ${plural(rows.length, "(target, invariant) unit")} judged${judged < rows.length ? ", the rest not-checked" : ""}`,
    ]);
  }

  if (options.json) {
    const json: CheckJson = {
      seed: options.seed,
      commands,
      elapsed_ms: Math.round(elapsed),
      results: rows.map(resultJson),
      ...(Object.keys(coverage).length > 0 ? { coverage } : {}),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    human(summary(targets, rows, commands, elapsed, options.seed));
  }
  const survivors = rows.filter((r) => survived(r.target, r.result));
  if (harnessFailures.length > 0) return EXIT_HARNESS;
  return unexpected.length > 0 || survivors.length > 0 ? EXIT_FAIL : EXIT_OK;
}

/** A target the time limit left out: every invariant not-checked. */
function notReached(target: Target, invariants: readonly Invariant[]): TargetReport {
  return {
    target,
    commands: 0,
    results: invariants.map((i) => ({
      target: target.id,
      invariant: i.id,
      status: "not-checked" as const,
      runs: 0,
      reason: "the time limit ended the check first",
    })),
  };
}

function resultJson(row: Row): CheckResultJson {
  const { result, expected, file } = row;
  const reason = expected ?? result.reason;
  const ce = result.counterexample;
  return {
    target: result.target,
    invariant: result.invariant,
    status: result.status,
    runs: result.runs,
    ...(expected !== undefined ? { expected: true as const } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(ce !== undefined && file !== undefined
      ? {
          counterexample: {
            file,
            length: ce.steps.length,
            commands: [...ce.steps],
            message: ce.message,
          },
        }
      : {}),
  };
}

function statusText(row: Row): string {
  const { result, target, expected } = row;
  if (result.status === "pass") return "pass";
  if (result.status === "not-checked") return "not-checked";
  if (isHarnessFailureKind(result.status)) return result.status.toUpperCase();
  if (expected === undefined) return "FAIL";
  return target.kind === "mutant" && !result.expected
    ? "fail (expected, seeded bug)"
    : "fail (expected, by design)";
}

const NOTE_WIDTH = 96;

function noteText(row: Row): string {
  const { result, expected } = row;
  if (result.status === "pass") {
    return survived(row.target, result) ? "SURVIVED: the mutant should break this invariant" : "";
  }
  if (result.status === "not-checked" || isHarnessFailureKind(result.status)) {
    return truncate(result.reason ?? "", NOTE_WIDTH);
  }
  // By design: why the design breaks it. Otherwise (unexpected, or a mutant's seeded bug): what broke.
  if (result.expected) return truncate(expected ?? "", NOTE_WIDTH);
  return truncate(result.counterexample?.message ?? "", NOTE_WIDTH);
}

/** The table of one target, then each failure's counterexample. */
/** "states 2340/2340 (100%), transitions ..." */
export function coverageText(c: CoverageJson): string {
  const part = (name: string, [done, total]: [number, number]) =>
    `${name} ${done}/${total} (${total === 0 ? 100 : Math.floor((done / total) * 1000) / 10}%)`;
  return [
    part("states", c.states),
    part("transitions", c.transitions),
    part("guard outcomes", c.guards),
    part("transition pairs", c.pairs),
  ].join(", ");
}

function targetReport(target: Target, rows: readonly Row[]): string[] {
  const kind = target.kind === "mutant" ? `mutant of ${target.revision ?? "?"}` : target.kind;
  const lines = ["", `${target.id} (${kind})`];
  lines.push(
    ...formatTable(
      [
        { header: "invariant" },
        { header: "status" },
        { header: "runs", align: "right" },
        { header: "note" },
      ],
      rows.map((r) => [r.result.invariant, statusText(r), String(r.result.runs), noteText(r)]),
      "  ",
    ),
  );
  for (const r of rows) {
    const ce = r.result.counterexample;
    if (r.result.status !== "fail" || ce === undefined || r.file === undefined) continue;
    // Harness failures are shown once, after the table.
    if (r.expected !== undefined) {
      lines.push(
        `  ${r.result.invariant} (expected): ${plural(ce.steps.length, "step")} in ${r.file}`,
      );
      continue;
    }
    lines.push(
      "",
      `  FAIL ${r.result.invariant}: ${ce.message}`,
      `    topology: ${formatTopology(ce.config)}`,
      `    counterexample (${plural(ce.steps.length, "step")}, seed ${ce.seed}):`,
      ...ce.steps.map((s, i) => `    ${String(i).padStart(3)}  ${describeStep(s)}`),
      `    file: ${r.file}`,
      `    replay: pcpu-verify replay ${r.file}`,
    );
  }
  return lines;
}

function summary(
  targets: readonly Target[],
  rows: readonly Row[],
  commands: number,
  elapsed: number,
  seed: number,
): string[] {
  const count = (rs: readonly Row[]) => ({
    pass: rs.filter((r) => r.result.status === "pass").length,
    fail: rs.filter((r) => r.result.status === "fail" && r.expected === undefined).length,
    expected: rs.filter((r) => r.result.status === "fail" && r.expected !== undefined).length,
    notChecked: rs.filter((r) => r.result.status === "not-checked").length,
    harness: rs.filter((r) => isHarnessFailureKind(r.result.status)).length,
  });
  const line = (name: string, c: ReturnType<typeof count>) => [
    name,
    String(c.pass),
    String(c.fail),
    String(c.expected),
    String(c.notChecked),
  ];
  const table = targets.map((t) => line(t.id, count(rows.filter((r) => r.target === t))));
  const total = count(rows);
  if (targets.length > 1) table.push(line("total", total));
  const survivors = rows.filter((r) => survived(r.target, r.result));
  const verdict =
    total.harness > 0
      ? `FAILED: a harness crashed, hung or broke the protocol: ${targets
          .filter((t) => rows.some((r) => r.target === t && isHarnessFailureKind(r.result.status)))
          .map((t) => t.id)
          .join(", ")} (exit 3)`
      : total.fail > 0
        ? `FAILED: ${plural(total.fail, "invariant failure")} not expected (exit 1)`
        : survivors.length > 0
          ? `FAILED: ${plural(survivors.length, "mutant")} not caught (exit 1)`
          : `passed: no unexpected failures${total.expected > 0 ? ` (${total.expected} expected)` : ""}`;
  return [
    "",
    "summary",
    ...formatTable(
      [
        { header: "target" },
        { header: "pass", align: "right" },
        { header: "fail", align: "right" },
        { header: "expected", align: "right" },
        { header: "not-checked", align: "right" },
      ],
      table,
      "  ",
    ),
    "",
    `${commands} commands executed in ${formatDuration(elapsed)} (seed ${seed})`,
    ...(survivors.length > 0
      ? [
          `mutants that survived an invariant meant to catch them: ${survivors
            .map((r) => `${r.target.id}/${r.result.invariant}`)
            .join(", ")}`,
        ]
      : []),
    verdict,
  ];
}
