/**
 * The generated runs reach deep states: long runs, every command kind (and its bad-input form),
 * full blocks, a second block, several CPUs offline, injected ENOMEM.
 */
import { describe, expect, it } from "vitest";
import { findTarget, runStatistics } from "../index.ts";

describe("run statistics (fc.statistics)", () => {
  const lines: string[] = [];
  const dist = runStatistics(
    findTarget("kiran-2005-09")!,
    { seed: 20051, runs: 150, maxCommands: 60 },
    (l) => lines.push(l),
  );

  it("prints the three distributions", () => {
    expect(lines.some((l) => l.startsWith("run length:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("command kinds:"))).toBe(true);
    expect(lines.some((l) => l.startsWith("depth:"))).toBe(true);
  });

  it("makes runs of many lengths, not about 5", () => {
    const long = Object.entries(dist["run length"] ?? {})
      .filter(([label]) => Number(label.trim().split("..")[0]) >= 30)
      .reduce((sum, [, share]) => sum + share, 0);
    expect(long).toBeGreaterThan(0.2);
  });

  it("uses every command kind and bad-input form", () => {
    const kinds = Object.keys(dist["command kinds"] ?? {});
    for (const k of [
      "alloc",
      "free",
      "write",
      "cpu_up",
      "cpu_down",
      "cpu_add",
      "cpu_remove",
      "fail_page_alloc",
      "reclaim",
      "bad alloc",
      "bad free",
      "bad ptr",
      "bad cpu_down",
      "bad cpu_up",
    ]) {
      expect(kinds).toContain(k);
    }
  });

  it("reaches full blocks, a second block, CPUs offline and ENOMEM", () => {
    const depth = dist.depth ?? {};
    expect(depth["a full block"] ?? 0).toBeGreaterThan(0.1);
    expect((depth["2 blocks at most"] ?? 0) + (depth["3+ blocks at most"] ?? 0)).toBeGreaterThan(
      0.1,
    );
    expect(depth["4+ CPUs offline"] ?? 0).toBeGreaterThan(0.1);
    expect(depth["an ENOMEM"] ?? 0).toBeGreaterThan(0.1);
    expect(depth["10+ live objects"] ?? 0).toBeGreaterThan(0.05);
  });
});
