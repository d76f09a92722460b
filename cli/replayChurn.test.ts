/**
 * A utilization-after-churn counterexample file, read by `replay` and by `metrics`.
 *
 *   {"invariant": "utilization-after-churn", ..., "churn": {"workload": {2 objects of 3000
 *    bytes, half freed, 1 round}, "threshold": 0.98}, "commands": []}
 *
 *   kiran-2005-09: alloc-1 73.24% (one block), free-1 36.62%, refill-1 54.93% (two blocks)
 *
 * Expect replay to print the utilization after the first batch and after each round with its
 * trough, and exit 1 (the refill is under 98%), or 0 at a threshold of 50%; metrics
 * --counterexample to measure the same workload phase by phase and judge each refill; a file
 * of another invariant, or one of this invariant without its workload, to be a usage error
 * naming the field; the file `check` writes to read back the same.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  findTarget,
  formatCounterexample,
  parseCounterexample,
  toFile,
  type CounterexampleFile,
  type MetricsReport,
  type Target,
} from "../properties/index.ts";
import { checkChurn } from "../properties/runner/churnCheck.ts";
import { utilizationAfterChurn } from "../properties/invariants/utilizationAfterChurn.ts";
import { runCli } from "./testing.ts";

const dir = mkdtempSync(join(tmpdir(), "pcpu-churn-"));

function churnFile(threshold: number, extra: Partial<CounterexampleFile> = {}): string {
  const ce = {
    schema: 1,
    target: { kind: "revision", id: "kiran-2005-09", revision: "kiran-2005-09" },
    invariant: "utilization-after-churn",
    message: "refill-1: utilization 54.93% < 98.00%",
    expect: "fail",
    topology: {
      nr_cpus: 8,
      possible: [0, 1, 2, 3],
      present: [0, 1, 2, 3],
      online: [0, 1, 2, 3],
      cpu_to_node: [0, 1, 0, 1, 0, 1, 0, 1],
      nr_nodes: 2,
      page_size: 4096,
    },
    churn: {
      workload: {
        seed: 1,
        objects: 2,
        size: [3000, 3000],
        align_log2_max: 0,
        free_percent: 50,
        rounds: 1,
      },
      threshold,
    },
    commands: [],
    ...extra,
  };
  const file = join(dir, `churn-${threshold}-${Object.keys(extra).join("-")}.json`);
  writeFileSync(file, JSON.stringify(ce, null, 2));
  return file;
}

describe("a utilization-after-churn file", () => {
  it("replay runs its workload and prints the utilization after each round, the trough beside it", async () => {
    const file = churnFile(0.98);
    const run = await runCli("replay", file);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "  workload   2 objects of 3000..3000 bytes, align 1, 50% freed, 1 round, seed 1",
    );
    expect(run.stdout).toMatch(/^ {4}0 +73\.24% +\(alloc-1\)$/m);
    expect(run.stdout).toMatch(/^ {4}1 +36\.62% +54\.93% +2 +< 98\.00%: breaks here$/m);
    expect(run.stdout).toContain("violation reproduces: utilization-after-churn: ");
  });

  it("replay --json gives the figures; at a threshold of 50% the violation no longer happens", async () => {
    const run = await runCli("replay", churnFile(0.5), "--json");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { reproduced: boolean; rounds: unknown[] };
    expect(json.reproduced).toBe(false);
    expect(json.rounds).toEqual([
      { round: 1, after_free: 3000 / 8192, after_refill: 9000 / 16384, blocks: 2 },
    ]);
  });

  it("metrics --counterexample measures its workload phase by phase and judges each refill", async () => {
    const file = churnFile(0.98);
    const run = await runCli("metrics", "--counterexample", file, "--growth-max", "10", "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as MetricsReport & { churn: { verdict: string[] } };
    expect(json).toMatchObject({ target: "kiran-2005-09", workload: "churn", objects: 2 });
    expect(json.phases.map((p) => [p.name, p.utilization, p.blocks])).toEqual([
      ["alloc-1", 0.7324, 1],
      ["free-1", 0.3662, 1],
      ["refill-1", 0.5493, 2],
    ]);
    expect(json.churn.verdict).toEqual([
      "refill-1: 54.93% < 98.00% (36.62% right after free-1): utilization-after-churn breaks here",
    ]);
    const text = await runCli("metrics", "--counterexample", file, "--growth-max", "10");
    expect(text.stdout).toContain(`utilization-after-churn, ${file}:`);
  });

  it("a file without its workload, or of another invariant, is a usage error naming the field", async () => {
    const noWorkload = churnFile(0.98, { churn: undefined });
    const replay = await runCli("replay", noWorkload);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain(`${noWorkload}: field churn: missing`);
    const other = churnFile(0.98, { invariant: "no-overlap", churn: undefined });
    const metrics = await runCli("metrics", "--counterexample", other);
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain(`${other}: field churn: missing`);
  });

  it("the file a check writes reads back with its workload and figures", async () => {
    const legacy = findTarget("legacy-2.6.10") as Target;
    const result = checkChurn(
      legacy,
      utilizationAfterChurn,
      { seed: 20051, runs: 50, maxCommands: 60 },
      { commands: 0, shrinkMs: 0 },
    );
    const file = join(dir, "legacy.json");
    writeFileSync(file, formatCounterexample(toFile(legacy, result, true)));
    const back = parseCounterexample(readFileSync(file, "utf8"), file);
    expect(back.commands).toEqual([]);
    expect(back.expected_by_design).toBe(true);
    expect(back.churn?.workload).toEqual(result.counterexample?.churn?.workload);
    expect(back.churn?.rounds?.at(-1)?.after_refill).toBeLessThan(0.98);
    const replay = await runCli("replay", file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain("(expected by design)");
  });
});
