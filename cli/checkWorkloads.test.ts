/**
 * `check` runs the workloads as checked runs: a row per workload under each target in the
 * text, `workloads.<target>` in `--json`, the depth they reach (live-1000), and a failure's
 * counterexample file that `replay` reproduces; `--no-workloads` leaves them out.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckJson } from "./checkCommand.ts";
import { runCli } from "./testing.ts";

const out = () => mkdtempSync(join(tmpdir(), "pcpu-workloads-"));
const SMALL = ["--runs", "5", "--max-commands", "10", "--no-model"];

describe("check: the workloads as checked runs", () => {
  it("--json gives a row per workload, and their depth", async () => {
    const run = await runCli(
      "check",
      "--revision",
      "kiran-2005-01",
      ...SMALL,
      "--invariant",
      "no-overlap",
      "--out",
      out(),
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    const rows = json.workloads?.["kiran-2005-01"] ?? [];
    expect(rows.map((r) => [r.workload, r.status])).toEqual([
      ["kiran-2005", "pass"],
      ["counters", "pass"],
      ["zhou-2017", "pass"],
      ["kernel-mix", "pass"],
    ]);
    expect(rows[0]).toEqual({ workload: "kiran-2005", objects: 1200, steps: 3000, status: "pass" });
    expect(json.depth?.["kiran-2005-01"]?.goals["live-1000"]).toBe(true);
    const off = await runCli(
      "check",
      "--revision",
      "kiran-2005-01",
      ...SMALL,
      "--invariant",
      "no-overlap",
      "--no-workloads",
      "--out",
      out(),
      "--json",
    );
    const without = JSON.parse(off.stdout) as CheckJson;
    expect(without.workloads).toBeUndefined();
    expect(without.depth?.["kiran-2005-01"]?.goals["live-1000"]).toBe(false);
  });

  it("catches a deep mutant: the row, the file, and replay reproducing it", async () => {
    const dir = out();
    const run = await runCli(
      "check",
      "--mutant",
      "kiran-free-walk-bound",
      ...SMALL,
      "--invariant",
      "completeness",
      "--out",
      dir,
    );
    expect(run.code).toBe(0);
    const file = join(dir, "kiran-free-walk-bound--completeness.json");
    expect(run.stdout).toMatch(
      /\n {2}workloads \(checked runs; white-box invariants judged at the audits\):\n/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `\\n {4}kiran-2005 +1200 objects +\\d+ steps +FAIL completeness: \\d+ steps \\(reduced, not 1-minimal\\), ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`,
      ),
    );
    expect(run.stdout).toMatch(
      /\n {4}counters +2000 objects +0 steps +not-checked \(no invariant left\)\n/,
    );
    const replay = await runCli("replay", file);
    expect(replay.code).toBe(1);
  });
});
