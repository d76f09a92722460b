/**
 * `pcpu-verify report --out DIR`: one Markdown report that GitHub renders and that reads
 * offline, with its plots and counterexample files beside it.
 *
 *   DIR/README.md                  the check table, review tables, diagrams
 *   DIR/utilization-churn.svg      utilization through 5 churn rounds, per revision
 *   DIR/work-growth.svg            work per allocation against live objects (kiran-2005)
 *   DIR/work-growth-counters.svg   the same on 4-byte counters (fragmented blocks)
 *   DIR/counterexamples/*.json     every failing run, replayable with `pcpu-verify replay`
 *
 * Every revision is checked and measured once; each review pairs a revision with the one
 * before it in the catalogue (the design history, oldest first), reusing those results. A long
 * run draws a progress bar on a terminal's standard error.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildReview,
  checkTarget,
  counterexampleFileName,
  expectedReason,
  findWorkload,
  formatCounterexample,
  measureTarget,
  renderSvg,
  toFile,
  REVISION_TARGETS,
  reviewMarkdown,
  traceMermaid,
  utilizationSpec,
  workGrowthSpec,
  type InvariantResult,
  type MetricsReport,
  type Target,
  type TargetReport,
  type Workload,
} from "../properties/index.ts";
import { DIAGRAMS } from "../model/diagrams.ts";
import { toMermaid } from "../model/toMermaid.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_OK } from "./exitCodes.ts";
import { checkReportDir, WRITTEN_MARK } from "./outputPaths.ts";
import { progressFor } from "./progress.ts";
import { UsageError } from "./usageError.ts";

export interface ReportOptions {
  readonly out: string;
  readonly revision?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  readonly model: boolean;
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
  const why = expectedReason(target, r) !== undefined ? ", by design" : "";
  const text = `fail (${len} step${len === 1 ? "" : "s"}${why})`;
  return file === undefined ? text : `[${text}](${file})`;
}

export async function reportCommand(options: ReportOptions, io: CliIo): Promise<number> {
  const targets = (options.revision ?? REVISION_TARGETS.map((t) => t.id)).map((id) => {
    const t = REVISION_TARGETS.find((x) => x.id === id);
    if (t === undefined) throw new UsageError(`--revision: unknown revision '${id}'`);
    return t;
  });
  const workloads = REPORT_WORKLOADS.map(workload);
  checkReportDir("--out", options.out);
  mkdirSync(join(options.out, "counterexamples"), { recursive: true });
  const progress = progressFor(io, targets.length * (1 + workloads.length) + 3, "report");

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
        model: options.model,
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
    for (let i = 1; i < targets.length; i++) {
      const review = buildReview(targets[i - 1] as Target, targets[i] as Target, {
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

    const plots: { file: string; title: string; svg: Promise<string> }[] = [];
    const churn = targets.map((t) => measureOf(t, workload("kiran-2005")));
    const counters = targets.map((t) => measureOf(t, workload("counters")));
    progress.step("plots");
    plots.push(
      {
        file: "utilization-churn.svg",
        title: "Utilization through the churn rounds",
        svg: renderSvg(utilizationSpec(churn)),
      },
      {
        file: "work-growth.svg",
        title: "Work per allocation against live objects (kiran-2005)",
        svg: renderSvg(workGrowthSpec(churn)),
      },
      {
        file: "work-growth-counters.svg",
        title: "Work per allocation against live objects (4-byte counters)",
        svg: renderSvg(workGrowthSpec(counters)),
      },
    );
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
      `Seed ${options.seed}; ${options.runs} runs per round, at most ${options.maxCommands} commands per run${options.model ? ", with the state-machine model's paths" : ""}; workloads ${REPORT_WORKLOADS.join(", ")} (kiran-2005 with ${options.rounds} churn rounds). Made by \`pcpu-verify report\`.`,
      "",
      "## Check",
      "",
      'Each cell links the counterexample file of a failure (replay it with `pcpu-verify replay FILE`); "by design" marks a failure the revision is known for.',
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
      "Each revision against the one before it; only the figures that changed are listed (`pcpu-verify review BASE HEAD --markdown` gives every figure).",
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
  } finally {
    progress.stop();
  }
  io.out(
    `pcpu-verify report: wrote ${join(options.out, "README.md")} (${targets.length} revisions, ${files.size} counterexamples, 3 plots)\n`,
  );
  return EXIT_OK;
}
