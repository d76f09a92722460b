import { describe, expect, it } from "vitest";
import { runCli } from "./testing.ts";

describe("pcpu-verify stats", () => {
  it("prints the run-length, command-kind and depth distributions", async () => {
    const run = await runCli("stats", "--runs", "40", "--max-commands", "30");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pcpu-verify stats: kiran-2005-09, seed 20051, 40 runs");
    expect(run.stdout).toMatch(/run length: +\d+\.\. +\d+ steps\.+\d+\.\d+%/);
    expect(run.stdout).toMatch(/command kinds: alloc\.+\d+\.\d+%/);
    expect(run.stdout).toMatch(/depth: a full block\.+\d+\.\d+%/);
  });

  it("--json gives shares per label", async () => {
    const run = await runCli("stats", "--target", "legacy-2.6.10", "--runs", "20", "--json");
    const json = JSON.parse(run.stdout) as {
      target: string;
      distribution: Record<string, Record<string, number>>;
    };
    expect(json.target).toBe("legacy-2.6.10");
    const shares = Object.values(json.distribution["run length"] ?? {});
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("an unknown target is a usage error naming the valid ones", async () => {
    const run = await runCli("stats", "--target", "nope");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown target 'nope'");
    expect(run.stderr).toContain("kiran-2005-09");
  });
});
