/**
 * `pcpu-verify report --out DIR`: one Markdown report that GitHub renders and that reads
 * offline, with its plots and counterexample files beside it.
 *
 *   DIR/README.md                          the check table, review tables, diagrams
 *   DIR/utilization-churn.svg              utilization through 5 churn rounds, per target
 *   DIR/work-growth-comparisons.svg        comparisons per allocation against live objects,
 *   DIR/work-growth-loop-iterations.svg    loop iterations, and bits scanned: one quantity
 *   DIR/work-growth-bits-scanned.svg       each, on kiran-2005 and on 4-byte counters
 *   DIR/counterexamples/*.json             every failing run, replayable with `pcpu-verify replay`
 *
 * The targets are every revision by default, or those of `--revision`, `--mutant` and
 * `--external` (as in `check`). Each is checked and measured once; each review pairs a target
 * with the one before it (the design history, oldest first; a mutant with its revision when that
 * is in the report), reusing those results. The model's rounds run on in-process targets, not on
 * external harnesses, unless `--model` / `--no-model`. A long run draws a progress bar on a
 * terminal's standard error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  asExternal,
  buildReview,
  checkTarget,
  counterexampleFileName,
  expectedReason,
  externalTarget,
  findWorkload,
  formatCounterexample,
  GROWTH_QUANTITIES,
  growthSpec,
  measureTarget,
  MUTANT_TARGETS,
  renderSvg,
  toFile,
  REVISION_TARGETS,
  reviewMarkdown,
  traceMermaid,
  utilizationSpec,
  type InvariantResult,
  type MetricsReport,
  type Target,
  type TargetReport,
  type Workload,
} from "../properties/index.ts";
import { DIAGRAMS } from "../model/diagrams.ts";
import { toMermaid } from "../model/toMermaid.ts";
import type { CliIo } from "./cliIo.ts";
import { HarnessFailure } from "../impl/external/index.ts";
import { EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { plural } from "./format.ts";
import { checkReportDir, WRITTEN_MARK } from "./outputPaths.ts";
import { progressFor } from "./progress.ts";
import { UsageError } from "./usageError.ts";

export interface ReportOptions {
  readonly out: string;
  readonly revision?: readonly string[];
  readonly mutant?: readonly string[];
  /** External harnesses, as command lines. */
  readonly external?: readonly string[];
  readonly harnessTimeout?: number;
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** The model's rounds: true always, false never, undefined on in-process targets only. */
  readonly model?: boolean;
  readonly objects?: number;
  readonly rounds: number;
  readonly growthMax: number;
}

const REPORT_WORKLOADS = ["kiran-2005", "counters", "kernel-mix"] as const;

function workload(id: string): Workload {
  const w = findWorkload(id);
  if (w === undefined) throw new Error(`report: no workload ${id}`);
  return w;
}

function cell(r: InvariantResult | undefined, file: string | undefined, target: Target): string {
  if (r === undefined) return "n/a";
  if (r.status !== "fail") return r.status;
  const len = r.counterexample?.steps.length ?? 0;
  // A mutant's failures are its seeded bug (or follow from it); a revision's, its design's.
  const seeded = target.kind === "mutant" && r.expected !== true;
  const why =
    expectedReason(target, r) === undefined ? "" : seeded ? ", seeded bug" : ", by design";
  const text = `fail (${plural(len, "step")}${why})`;
  return file === undefined ? text : `[${text}](${file})`;
}

/**
 * The targets the options name, in order: revisions, mutants, external harnesses; every
 * revision when none is named.
 */
export function reportTargets(options: ReportOptions): Target[] {
  const pick = (ids: readonly string[] | undefined, from: readonly Target[], what: string) =>
    (ids ?? []).map((id) => {
      const t = from.find((x) => x.id === id);
      if (t === undefined) throw new UsageError(`--${what}: unknown ${what} '${id}'`);
      return t;
    });
  const named = [
    ...pick(options.revision, REVISION_TARGETS, "revision"),
    ...pick(options.mutant, MUTANT_TARGETS, "mutant"),
  ];
  const externals = (options.external ?? []).map((command) =>
    externalTarget(command, { timeoutMs: options.harnessTimeout }),
  );
  if (named.length === 0 && externals.length === 0) return [...REVISION_TARGETS];
  return [...named, ...externals];
}

/** The target each one is reviewed against: its revision when in the report, else the one before. */
function reviewPairs(targets: readonly Target[]): [Target, Target][] {
  return targets.flatMap((t, i): [Target, Target][] => {
    const own = t.kind === "mutant" ? targets.find((x) => x.id === t.revision) : undefined;
    const base = own ?? targets[i - 1];
    return base === undefined ? [] : [[base, t]];
  });
}

export async function reportCommand(options: ReportOptions, io: CliIo): Promise<number> {
  // The output folder is judged before any harness starts or any work is done.
  checkReportDir("--out", options.out);
  const targets = reportTargets(options);
  try {
    return await writeReport(targets, options, io);
  } catch (e) {
    // A harness that fails while it is measured: exit 3, as in `check` and `review`.
    if (!(e instanceof HarnessFailure)) throw e;
    io.err(`report: a harness failed (${e.kind}): ${e.message}\n`);
    return EXIT_HARNESS;
  } finally {
    for (const t of targets) asExternal(t)?.close();
  }
}

async function writeReport(
  targets: readonly Target[],
  options: ReportOptions,
  io: CliIo,
): Promise<number> {
  const model = (t: Target) => options.model ?? t.kind !== "external";
  const workloads = REPORT_WORKLOADS.map(workload);
  mkdirSync(join(options.out, "counterexamples"), { recursive: true });
  const progress = progressFor(io, targets.length * (1 + workloads.length) + 1, "report");

  const checks = new Map<string, TargetReport>();
  const files = new Map<string, string>();
  const traces: string[] = [];
  try {
    for (const t of targets) {
      progress.step(`invariants of ${t.id}`);
      const report = checkTarget(t, {
        seed: options.seed,
        runs: options.runs,
        maxCommands: options.maxCommands,
        model: model(t),
      });
      checks.set(t.id, report);
      for (const r of report.results) {
        const ce = r.counterexample;
        if (r.status !== "fail" || ce === undefined) continue;
        const name = counterexampleFileName(t, r.invariant);
        const rel = `counterexamples/${name}`;
        writeFileSync(
          join(options.out, rel),
          formatCounterexample(toFile(t, r, expectedReason(t, r) !== undefined)),
        );
        files.set(`${t.id}/${r.invariant}`, rel);
        traces.push(
          `### \`${t.id}\`: ${r.invariant}`,
          "",
          `${ce.message.replace(/\n/g, " ")} ([${rel}](${rel}); \`pcpu-verify replay ${rel}\`)`,
          "",
          "```mermaid",
          traceMermaid(t.id, r.invariant, ce.message, ce.config, ce.steps).trimEnd(),
          "```",
          "",
        );
      }
    }

    const measured = new Map<string, MetricsReport>();
    const measureOf = (t: Target, w: Workload): MetricsReport => {
      const key = `${t.id}/${w.id}`;
      let r = measured.get(key);
      if (r === undefined) {
        progress.step(`${w.id} on ${t.id}`);
        r = measureTarget(t, w, {
          seed: options.seed,
          objects: options.objects,
          rounds: w.id === "kiran-2005" ? options.rounds : 1,
          growthMax: options.growthMax,
        });
        measured.set(key, r);
      }
      return r;
    };
    for (const t of targets) for (const w of workloads) measureOf(t, w);

    const reviews: string[] = [];
    for (const [base, head] of reviewPairs(targets)) {
      const review = buildReview(base, head, {
        seed: options.seed,
        runs: options.runs,
        maxCommands: options.maxCommands,
        model: options.model,
        workloads,
        checkOf: (t) => checks.get(t.id) as TargetReport,
        measureOf,
      });
      reviews.push(...reviewMarkdown(review, { level: 3, changedOnly: true }), "");
    }

    const churn = targets.map((t) => measureOf(t, workload("kiran-2005")));
    const counters = targets.map((t) => measureOf(t, workload("counters")));
    progress.step("plots");
    const series = targets.map((t, i) => ({
      target: t.id,
      design: t.design,
      reports: [churn[i] as MetricsReport, counters[i] as MetricsReport],
    }));
    const plots: { file: string; title: string; svg: Promise<string> }[] = [
      {
        file: "utilization-churn.svg",
        title: "Utilization through the churn rounds",
        svg: renderSvg(utilizationSpec(churn)),
      },
      ...GROWTH_QUANTITIES.map((q) => ({
        file: `work-growth-${q.field.replace(/_/g, "-")}.svg`,
        title: `${(q.label[0] ?? "").toUpperCase()}${q.label.slice(1)} against live objects`,
        svg: renderSvg(growthSpec(series, q)),
      })),
    ];
    for (const p of plots) writeFileSync(join(options.out, p.file), await p.svg);

    const invariants: string[] = [];
    for (const report of checks.values()) {
      for (const r of report.results)
        if (!invariants.includes(r.invariant)) invariants.push(r.invariant);
    }
    const md = [
      // Marks the file as ours: a later report may replace it, never a README of the user's.
      WRITTEN_MARK,
      "",
      "# pcpu-verify report",
      "",
      `Seed ${options.seed}; ${plural(options.runs, "run")} per round, at most ${plural(options.maxCommands, "command")} per run; ${modelText(targets.filter(model).length, targets.length)}; workloads ${REPORT_WORKLOADS.join(", ")} (kiran-2005 with ${plural(options.rounds, "churn round")}). Made by \`pcpu-verify report\`.`,
      "",
      "## Check",
      "",
      'Each cell links the counterexample file of a failure (replay it with `pcpu-verify replay FILE`); "by design" marks a failure the revision is known for, "seeded bug" one a mutant was made to cause.',
      "",
      `| invariant | ${targets.map((t) => `\`${t.id}\``).join(" | ")} |`,
      `| --- | ${targets.map(() => "---").join(" | ")} |`,
      ...invariants.map(
        (inv) =>
          `| ${inv} | ${targets
            .map((t) =>
              cell(
                checks.get(t.id)?.results.find((r) => r.invariant === inv),
                files.get(`${t.id}/${inv}`),
                t,
              ),
            )
            .join(" | ")} |`,
      ),
      "",
      "## Plots",
      "",
      ...plots.flatMap((p) => [`### ${p.title}`, "", `![${p.title}](${p.file})`, ""]),
      "## Reviews",
      "",
      "Each target against the one before it (a mutant against its revision); only the rows that changed are listed (`pcpu-verify review BASE HEAD --markdown` gives every row).",
      "",
      ...reviews,
      "## Counterexamples",
      "",
      ...(traces.length > 0 ? traces : ["No invariant failed.", ""]),
      "## The model's machines",
      "",
      ...DIAGRAMS.flatMap((d) => [
        `### ${d.title}`,
        "",
        "```mermaid",
        toMermaid(d.machine).trimEnd(),
        "```",
        "",
      ]),
    ];
    writeFileSync(join(options.out, "README.md"), `${md.join("\n").trimEnd()}\n`);
    io.out(
      `pcpu-verify report: wrote ${join(options.out, "README.md")} (${plural(targets.length, "target")}, ${plural(files.size, "counterexample")}, ${plural(plots.length, "plot")})\n`,
    );
  } finally {
    progress.stop();
  }
  return EXIT_OK;
}

/** "with the state-machine model's paths" on all, some or none of the targets. */
function modelText(withModel: number, all: number): string {
  if (withModel === all) return "with the state-machine model's paths";
  if (withModel === 0) return "without the state-machine model's paths";
  return `with the state-machine model's paths on ${withModel} of ${plural(all, "target")} (not on external harnesses)`;
}
