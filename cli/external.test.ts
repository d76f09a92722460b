/**
 * `check --external` and `replay` end to end on the C example harness (built here with make):
 * the correct build passes every black-box invariant, the seeded-bug build is caught with a
 * minimal counterexample that replays, and a harness that crashes or hangs ends in exit 3 with
 * its status in the JSON and the run so far in a file.
 *
 * No outcome depends on the machine's speed: only the fixture that never answers boot is
 * expected to hang (its 300 ms are certain to pass; starting it, hello included, is bounded
 * apart, 60 s by default), and every other check waits `ANSWER_MS` for each answer, far above
 * what a loaded 2-core machine needs (the default 5 s is the user's, not the test's).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS, C_HARNESS_BUG, fakeHarness } from "../impl/external/testing.ts";
import { INVARIANTS, readCounterexample } from "../properties/index.ts";
import type { CheckJson } from "./checkCommand.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-verify-external-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
beforeAll(() => buildCHarness());

/** --harness-timeout for every harness expected to answer: a minute, never reached. */
const ANSWER_MS = "60000";
const patient = ["--harness-timeout", ANSWER_MS];
const modest = ["--runs", "40", "--max-commands", "30", "--no-model", "--out", out, "--json"];

describe("pcpu-verify check --external", () => {
  it("the C harness passes the default check: every black-box invariant, 200 runs of up to 60 commands, no model round", async () => {
    const run = await runCli("check", "--external", C_HARNESS, ...patient, "--out", out, "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    expect(json.results.map((r) => r.target)).toEqual(
      json.results.map(() => `external:${C_HARNESS}`),
    );
    // utilization-after-churn's churn runs are planned on a harness only with --churn.
    expect(json.results.map((r) => r.invariant)).toEqual(
      INVARIANTS.filter((i) => i.designs === undefined && i.ownRuns === undefined).map((i) => i.id),
    );
    for (const r of json.results) {
      expect(r.status, `${r.invariant}: ${r.reason ?? ""}`).toBe("pass");
      expect(r.runs).toBe(200);
    }
    // The model's ~100,000 commands are not run over a pipe unless --model asks.
    expect(json.coverage ?? {}).toEqual({});
  }, 300_000); // the default check over a pipe: about a minute on this machine

  it("the seeded-bug build is caught with a counterexample of at most 8 steps that replays", async () => {
    const run = await runCli("check", "--external", C_HARNESS_BUG, ...patient, ...modest);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as CheckJson;
    const zero = json.results.find((r) => r.invariant === "zero-on-alloc");
    expect(zero?.status).toBe("fail");
    const ce = zero?.counterexample;
    expect(ce?.length).toBeLessThanOrEqual(8);
    const file = readCounterexample(ce?.file as string);
    expect(file.target).toEqual({
      kind: "external",
      id: `external:${C_HARNESS_BUG}`,
      command: C_HARNESS_BUG,
      cwd: process.cwd(),
    });
    const replay = await runCli("replay", ce?.file as string, ...patient);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/violation reproduces: zero-on-alloc/);
    // Against the correct build, the same file no longer fails.
    const fixed = await runCli("replay", ce?.file as string, "--external", C_HARNESS, ...patient);
    expect(fixed.code).toBe(0);
  });

  it("a harness that dies: status harness-crash in the JSON, a file, exit 3", async () => {
    const command = fakeHarness("sigkill");
    // With the default 5 s, a death seen late on a loaded machine would be a harness-hang.
    const run = await runCli("check", "--external", command, ...patient, ...modest);
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout) as CheckJson;
    const crashed = json.results.filter((r) => r.status === "harness-crash");
    expect(crashed.length).toBeGreaterThan(0);
    const file = crashed[0]?.counterexample?.file as string;
    expect(file).toMatch(/--harness-crash\.json$/);
    expect(readCounterexample(file).invariant).toBe("harness-crash");
    const replay = await runCli("replay", file, ...patient);
    expect(replay.code).toBe(3);
    expect(replay.stdout).toMatch(/the harness failure reproduces: harness-crash/);
  });

  it("a harness that hangs: harness-hang after the timeout, exit 3, human report names it", async () => {
    // hang answers hello and never answers boot: the hang is certain whatever the load, and
    // the 300 ms count from the boot request, not from the start.
    const command = fakeHarness("hang");
    const run = await runCli(
      "check",
      "--external",
      command,
      "--harness-timeout",
      "300",
      ...modest.filter((a) => a !== "--json"),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/HARNESS-HANG/);
    expect(run.stdout).toMatch(/no answer within 300 ms/);
    expect(run.stdout).toMatch(/a harness crashed, hung or broke the protocol.*\(exit 3\)/);
  });
});
