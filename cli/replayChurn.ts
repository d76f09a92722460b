/**
 * `replay` of a failure judged on churn rounds (`utilization-after-churn`): the file's workload
 * run again on its target, at the file's threshold, with the utilization after the first batch
 * and, for each round, its trough right after the frees and its level after the refill.
 *
 *   round  after the frees  after the refill  blocks
 *   -----  ---------------  ----------------  ------
 *   0                               98.80%       -      (alloc-1)
 *   1               53.59%          97.95%     768      < 98.00%: breaks here
 *
 * Exit code 1 if a refill still falls below the threshold, 0 if none does.
 */
import {
  describeChurn,
  percent,
  runChurn,
  topologyFromJson,
  type ChurnFigures,
  type CounterexampleFile,
  type Invariant,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_OK } from "./exitCodes.ts";
import { formatTable } from "./format.ts";
import { replayHeading } from "./replayHeading.ts";

type ChurnFile = CounterexampleFile & { churn: NonNullable<CounterexampleFile["churn"]> };

export function replayChurn(
  target: Target,
  file: string,
  ce: ChurnFile,
  invariant: Invariant,
  json: boolean,
  io: CliIo,
): number {
  const { workload, threshold } = ce.churn;
  const outcome = runChurn(target, workload, threshold);
  const reproduced = outcome.violation !== undefined;
  const message = outcome.violation ?? `no violation: every refill reached ${percent(threshold)}`;
  if (json) {
    io.out(
      `${JSON.stringify(
        {
          file,
          target: target.id,
          invariant: invariant.id,
          reproduced,
          message,
          workload,
          threshold,
          ...outcome.figures,
          steps: [],
        },
        null,
        2,
      )}\n`,
    );
    return reproduced ? EXIT_FAIL : EXIT_OK;
  }
  const lines = [
    ...replayHeading(file, target, invariant, topologyFromJson(ce.topology)),
    `  workload   ${describeChurn(workload)}`,
    `  threshold  ${percent(threshold)} after each refill`,
    `  expect     ${ce.expect}${ce.expected_by_design ? " (expected by design)" : ""}`,
    "",
    ...churnTable(outcome.figures, threshold),
    "",
    reproduced
      ? `violation reproduces: ${invariant.id}: ${message}${ce.expect === "pass" ? " (the file's expect is pass: a regression)" : ""}`
      : message,
  ];
  io.out(`${lines.join("\n")}\n`);
  return reproduced ? EXIT_FAIL : EXIT_OK;
}

/** The utilization after each round, the trough beside it, the refill below the threshold marked. */
export function churnTable(f: ChurnFigures, threshold: number): string[] {
  return formatTable(
    [
      { header: "round", align: "right" },
      { header: "after the frees", align: "right" },
      { header: "after the refill", align: "right" },
      { header: "blocks", align: "right" },
      { header: "note" },
    ],
    [
      ["0", "", percent(f.after_alloc), "", "(alloc-1)"],
      ...f.rounds.map((r) => [
        String(r.round),
        percent(r.after_free),
        percent(r.after_refill),
        r.blocks === null ? "n/a" : String(r.blocks),
        r.after_refill < threshold ? `< ${percent(threshold)}: breaks here` : "",
      ]),
    ],
  );
}
