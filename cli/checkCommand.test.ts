import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MUTANT_TARGETS, readCounterexample } from "../properties/index.ts";
import type { MutantTarget, Target } from "../properties/index.ts";
import { checkCommand, defaultCheckOptions, type CheckJson } from "./checkCommand.ts";
import { bufferedIo } from "./cliIo.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-verify-check-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const small = [
  ...["--revision", "kiran-2005-09", "--runs", "5", "--max-commands", "10", "--no-model"],
  ...["--out", out],
];

describe("pcpu-verify check", () => {
  it("--json prints the seed, the commands run, the time and one result per invariant", async () => {
    const run = await runCli("check", ...small, "--json");
    expect(run.stderr).toBe("");
    // kiran-2005-09 breaks nr-cpus-independence by design: expected, so exit 0.
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    // refinement needs the model (off here): not planned, and said so.
    expect(Object.keys(json)).toEqual([
      "seed",
      "commands",
      "elapsed_ms",
      "results",
      "depth",
      "workloads",
      "not_planned",
      "exit_code",
    ]);
    expect(json.exit_code).toBe(0);
    expect(json.seed).toBe(20051);
    expect(json.commands).toBeGreaterThan(0);
    expect(typeof json.elapsed_ms).toBe("number");
    expect(json.results.length).toBeGreaterThan(0);
    for (const r of json.results) {
      expect(r.target).toBe("kiran-2005-09");
      expect(["pass", "fail", "not-checked"]).toContain(r.status);
      expect(Number.isInteger(r.runs)).toBe(true);
      const allowed = [
        "target",
        "invariant",
        "status",
        "runs",
        "expected",
        "reason",
        "counterexample",
      ];
      for (const k of Object.keys(r)) expect(allowed).toContain(k);
      if (r.status === "pass") expect(r.counterexample).toBeUndefined();
    }
    const known = json.results.find((r) => r.invariant === "nr-cpus-independence");
    expect(known).toMatchObject({ status: "fail", expected: true });
    expect(known?.reason).toMatch(/NR_CPUS/);
    const ce = known?.counterexample;
    expect(ce?.file).toBe(join(out, "kiran-2005-09--nr-cpus-independence.json"));
    expect(ce?.length).toBe(ce?.commands.length);
    expect(ce?.message).toMatch(/NR_CPUS 8/);

    const file = readCounterexample(ce?.file ?? "");
    expect(file).toMatchObject({
      target: { kind: "revision", id: "kiran-2005-09", revision: "kiran-2005-09" },
      invariant: "nr-cpus-independence",
      expect: "fail",
      expected_by_design: true,
      seed: 20051,
    });
    expect(file.commands).toEqual(ce?.commands);
  });

  it("gives the same JSON for the same seed, apart from elapsed_ms", async () => {
    const strip = (text: string) => ({ ...(JSON.parse(text) as CheckJson), elapsed_ms: 0 });
    const a = await runCli("check", ...small, "--seed", "7", "--json");
    const b = await runCli("check", ...small, "--seed", "7", "--json");
    expect(strip(b.stdout)).toEqual(strip(a.stdout));
    expect(strip(a.stdout).seed).toBe(7);
  });

  it("prints tables, the seed and a summary for people", async () => {
    const run = await runCli("check", ...small);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("seed 20051");
    expect(run.stdout).toMatch(/invariant\s+status\s+runs\s+note/);
    expect(run.stdout).toContain("fail (expected, by design)");
    expect(run.stdout).toMatch(/target\s+pass\s+fail\s+expected\s+not-checked/);
    expect(run.stdout).toMatch(/\d+ commands executed in/);
  });

  it("checks only the named invariants", async () => {
    const run = await runCli("check", ...small, "--invariant", "no-overlap", "--json");
    const json = JSON.parse(run.stdout) as CheckJson;
    expect(json.results.map((r) => r.invariant)).toEqual(["no-overlap"]);
  });

  it("a mutant breaking the invariant it was seeded for is expected: exit 0", async () => {
    const dir = join(out, "seeded");
    const args = [
      "check",
      "--mutant",
      "kiran-zero-online-only",
      "--invariant",
      "zero-on-alloc",
      "--no-model",
    ];
    const run = await runCli(
      ...args,
      "--runs",
      "20",
      "--max-commands",
      "10",
      "--out",
      dir,
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    expect(json.results).toHaveLength(1);
    expect(json.results[0]).toMatchObject({ status: "fail", expected: true });
    expect(
      readCounterexample(join(dir, "kiran-zero-online-only--zero-on-alloc.json")),
    ).toMatchObject({
      target: { kind: "mutant", id: "kiran-zero-online-only", revision: "kiran-2005-09" },
      expect: "fail",
    });
    // A seeded bug is not a property of the design.
    expect(
      readCounterexample(join(dir, "kiran-zero-online-only--zero-on-alloc.json"))
        .expected_by_design,
    ).toBeUndefined();
  });

  it("a failure nobody expects exits 1 with the counterexample as a script", () => {
    // A revision that behaves like kiran-free-extra-bit and claims to keep every invariant.
    const bug = MUTANT_TARGETS.find((m) => m.id === "kiran-free-extra-bit")!;
    const patched: Target = { ...bug, kind: "revision", id: "patched-rev", knownViolations: {} };
    const dir = join(out, "patched");
    const io = bufferedIo();
    const code = checkCommand(
      {
        ...defaultCheckOptions(),
        invariant: ["no-overlap"],
        runs: 300,
        maxCommands: 60,
        out: dir,
        model: false,
      },
      io,
      [patched],
    );
    expect(code).toBe(1);
    expect(readdirSync(dir)).toEqual(["patched-rev--no-overlap.json"]);
    const stdout = io.stdout();
    expect(stdout).toMatch(/no-overlap\s+FAIL/);
    expect(stdout).toContain("FAIL no-overlap:");
    expect(stdout).toMatch(/ {4} +0 {2}alloc\(/);
    expect(stdout).toContain(`file: ${join(dir, "patched-rev--no-overlap.json")}`);
    expect(stdout).toMatch(/FAILED: 1 invariant failure not expected/);
  });

  it("a mutant that survives the invariant meant to catch it exits 1", () => {
    const mutant = MUTANT_TARGETS.find((m) => m.id === "kiran-node0")!;
    const survivor: MutantTarget = { ...mutant, expected: ["alignment"] };
    const io = bufferedIo();
    // One node: every page is on node 0, so the seeded bug cannot show.
    const code = checkCommand(
      {
        ...defaultCheckOptions(),
        mutant: [mutant.id],
        invariant: ["alignment"],
        runs: 5,
        maxCommands: 5,
        out,
        model: false,
      },
      io,
      [survivor],
    );
    expect(code).toBe(1);
    expect(io.stdout()).toContain("SURVIVED");
    expect(io.stdout()).toContain("FAILED: 1 mutant not caught (exit 1)");
  });

  it("with the model, --json gains per-target coverage of states, transitions, guards and pairs", async () => {
    const run = await runCli(
      "check",
      ...["--revision", "kiran-2005-09", "--invariant", "refinement", "--runs", "5", "--json"],
      ...["--out", out],
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    expect(json.results).toEqual([
      { target: "kiran-2005-09", invariant: "refinement", status: "pass", runs: 5 },
    ]);
    const c = json.coverage?.["kiran-2005-09"];
    expect(c).toBeDefined();
    for (const kind of ["states", "transitions", "guards", "pairs"] as const) {
      const [done, total] = c![kind];
      expect(total).toBeGreaterThan(0);
      expect(done).toBeGreaterThan(0);
      if (kind !== "pairs") expect(done).toBe(total);
    }
  });

  it("writes no file when nothing fails", async () => {
    const dir = join(out, "none");
    const run = await runCli("check", ...small, "--invariant", "alignment", "--out", dir);
    expect(run.code).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("pcpu-verify check: usage errors exit 2", () => {
  it.each([
    [
      ["--revision", "nope"],
      ["'nope'", "legacy-2.6.10", "kiran-2005-09"],
    ],
    [
      ["--mutant", "nope"],
      ["'nope'", "kiran-zero-online-only"],
    ],
    [
      ["--invariant", "nope"],
      ["'nope'", "no-overlap", "no-oops"],
    ],
    [
      ["--seed", "abc"],
      ["--seed", "'abc'", "integer"],
    ],
    [
      ["--seed", "1.5"],
      ["--seed", "'1.5'", "integer"],
    ],
    [
      ["--runs", "0"],
      ["--runs", "'0'", "positive integer"],
    ],
    [
      ["--max-commands", "x"],
      ["--max-commands", "'x'", "positive integer"],
    ],
    [["--bogus"], ["unknown option", "--bogus"]],
  ])("check %j", async (args, mentions) => {
    const run = await runCli("check", ...args, "--out", join(out, "never"));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const m of mentions) expect(run.stderr).toContain(m);
    expect(existsSync(join(out, "never"))).toBe(false);
  });

  it("an unknown command", async () => {
    const run = await runCli("chekc");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("chekc");
  });

  it("--help is not an error", async () => {
    const run = await runCli("check", "--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--max-commands");
  });
});
