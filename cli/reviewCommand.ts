/**
 * `pcpu-verify review BASE HEAD`: two targets side by side, for a patch reviewer.
 *
 *   invariants   status and counterexample length, BASE | HEAD | regression / fixed
 *   metrics      every figure of each workload: BASE | HEAD | change | worse
 *
 * BASE and HEAD are revision or mutant ids; `--base-external "CMD"` / `--head-external "CMD"`
 * put an external harness on either side (then the positional id is left out: `review
 * --base-external "./old" --head-external "./new"`, or one id and one harness). `--markdown`
 * prints Markdown to paste into a review; `--json` the Review record. Exit 1 when HEAD has an
 * invariant regression, 0 otherwise (a worse figure is for the reviewer to weigh).
 *
 * As in `check`: the same runs per round by default, the state-machine model's rounds on
 * in-process targets only (unless `--model` / `--no-model`), and each regression printed with its
 * message and written as a counterexample file under `--out`, replayable with `pcpu-verify replay`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  asExternal,
  buildReview,
  findWorkload,
  formatCounterexample,
  reviewMarkdown,
  reviewRows,
  reviewSummary,
  changedRows,
  counterexampleFileName,
  toFile,
  WORKLOADS,
  type Review,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { HarnessFailure, isHarnessFailureKind } from "../impl/external/index.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { formatTable, plural } from "./format.ts";
import { resolveTarget } from "./metricsTarget.ts";
import { listIds } from "./optionParsers.ts";
import { progressFor } from "./progress.ts";
import { UsageError } from "./usageError.ts";

/** The workloads a review measures by default. */
export const REVIEW_WORKLOADS = ["kiran-2005", "counters", "kernel-mix"] as const;

export interface ReviewCliOptions {
  readonly baseExternal?: string;
  readonly headExternal?: string;
  readonly harnessTimeout?: number;
  readonly workload?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  /** The model's rounds: true always, false never, undefined on in-process targets only. */
  readonly model?: boolean;
  /** Where the regressions' counterexample files go (check's default). */
  readonly out: string;
  readonly objects?: number;
  readonly growthMax?: number;
  readonly json?: boolean;
  readonly markdown?: boolean;
  /** Only the rows that changed (what fits in a patch review). */
  readonly changedOnly?: boolean;
}

/** The two sides from the positional ids and the external options. */
export function reviewTargets(ids: readonly string[], o: ReviewCliOptions): [Target, Target] {
  const externals = (o.baseExternal !== undefined ? 1 : 0) + (o.headExternal !== undefined ? 1 : 0);
  if (ids.length + externals !== 2) {
    throw new UsageError(
      `review: expected two targets, BASE and HEAD (ids, or --base-external/--head-external), got ${plural(ids.length, "id")} and ${plural(externals, "harness", "harnesses")}`,
    );
  }
  const rest = [...ids];
  const base = resolveTarget(
    o.baseExternal === undefined ? rest.shift() : undefined,
    o.baseExternal,
    { id: "BASE", external: "--base-external" },
    o.harnessTimeout,
  );
  const head = resolveTarget(
    o.headExternal === undefined ? rest.shift() : undefined,
    o.headExternal,
    { id: "HEAD", external: "--head-external" },
    o.harnessTimeout,
  );
  return [base, head];
}

export function reviewCommand(
  ids: readonly string[],
  options: ReviewCliOptions,
  io: CliIo,
): number {
  const workloads = (options.workload ?? REVIEW_WORKLOADS).map((id) => {
    const w = findWorkload(id);
    if (w === undefined) {
      throw new UsageError(
        `--workload: unknown workload '${id}'; expected one of ${listIds(WORKLOADS.map((x) => x.id))}`,
      );
    }
    return w;
  });
  const [base, head] = reviewTargets(ids, options);
  const parts = 2 + 2 * workloads.length;
  const progress = progressFor(io, parts, "review");
  let review: Review;
  try {
    review = buildReview(base, head, {
      seed: options.seed,
      runs: options.runs,
      maxCommands: options.maxCommands,
      model: options.model,
      workloads,
      objects: options.objects,
      growthMax: options.growthMax,
      onPart: (p) => progress.step(p),
    });
  } catch (e) {
    // A harness that fails while its metrics are measured: the same exit 3 as in `check`.
    if (!(e instanceof HarnessFailure)) throw e;
    io.err(`review: a harness failed (${e.kind}): ${e.message}\n`);
    return EXIT_HARNESS;
  } finally {
    progress.stop();
    asExternal(base)?.close();
    asExternal(head)?.close();
  }
  const regressions = writeRegressions(review, head, options.out);
  const changedOnly = options.changedOnly === true;
  if (options.json) {
    const { reports: _reports, checks: _checks, ...rest } = review;
    const json = {
      ...rest,
      summary: reviewSummary(review),
      ...(changedOnly ? changedRows(review) : {}),
      counterexamples: regressions,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else if (options.markdown) {
    const md = [...reviewMarkdown(review, { changedOnly }), ...regressionsMarkdown(regressions)];
    io.out(`${md.join("\n")}\n`);
  } else {
    const rows = reviewRows(review, { changedOnly });
    const model = modelSides(review.model);
    io.out(
      [
        `pcpu-verify review ${review.base} -> ${review.head}: ${reviewSummary(review)}`,
        `seed ${review.seed}, ${plural(review.runs, "run")} per round, ${model}${changedOnly ? "; only the rows that changed" : ""}`,
        "",
        ...(rows.invariants.length > 0
          ? formatTable(
              [
                { header: "invariant" },
                { header: "BASE" },
                { header: "HEAD" },
                { header: "change" },
              ],
              rows.invariants,
            )
          : ["no invariant changed"]),
        "",
        ...(rows.metrics.length > 0
          ? formatTable(
              [
                { header: "workload" },
                { header: "metric" },
                { header: "BASE", align: "right" },
                { header: "HEAD", align: "right" },
                { header: "change", align: "right" },
                { header: "" },
              ],
              rows.metrics,
            )
          : ["no metric changed"]),
        ...regressionsText(regressions),
        "",
      ].join("\n"),
    );
  }
  // A harness that crashed, hung or broke the protocol is not a regression of the allocator:
  // it ends the review with code 3, as it ends a check.
  const harness = review.invariants.find(
    (i) => isHarnessFailureKind(i.base.status) || isHarnessFailureKind(i.head.status),
  );
  if (harness !== undefined) {
    const side = isHarnessFailureKind(harness.head.status) ? harness.head : harness.base;
    io.err(`review: a harness failed (${side.status}); its runs were not judged (exit 3)\n`);
    return EXIT_HARNESS;
  }
  return review.invariants.some((i) => i.change === "regression") ? EXIT_FAIL : EXIT_OK;
}

/** A regression of HEAD, as written: the invariant, what broke, and its counterexample file. */
export interface RegressionFile {
  readonly invariant: string;
  readonly length: number;
  readonly message: string;
  readonly file: string;
}

/** Writes HEAD's counterexample of each invariant regression under `out`, as `check` does. */
function writeRegressions(review: Review, head: Target, out: string): RegressionFile[] {
  const files: RegressionFile[] = [];
  for (const row of review.invariants) {
    if (row.change !== "regression") continue;
    const result = review.checks.head.results.find((r) => r.invariant === row.invariant);
    const ce = result?.counterexample;
    if (result === undefined || ce === undefined) continue;
    mkdirSync(out, { recursive: true });
    const file = join(out, counterexampleFileName(head, row.invariant));
    writeFileSync(file, formatCounterexample(toFile(head, result, false)));
    files.push({ invariant: row.invariant, length: ce.steps.length, message: ce.message, file });
  }
  return files;
}

function regressionsText(files: readonly RegressionFile[]): string[] {
  return files.flatMap((f) => [
    "",
    `regression: ${f.invariant} on HEAD (${plural(f.length, "step")})`,
    ...f.message.split("\n").map((l) => `  ${l}`),
    `  file: ${f.file}`,
  ]);
}

function regressionsMarkdown(files: readonly RegressionFile[]): string[] {
  if (files.length === 0) return [];
  return [
    "",
    "### Regressions",
    "",
    ...files.flatMap((f) => [
      `- **${f.invariant}** (${plural(f.length, "step")}): ${f.message.replace(/\n/g, " ")}; \`pcpu-verify replay ${f.file}\``,
    ]),
  ];
}

/** "the model's rounds on both sides", "… on BASE only", … */
function modelSides(model: Review["model"]): string {
  if (model.base && model.head) return "the model's rounds on both sides";
  if (model.base) return "the model's rounds on BASE only";
  if (model.head) return "the model's rounds on HEAD only";
  return "no model rounds";
}
