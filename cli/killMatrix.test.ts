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
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  findLinuxTree,
  killRow,
  LINUX_VERSIONS,
  linuxMutants,
  missingTreeReason,
  MUTANT_TARGETS,
  notApplicable,
} from "../properties/index.ts";
import { bufferedIo } from "./cliIo.ts";
import { killMatrixCommand, type KillMatrixJson } from "./killMatrixCommand.ts";
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
    // Without the workloads' checked runs, which run on two nodes.
    const row = killRow(mutant, { seed: 20051, runs: 1, maxCommands: 1, workloads: false });
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

/**
 * The real-kernel rows: one per mutation of harnesses/linux/mutations and Linux tree. Without a
 * tree a row is not checked (exit 4, or 0 with --allow-incomplete) and says how to get one;
 * with one, a row is built and checked as `check --external` checks a harness: one run of one
 * command cannot break integrity through a stale TLB entry, so the flush mutation survives
 * (exit 1); a tree that lacks the fix a mutation undoes (6.1.192 and "clean up all mappings
 * when pcpu_map_pages() fails") has that row not applicable, which is no survival (exit 0).
 */
describe("list --mutants: the real-kernel mutations", () => {
  const TLB = "linux-flush-tlb-in-reclaim-populated";

  it("without a tree, a row per version is not checked, saying how to get one: exit 4, or 0 with --allow-incomplete", async () => {
    const empty = mkdtempSync(join(tmpdir(), "pcpu-no-tree-"));
    vi.stubEnv("PCPU_LINUX_KSRC_6_12", empty);
    vi.stubEnv("PCPU_LINUX_KSRC_6_1", empty);
    try {
      const run = await runCli("list", "--mutants", TLB);
      expect(run.code).toBe(4);
      expect(run.stdout).toMatch(
        new RegExp(
          `${TLB}\\s+linux-6\\.12\\s+not checked: no linux 6\\.12 tree\\s+-\\s+-\\s+-\\s+-\\s+percpu: flush tlb`,
        ),
      );
      expect(run.stdout).toMatch(
        new RegExp(`${TLB}\\s+linux-6\\.1\\s+not checked: no linux 6\\.1 tree`),
      );
      expect(run.stdout).toContain(
        `PCPU_LINUX_KSRC_6_1=${empty} holds no mm/percpu.c and Makefile; get one with scripts/fetch-linux-source.sh 6.1, or set PCPU_LINUX_KSRC_6_1=DIR`,
      );
      expect(run.stdout).toMatch(/2 not checked \(incomplete: exit 4 unless --allow-incomplete\)/);
      const allowed = await runCli("list", "--mutants", TLB, "--allow-incomplete", "--json");
      expect(allowed.code).toBe(0);
      const json = JSON.parse(allowed.stdout) as KillMatrixJson;
      expect(json).toMatchObject({ incomplete: true, exit_code: 0 });
      expect(json.mutants.map((m) => [m.mutant, m.revision, m.verdict, m.not_checked])).toEqual([
        [TLB, "linux-6.12", "not-checked", ["integrity", "zero-on-alloc"]],
        [TLB, "linux-6.1", "not-checked", ["integrity", "zero-on-alloc"]],
      ]);
    } finally {
      vi.unstubAllEnvs();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("--allow-incomplete goes with --mutants", async () => {
    const run = await runCli("list", "--allow-incomplete");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/list: --allow-incomplete goes with --mutants/);
  });

  it("in-process rows are caught, with no linux part", async () => {
    const run = await runCli("list", "--mutants", "kiran-node0", "--json");
    const json = JSON.parse(run.stdout) as KillMatrixJson;
    expect(json.mutants.map((m) => [m.verdict, m.reason, m.not_checked, m.linux])).toEqual([
      ["caught", null, [], null],
    ]);
    expect(json.exit_code).toBe(0);
  });

  const rows = (version: string, id: string) =>
    linuxMutants().filter((m) => m.version === version && m.id === id);
  const matrix = (version: string, id: string) => {
    const io = bufferedIo();
    const code = killMatrixCommand([id], {}, io, rows(version, id), {
      seed: 20051,
      runs: 1,
      maxCommands: 1,
    });
    return { code, stdout: io.stdout() };
  };

  const absent = LINUX_VERSIONS.filter((v) => findLinuxTree(v) === undefined);
  if (absent.length > 0) {
    console.log(
      `cli/killMatrix.test.ts: real-kernel rows not run on linux ${absent.join(", ")}: ${absent.map((v) => missingTreeReason(v)).join("; ")}`,
    );
  }
  for (const version of LINUX_VERSIONS) {
    const tree = findLinuxTree(version);
    describe(`on linux ${version}`, () => {
      if (tree === undefined) {
        it("is not run: no tree", () => {
          expect(findLinuxTree(version)).toBeUndefined();
        });
        return;
      }
      it("a mutation given one run of one command survives: SURVIVED, exit 1", () => {
        const run = matrix(version, TLB);
        expect(run.code).toBe(1);
        expect(run.stdout).toMatch(
          new RegExp(
            `${TLB}\\s+linux-${tree.kernel.replace(/\./g, "\\.")}\\s+SURVIVED integrity, zero-on-alloc\\s+-\\s+-\\s`,
          ),
        );
        expect(run.stdout).toContain(`1 survived: ${TLB} (linux-${tree.kernel})`);
      }, 180_000);

      // A tree without the fix a mutation undoes (6.1.192 and the pcpu_map_pages() cleanup).
      const inapplicable = linuxMutants().find(
        (m) => m.version === version && notApplicable(m.mutation, tree) !== undefined,
      );
      if (inapplicable !== undefined) {
        it(`${inapplicable.id}: its pattern is not in ${tree.kernel}, a row not applicable, not a survival`, () => {
          const run = matrix(version, inapplicable.id);
          expect(run.code).toBe(0);
          const cell = `not applicable: pattern not found in ${tree.kernel}`;
          expect(run.stdout).toMatch(new RegExp(`${inapplicable.id}\\s+linux-\\S+\\s+${cell}\\s`));
          expect(run.stdout).toMatch(/; 1 not applicable$/m);
        });
      }
    });
  }
});
