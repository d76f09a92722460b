import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { INVARIANTS, MUTANT_TARGETS, REVISION_TARGETS } from "../properties/index.ts";
import { runCli } from "./testing.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

function expectListShape(json: Record<string, unknown>): void {
  expect(Object.keys(json)).toEqual(["revisions", "mutants", "invariants"]);
  const { revisions, mutants, invariants } = json as {
    revisions: Record<string, unknown>[];
    mutants: Record<string, unknown>[];
    invariants: Record<string, unknown>[];
  };
  expect(revisions.map((r) => r.id)).toEqual(REVISION_TARGETS.map((t) => t.id));
  for (const r of revisions) {
    expect(Object.keys(r)).toEqual([
      "id",
      "title",
      "source",
      "known_violations",
      "retained_pool",
      "differences",
    ]);
    expect(typeof r.title).toBe("string");
    expect(typeof r.source).toBe("string");
    expect(typeof r.known_violations).toBe("object");
  }
  expect(mutants.map((m) => m.id)).toEqual(MUTANT_TARGETS.map((t) => t.id));
  for (const m of mutants) {
    expect(Object.keys(m)).toEqual(["id", "revision", "source", "description", "expected"]);
    expect(REVISION_TARGETS.map((t) => t.id)).toContain(m.revision);
    for (const id of m.expected as string[]) expect(INVARIANTS.map((i) => i.id)).toContain(id);
  }
  expect(invariants.map((i) => i.id)).toEqual(INVARIANTS.map((i) => i.id));
  for (const i of invariants) {
    expect(Object.keys(i)).toEqual(["id", "title", "source", "cost", "needs"]);
    expect(Array.isArray(i.needs)).toBe(true);
  }
}

describe("pcpu-verify list", () => {
  it("--json prints the revisions, mutants and invariants with their sources", async () => {
    const run = await runCli("list", "--json");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expectListShape(json);
    const kiran = (
      json.revisions as { id: string; known_violations: Record<string, string> }[]
    ).find((r) => r.id === "kiran-2005-09");
    expect(Object.keys(kiran?.known_violations ?? {})).toContain("nr-cpus-independence");
    // Each revision entry carries its known differences from its source, an array of strings.
    const differences = json.revisions as { id: string; differences: unknown }[];
    for (const r of differences) expect(Array.isArray(r.differences), r.id).toBe(true);
    const of = (id: string) => differences.find((r) => r.id === id)?.differences as string[];
    expect(of("kiran-2005-09").some((d) => d.includes("BUG_ON(!IS_ALIGNED"))).toBe(true);
    expect(of("kiran-2005-01").some((d) => d.includes("i386"))).toBe(true);
    const pools = (json.revisions as { id: string; retained_pool: string | null }[]).map((r) => [
      r.id,
      r.retained_pool === null ? null : "pool",
    ]);
    expect(pools).toEqual([
      ["legacy-2.6.10", null],
      ["kiran-2005-01", null],
      ["kiran-2005-09", null],
      ["areamap-2009", "pool"],
      ["bitmap-2017", "pool"],
      ["bitmap-2017-kernel", "pool"],
    ]);
  });

  it("prints every id and source for people", async () => {
    const run = await runCli("list");
    expect(run.code).toBe(0);
    for (const t of [...REVISION_TARGETS, ...MUTANT_TARGETS]) expect(run.stdout).toContain(t.id);
    for (const i of INVARIANTS) expect(run.stdout).toContain(i.source);
  });

  it("runs as a command: node bin/pcpu-verify.js list --json", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["bin/pcpu-verify.js", "list", "--json"],
      { cwd: root },
    );
    expectListShape(JSON.parse(stdout) as Record<string, unknown>);
  });
});
