/**
 * The kill matrix (`list --mutants`): each mutant checked against the invariants it must break,
 * with the counterexample's length beside the shortest failing path of the model's
 * breadth-first paths.
 *
 *   mutant            caught by      steps  model
 *   legacy-no-memset  zero-on-alloc      1      1
 *   kiran-node0       node-locality      1      1
 *
 * Expect both caught by what they must break, in one step, and the model's paths (which boot
 * two nodes with CPUs 0-3 possible) to find them in one step too; a mutant given one run of one
 * command survives and the command exits 1.
 */
import { describe, expect, it } from "vitest";
import { killRow, MUTANT_TARGETS } from "../properties/index.ts";
import type { KillMatrixJson } from "./killMatrixCommand.ts";
import { runCli } from "./testing.ts";

describe("list --mutants", () => {
  it("prints the matrix as JSON: caught by, lengths, times", async () => {
    const run = await runCli("list", "--mutants", "legacy-no-memset", "kiran-node0", "--json");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as KillMatrixJson;
    expect(
      json.mutants.map((m) => [
        m.mutant,
        m.caught_by,
        m.counterexample_length,
        m.model_path_length,
      ]),
    ).toEqual([
      ["legacy-no-memset", ["zero-on-alloc"], 1, 1],
      ["kiran-node0", ["node-locality"], 1, 1],
    ]);
    for (const m of json.mutants) {
      expect(m.survived).toEqual([]);
      expect(m.shrink_ms).toBeLessThanOrEqual(m.ms);
    }
  });

  it("prints a table with the median time to catch", async () => {
    const run = await runCli("list", "--mutants", "kiran-node0");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /mutant\s+revision\s+caught by\s+steps\s+model\s+time\s+shrinking\s+source/,
    );
    expect(run.stdout).toMatch(/kiran-node0\s+kiran-2005-09\s+node-locality\s+1\s+1\s/);
    expect(run.stdout).toMatch(/median time to catch \d+ ms; every mutant caught/);
    expect(run.stdout).toMatch(/^kill matrix: 1 mutant, seed /m);
  });

  it("a mutant that survives is flagged (one run of one command cannot reach a second node)", () => {
    const mutant = MUTANT_TARGETS.find((m) => m.id === "kiran-node0")!;
    const row = killRow(mutant, { seed: 20051, runs: 1, maxCommands: 1 });
    expect(row.survived).toEqual(["node-locality"]);
    expect(row.caughtBy).toEqual([]);
    expect(row.length).toBeUndefined();
  });

  it("refuses an unknown mutant and ids without --mutants, naming them", async () => {
    const unknown = await runCli("list", "--mutants", "kiran-nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /unknown mutant "kiran-nope"; valid mutants: legacy-all-nr-cpus/,
    );
    const stray = await runCli("list", "kiran-node0");
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/unexpected argument kiran-node0; mutant ids go with --mutants/);
  });
});
