import { describe, expect, it } from "vitest";
import { runCli } from "./testing.ts";

describe("pcpu-verify stats", () => {
  it("prints the run-length, command-kind and depth distributions", async () => {
    const run = await runCli("stats", "--runs", "40", "--max-commands", "30");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pcpu-verify stats: kiran-2005-09, seed 20051, 40 runs");
    expect(run.stdout).toMatch(/run length: \d+\.\.\d+ steps\.+\d+\.\d+%/);
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

  it("says 1 run and 1 command, not 1 runs and 1 commands", async () => {
    const run = await runCli("stats", "--runs", "1", "--max-commands", "1");
    expect(run.stdout).toContain("kiran-2005-09, seed 20051, 1 run of at most 1 command\n");
  });

  it("JSON keys are not padded, and run lengths and depths come in order", async () => {
    const run = await runCli("stats", "--runs", "40", "--max-commands", "40", "--json");
    const json = JSON.parse(run.stdout) as {
      distribution: Record<string, Record<string, number>>;
    };
    const lengths = Object.keys(json.distribution["run length"] ?? {});
    expect(lengths.length).toBeGreaterThan(2);
    for (const l of lengths) expect(l).toMatch(/^\d+\.\.\d+ steps$/);
    const from = lengths.map((l) => Number(l.split("..")[0]));
    expect(from).toEqual([...from].sort((a, b) => a - b));
    const depth = Object.keys(json.distribution.depth ?? {});
    const blocks = depth.filter((l) => / blocks? at most$/.test(l)).map((l) => parseInt(l, 10));
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks).toEqual([...blocks].sort((a, b) => a - b));
    expect(depth).not.toContain("1 blocks at most");
    const text = await runCli("stats", "--runs", "40", "--max-commands", "40");
    const shown = [...text.stdout.matchAll(/run length: (\d+)\.\./g)].map((m) => Number(m[1]));
    expect(shown).toEqual(from);
  });

  it("a chunk design's depth is in chunks (areamap-2009, a bitmap-2017 mutant)", async () => {
    for (const target of ["areamap-2009", "bitmap-free-bytes-bits"]) {
      const run = await runCli("stats", "--target", target, "--runs", "30", "--json");
      const depth = Object.keys(
        (JSON.parse(run.stdout) as { distribution: Record<string, Record<string, number>> })
          .distribution.depth ?? {},
      );
      expect(depth.some((l) => / chunks? at most$/.test(l))).toBe(true);
      expect(depth.some((l) => /block/.test(l))).toBe(false);
    }
  });

  it("an unknown target is a usage error naming the valid ones", async () => {
    const run = await runCli("stats", "--target", "nope");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown target 'nope'");
    expect(run.stderr).toContain("kiran-2005-09");
  });
});
