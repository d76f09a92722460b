/**
 * `check --jobs n`: the targets checked side by side in worker threads, printed and written in
 * the plan's order, so that the output does not depend on n.
 *
 *   --jobs 1   legacy | kiran-2005-09 | kiran-node0 | legacy-no-memset      (one after another)
 *   --jobs 3   worker 1: legacy ....... legacy-no-memset
 *              worker 2: kiran-2005-09 ....
 *              worker 3: kiran-node0 ..
 *
 * Expect the same JSON (apart from elapsed_ms), the same text apart from its last line's time,
 * and the same counterexample files, byte for byte, for 1, 2 and 3 jobs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CheckJson } from "./checkCommand.ts";
import { runCli } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "pcpu-jobs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const small = ["--runs", "30", "--max-commands", "30", "--no-model", "--no-workloads"];
const targets = ["--revision", "legacy-2.6.10", "--revision", "kiran-2005-09"];
const mutants = ["--mutant", "kiran-node0", "--mutant", "legacy-no-memset"];

async function checkWith(jobs: number, json: boolean) {
  const out = join(root, `${json ? "json" : "text"}-${jobs}`);
  const run = await runCli(
    "check",
    ...targets,
    ...mutants,
    ...small,
    "--jobs",
    String(jobs),
    "--out",
    out,
    ...(json ? ["--json"] : []),
  );
  const files = Object.fromEntries(
    readdirSync(out).map((f) => [f, readFileSync(join(out, f), "utf8")]),
  );
  // The output names the folder the files went to: one per run here.
  const stdout = run.stdout.split(out).join("<out>");
  return { run: { ...run, stdout }, files };
}

describe("check --jobs", () => {
  it("gives the same JSON and counterexample files for 1, 2 and 3 jobs", async () => {
    const one = await checkWith(1, true);
    expect(one.run.code).toBe(0);
    const json = (text: string) => ({ ...(JSON.parse(text) as CheckJson), elapsed_ms: 0 });
    // The mutants fail: there are counterexample files to compare.
    expect(Object.keys(one.files).length).toBeGreaterThan(1);
    for (const jobs of [2, 3]) {
      const many = await checkWith(jobs, true);
      expect(many.run.code).toBe(one.run.code);
      expect(json(many.run.stdout)).toEqual(json(one.run.stdout));
      expect(many.files).toEqual(one.files);
    }
  });

  it("prints the same report with 2 jobs as with 1, apart from the time taken", async () => {
    const untimed = (text: string) => text.replace(/ in [\d.]+ s \(seed/, " in - s (seed");
    const one = await checkWith(1, false);
    const two = await checkWith(2, false);
    expect(two.run.code).toBe(one.run.code);
    expect(untimed(two.run.stdout)).toBe(untimed(one.run.stdout));
    expect(untimed(two.run.stdout)).toContain("kiran-node0");
  });

  it("refuses a number of jobs that is not a positive integer, before any work", async () => {
    const run = await runCli("check", ...targets, "--jobs", "0", "--out", join(root, "none"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--jobs/);
    expect(() => readdirSync(join(root, "none"))).toThrow();
  });
});
