/**
 * `check` reports how deep its runs went, per target, in its text and in `--json`'s `depth`;
 * `stats` gives the same summary; `--require-depth` makes unmet goals fail the check.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS, fakeHarness } from "../impl/external/testing.ts";
import { runCli } from "./testing.ts";

const out = () => mkdtempSync(join(tmpdir(), "pcpu-depth-"));
// The generated runs alone (the workloads' checked runs go past 1,000 live objects).
const SMALL = [
  ...["--runs", "15", "--max-commands", "30", "--no-model", "--invariant", "no-overlap"],
  "--no-workloads",
];

/** --harness-timeout: a minute, never reached. */
const PATIENT = ["--harness-timeout", "60000"];

interface DepthField {
  source: string | null;
  chunks_max: number;
  live_max: number;
  pages_max: number;
  unit_offset_max: number | null;
  full_chunks: number | null;
  released: number;
  goals: Record<string, boolean>;
  goals_met: boolean;
}

describe("check: depth", () => {
  it("--json gives depth per target with the goals of its kind", async () => {
    const run = await runCli(
      "check",
      "--revision",
      "bitmap-2017",
      "--revision",
      "legacy-2.6.10",
      ...SMALL,
      "--out",
      out(),
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { depth: Record<string, DepthField> };
    const bitmap = json.depth["bitmap-2017"] as DepthField;
    for (const key of ["chunks_max", "live_max", "pages_max", "released"] as const) {
      expect(Number.isInteger(bitmap[key]), key).toBe(true);
    }
    expect(bitmap.chunks_max).toBeGreaterThanOrEqual(1);
    expect(bitmap.live_max).toBeGreaterThanOrEqual(1);
    expect(bitmap.unit_offset_max).toBeGreaterThan(0);
    expect(bitmap.unit_offset_max).toBeLessThanOrEqual(1);
    expect(Object.keys(bitmap.goals)).toEqual([
      "chunks-3",
      "unit-last-page",
      "full-chunk-released",
      "depopulated",
      "live-1000",
      "cpus-64",
    ]);
    expect(bitmap.goals_met).toBe(Object.values(bitmap.goals).every((m) => m));
    // 15 runs of 30 commands do not reach 1,000 live objects: reported, the exit code unchanged.
    expect(bitmap.goals["live-1000"]).toBe(false);
    const legacy = json.depth["legacy-2.6.10"] as DepthField;
    expect(Object.keys(legacy.goals)).toEqual(["live-1000", "cpus-64"]);
    expect(legacy.unit_offset_max).toBeNull();
  });

  it("prints the depth and the goals not met under each target's table", async () => {
    const run = await runCli("check", "--revision", "kiran-2005-09", ...SMALL, "--out", out());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /\n {2}depth \(15 runs\): \d+ blocks? at most \(inspect, \d+ in use\), \d+ live objects?, \d+ pages held, unit offset \d\.\d\d/,
    );
    expect(run.stdout).toMatch(
      /\n {2}depth goals: \d of 5 met; NOT MET: .*1,000 objects live at once \(\d+\)/,
    );
    expect(run.stdout).toContain("passed: no unexpected failures");
  });

  it("--require-depth fails a check whose goals are not met, and says so", async () => {
    const run = await runCli(
      "check",
      "--revision",
      "kiran-2005-09",
      ...SMALL,
      "--out",
      out(),
      "--require-depth",
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAILED: depth goals not met (--require-depth): kiran-2005-09");
  });
});

describe("stats: depth", () => {
  it("gives the runs' depth as check does, in text and JSON", async () => {
    const text = await runCli("stats", "--target", "areamap-2009", "--runs", "20");
    expect(text.stdout).toMatch(
      /\n {2}depth \(20 runs\): \d+ chunks? at most \(inspect, \d+ in use\)/,
    );
    expect(text.stdout).toMatch(/\n {2}depth goals: /);
    const run = await runCli("stats", "--target", "areamap-2009", "--runs", "20", "--json");
    const json = JSON.parse(run.stdout) as { depth: DepthField };
    expect(json.depth.chunks_max).toBeGreaterThanOrEqual(1);
    expect(Object.keys(json.depth.goals)).toContain("full-chunk-released");
  });
});

describe("depth of a harness without inspect (the C example harness)", () => {
  beforeAll(() => buildCHarness());

  it("check counts its chunks from the vm ranges of the copies, with the goals it can reach", async () => {
    const run = await runCli(
      "check",
      "--external",
      C_HARNESS,
      ...PATIENT,
      ...SMALL,
      "--out",
      out(),
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { depth: Record<string, DepthField> };
    const depth = json.depth[`external:${C_HARNESS}`] as DepthField;
    expect(depth.source).toBe("vm-ranges");
    expect(depth.chunks_max).toBeGreaterThanOrEqual(1);
    expect(depth.full_chunks).toBeNull();
    expect(Object.keys(depth.goals)).toEqual([
      "chunks-3",
      "unit-last-page",
      "chunk-released",
      "live-1000",
      "cpus-64",
    ]);
  });

  it("stats --external gives the same summary; --target beside it is a usage error", async () => {
    const run = await runCli(
      "stats",
      "--external",
      C_HARNESS,
      ...PATIENT,
      "--runs",
      "10",
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { target: string; depth: DepthField };
    expect(json.target).toBe(`external:${C_HARNESS}`);
    expect(json.depth.source).toBe("vm-ranges");
    const both = await runCli("stats", "--target", "bitmap-2017", "--external", C_HARNESS);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give --target or --external, not both");
  });
});

describe("depth of a check cut short", () => {
  it("a harness that crashes still has its depth reported: the runs so far", async () => {
    // The fake harness dies at the first boot: one run begun, no step measured.
    const run = await runCli(
      "check",
      "--external",
      fakeHarness("sigkill"),
      ...SMALL,
      "--out",
      out(),
      "--json",
    );
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout) as { depth: Record<string, DepthField & { runs: number }> };
    const depth = Object.values(json.depth)[0];
    expect(depth?.runs).toBe(1);
    expect(depth?.live_max).toBe(0);
    expect(depth?.goals_met).toBe(false);
  });
});
