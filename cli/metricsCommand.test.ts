/**
 * `pcpu-verify metrics` end to end, in-process, with small workloads.
 *
 *   metrics --target kiran-2005-09 --workload counters --objects 200 --json
 *     -> {"target", "workload", "seed", "phases": [{"name": "alloc-1", "utilization", ...}], "metrics"}
 *
 * Expect the JSON of the shape, a human table naming each phase, the same output for
 * the same seed, usage errors (exit 2) that name the option, and an external harness measured
 * through the protocol (the C example: no work counters, so those figures are null).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS } from "../impl/external/testing.ts";
import {
  findTarget,
  gushchin2021Workload,
  measureTarget,
  reviewMetrics,
  type MetricsReport,
} from "../properties/index.ts";
import { formatMetrics } from "./metricsCommand.ts";
import { runCli } from "./testing.ts";

const small = ["--objects", "200", "--growth-max", "100"];

describe("pcpu-verify metrics", () => {
  beforeAll(() => buildCHarness());

  it("prints the report as JSON: phases with utilization and blocks, then the metrics", async () => {
    const run = await runCli(
      "metrics",
      "--target",
      "kiran-2005-09",
      "--workload",
      "counters",
      ...small,
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as MetricsReport;
    expect(json).toMatchObject({ target: "kiran-2005-09", workload: "counters", seed: 20051 });
    expect(json.phases.map((p) => p.name)).toEqual(["alloc-1", "free-1", "refill-1"]);
    expect(json.phases[0]).toMatchObject({
      utilization: 0.0977,
      blocks: 1,
      live_bytes: 800,
      unit_bytes: 8192,
    });
    expect(json.metrics.mem_refs_per_deref).toBe(0);
    expect(json.metrics.work_growth.map((g) => g.live)).toEqual([10, 100]);
  });

  it("the same seed prints the same; a human table names each phase and the deref loads", async () => {
    const args = [
      "metrics",
      "--target",
      "legacy-2.6.10",
      "--workload",
      "kernel-mix",
      ...small,
      "--rounds",
      "2",
    ];
    const a = await runCli(...args);
    const b = await runCli(...args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    for (const phase of ["alloc-1", "free-1", "refill-1", "free-2", "refill-2"]) {
      expect(a.stdout).toMatch(new RegExp(`^${phase} `, "m"));
    }
    expect(a.stdout).toMatch(/memory loads per per_cpu_ptr: 1/);
  });

  it("measures a mutant like a revision", async () => {
    const run = await runCli(
      "metrics",
      "--target",
      "kiran-keep-empty-block",
      "--workload",
      "counters",
      ...small,
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as MetricsReport;
    expect(json.target).toBe("kiran-keep-empty-block");
    expect(json.phases[0]?.blocks).toBe(1);
  });

  it("--timing adds a time per phase", async () => {
    const run = await runCli(
      "metrics",
      "--target",
      "kiran-2005-09",
      "--workload",
      "counters",
      ...small,
      "--timing",
      "--json",
    );
    const json = JSON.parse(run.stdout) as MetricsReport;
    expect(json.phases.every((p) => typeof p.elapsed_ms === "number")).toBe(true);
  });

  it("usage errors name the option and what was expected", async () => {
    const unknownWorkload = await runCli(
      "metrics",
      "--target",
      "kiran-2005-09",
      "--workload",
      "nope",
    );
    expect(unknownWorkload.code).toBe(2);
    expect(unknownWorkload.stderr).toMatch(
      /--workload: unknown workload 'nope'; expected one of kiran-2005, counters/,
    );
    const unknownTarget = await runCli("metrics", "--target", "nope");
    expect(unknownTarget.code).toBe(2);
    expect(unknownTarget.stderr).toMatch(
      /--target: unknown target 'nope'; expected one of legacy-2.6.10/,
    );
    const none = await runCli("metrics");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--target <id> or --external "CMD ARGS" is required/);
    const both = await runCli("metrics", "--target", "kiran-2005-09", "--external", C_HARNESS);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --target or --external, not both/);
    const objects = await runCli("metrics", "--target", "kiran-2005-09", "--objects", "0");
    expect(objects.code).toBe(2);
    expect(objects.stderr).toMatch(/--objects <n>.*expected a positive integer/);
  });

  it("measures an external harness through the protocol (no work counters: null)", async () => {
    const run = await runCli(
      "metrics",
      "--external",
      C_HARNESS,
      "--workload",
      "kernel-mix",
      "--objects",
      "60",
      "--growth-max",
      "10",
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as MetricsReport;
    expect(json.target).toBe(`external:${C_HARNESS}`);
    expect(json.phases[0]?.utilization).toBeGreaterThan(0);
    expect(json.phases[0]?.blocks).toBeNull();
    expect(json.phases[0]?.work_per_op).toBeNull();
    expect(json.metrics.work_growth[0]?.alloc).toBeNull();
  });

  it("says 1 object and 1 loop; chunks, map entries and 'not counted' as each design counts", async () => {
    const one = ["--workload", "counters", "--objects", "1", "--growth-max", "10"];
    const areamap = await runCli("metrics", "--target", "areamap-2009", ...one);
    expect(areamap.code).toBe(0);
    expect(areamap.stdout).toContain("(seed 20051, 1 object, 1 round)");
    expect(areamap.stdout).toMatch(/^phase +ops +live +utilization +chunks /m);
    expect(areamap.stdout).toMatch(/, 1 loop, [\d.]+ map entries\n/);
    expect(areamap.stdout).not.toMatch(/\b1 (objects|loops|bytes|pages)\b/);
    const legacy = await runCli("metrics", "--target", "legacy-2.6.10", ...one);
    expect(legacy.stdout).toMatch(/^alloc-1 .* not counted$/m);
    expect(legacy.stdout).not.toMatch(/0 cmp, 0 loops/);
  });
});

describe("a harness's own work counts (stats `work`)", () => {
  it("formatMetrics prints a harness's counts as bitmap calls and words", () => {
    const r = measureTarget(
      findTarget("bitmap-2017") ?? expect.unreachable("no bitmap-2017"),
      gushchin2021Workload,
      {
        seed: 1,
        objects: 11,
        growthMax: 10,
      },
    );
    const harnessLike = {
      ...r,
      phases: r.phases.map((p) => ({ ...p, work_per_op: { bitmap_calls: 2, bitmap_words: 4 } })),
    };
    expect(formatMetrics(harnessLike).join("\n")).toContain("2 bitmap calls, 4 words");
    const rows = reviewMetrics(harnessLike, undefined).map((m) => m.metric);
    expect(rows.some((m) => m.startsWith("bitmap_calls"))).toBe(false);
    const grown = {
      ...r,
      metrics: {
        ...r.metrics,
        work_growth: [{ live: 10, alloc: { bitmap_calls: 2, bitmap_words: 4 }, free: null }],
      },
    };
    const labels = reviewMetrics(grown, undefined).map((m) => m.label);
    expect(labels).toContain("bitmap calls per alloc at 10 live");
    expect(labels).toContain("bitmap words per alloc at 10 live");
    expect(labels).not.toContain("bitmap words per free at 10 live");
    // An in-process design's report has none of the harness's rows.
    expect(reviewMetrics(r, "bitmap-2017").some((m) => m.metric.startsWith("bitmap_"))).toBe(false);
  });
});
