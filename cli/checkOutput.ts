/**
 * What `check` prints for people, and its results as JSON: one table per target (a harness
 * failure once, after its table), then the summary with its verdict and exit code.
 */
import {
  describeChurn,
  describeStep,
  roundsText,
  signalName,
  survived,
  type InvariantResult,
  type Target,
  type InterleaveCounterexample,
} from "../properties/index.ts";
import { isHarnessFailureKind } from "../impl/external/index.ts";
import type { CheckResultJson, CoverageJson } from "./checkCommand.ts";
import { formatDuration, formatTable, formatTopology, plural, truncate } from "./format.ts";

/** One (target, invariant) result as `check` reports it. */
export interface Row {
  readonly target: Target;
  readonly result: InvariantResult;
  readonly expected: string | undefined;
  /** The base revision whose failure by design this one repeats (a mutant's), if it does. */
  readonly consequenceOf: string | undefined;
  readonly file: string | undefined;
}

/** A harness failure's message without its leading kind (shown beside it already). */
export function withoutKind(kind: string, message: string): string {
  return message.startsWith(`${kind}: `) ? message.slice(kind.length + 2) : message;
}

export function resultJson(row: Row): CheckResultJson {
  const { result, expected, file, consequenceOf: base } = row;
  const reason = expected ?? result.reason;
  const ce = result.counterexample;
  return {
    target: result.target,
    invariant: result.invariant,
    status: result.status,
    runs: result.runs,
    ...(expected !== undefined ? { expected: true as const } : {}),
    ...(base !== undefined ? { consequence_of: base } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(ce !== undefined && file !== undefined
      ? {
          counterexample: {
            file,
            length: ce.steps.length,
            commands: [...ce.steps],
            message: ce.message,
            ...(ce.churn !== undefined
              ? {
                  churn: {
                    workload: ce.churn.workload,
                    threshold: ce.churn.threshold,
                    ...ce.churn.figures,
                  },
                }
              : {}),
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
  if (row.consequenceOf !== undefined) return `fail (expected, as ${row.consequenceOf})`;
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
  if (result.status === "not-checked") return truncate(result.reason ?? "", NOTE_WIDTH);
  if (isHarnessFailureKind(result.status)) {
    return truncate(withoutKind(result.status, result.reason ?? ""), NOTE_WIDTH);
  }
  if (row.consequenceOf !== undefined) return truncate(expected ?? "", NOTE_WIDTH);
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

export function targetReport(target: Target, rows: readonly Row[]): string[] {
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
      const what =
        ce.churn !== undefined
          ? `${describeChurn(ce.churn.workload)} (${roundsText(ce.churn.figures)})`
          : ce.interleave !== undefined
            ? interleaveText(ce.interleave)
            : ce.invariant === "lock-order"
              ? "a lock cycle across the concurrent runs"
              : plural(ce.steps.length, "step");
      lines.push(`  ${r.result.invariant} (expected): ${what} in ${r.file}`);
      continue;
    }
    lines.push(
      "",
      `  FAIL ${r.result.invariant}: ${ce.message}`,
      `    topology: ${formatTopology(ce.config)}`,
      ...(ce.interleave !== undefined
        ? [
            `    counterexample (${interleaveText(ce.interleave)}, seed ${ce.seed}):`,
            `    schedule [${ce.interleave.schedule.join(", ")}]`,
            ...ce.interleave.sections.map((line) => `      ${line}`),
          ]
        : ce.churn !== undefined
          ? [
              `    counterexample (a churn workload, seed ${ce.seed}): ${describeChurn(ce.churn.workload)}`,
              `    utilization: ${roundsText(ce.churn.figures)}`,
            ]
          : [
              `    counterexample (${plural(ce.steps.length, "step")}, seed ${ce.seed}):`,
              ...ce.steps.map((s, i) => `    ${String(i).padStart(3)}  ${describeStep(s)}`),
            ]),
      `    file: ${r.file}`,
      `    replay: pcpu-verify replay ${r.file}`,
    );
  }
  return lines;
}

export interface SummaryFacts {
  readonly commands: number;
  readonly elapsed: number;
  readonly seed: number;
  readonly code: number;
  readonly stopped: number | undefined;
  readonly allowIncomplete: boolean;
  /** With --require-depth: the targets whose depth goals were not all met. */
  readonly shallow?: readonly string[];
}

export function summary(
  targets: readonly Target[],
  rows: readonly Row[],
  facts: SummaryFacts,
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
    String(c.harness),
  ];
  const table = targets.map((t) => line(t.id, count(rows.filter((r) => r.target === t))));
  const total = count(rows);
  if (targets.length > 1) table.push(line("total", total));
  const survivors = rows.filter((r) => survived(r.target, r.result));
  const exit = `(exit ${facts.code})`;
  const incomplete = `${total.notChecked} of ${plural(rows.length, "(target, invariant) unit")} not judged`;
  const verdict =
    facts.stopped !== undefined
      ? `INTERRUPTED by ${signalName(facts.stopped)}: ${incomplete} ${exit}`
      : total.harness > 0
        ? `FAILED: a harness crashed, hung or broke the protocol: ${targets
            .filter((t) =>
              rows.some((r) => r.target === t && isHarnessFailureKind(r.result.status)),
            )
            .map((t) => t.id)
            .join(", ")} ${exit}`
        : total.fail > 0
          ? `FAILED: ${plural(total.fail, "invariant failure")} not expected ${exit}`
          : survivors.length > 0
            ? `FAILED: ${plural(survivors.length, "mutant")} not caught ${exit}`
            : facts.shallow !== undefined && facts.shallow.length > 0
              ? `FAILED: depth goals not met (--require-depth): ${facts.shallow.join(", ")} ${exit}`
              : total.notChecked > 0 && !facts.allowIncomplete
                ? `INCOMPLETE: ${incomplete}; no unexpected failures in the rest; --allow-incomplete accepts this ${exit}`
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
        { header: "harness", align: "right" },
      ],
      table,
      "  ",
    ),
    "",
    `${plural(facts.commands, "command")} executed in ${formatDuration(facts.elapsed)} (seed ${facts.seed})`,
    ...(survivors.length > 0
      ? [
          `mutants that survived an invariant meant to catch them: ${survivors
            .map((r) => `${r.target.id}/${r.result.invariant}`)
            .join(", ")}`,
        ]
      : []),
    // An accepted incomplete run still says so, above its verdict.
    ...(total.notChecked > 0 && facts.allowIncomplete && facts.stopped === undefined
      ? [`incomplete: ${incomplete}, accepted by --allow-incomplete`]
      : []),
    verdict,
  ];
}

/** "2 threads, 12 sections": the size of an interleaved counterexample. */
function interleaveText(c: InterleaveCounterexample): string {
  return `${plural(c.threads.length, "thread")}, ${plural(c.schedule.length, "section")}`;
}
