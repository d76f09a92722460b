/**
 * `check` as a CI gate: never green without judging, every usage error before any work, and
 * the exit codes of cli/exitCodes.ts.
 *
 *   0 ok  1 fail/survived  2 usage  3 harness  4 incomplete  5 internal  128+N signal
 *   precedence 5 > 3 > 1 > 4 > 0
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeHarness } from "../impl/external/testing.ts";
import {
  ALL_TARGETS,
  consequenceOf,
  expectedReason,
  MUTANT_TARGETS,
  selectTargets,
  survived,
  type InvariantResult,
} from "../properties/index.ts";
import type { CheckJson } from "./checkCommand.ts";
import { bufferedIo } from "./cliIo.ts";
import {
  EXIT_FAIL,
  EXIT_HARNESS,
  EXIT_INCOMPLETE,
  EXIT_INTERNAL,
  EXIT_OK,
  exitForSignal,
  worstExit,
} from "./exitCodes.ts";
import { junitXml } from "./junit.ts";
import { buildProgram, main } from "./main.ts";
import { checkReportDir, WRITTEN_MARK } from "./outputPaths.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-verify-gate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const tiny = ["--runs", "5", "--max-commands", "10", "--no-model"];

describe("exit codes", () => {
  it("one value each, and the most serious wins: 5 > 3 > 1 > 4 > 0", () => {
    expect(
      new Set([EXIT_OK, EXIT_FAIL, 2, EXIT_HARNESS, EXIT_INCOMPLETE, EXIT_INTERNAL]).size,
    ).toBe(6);
    expect(EXIT_HARNESS).toBe(3);
    expect(EXIT_INCOMPLETE).toBe(4);
    expect(EXIT_INTERNAL).toBe(5);
    expect(worstExit([])).toBe(0);
    expect(worstExit([4])).toBe(4);
    expect(worstExit([4, 1])).toBe(1);
    expect(worstExit([1, 4, 3])).toBe(3);
    expect(worstExit([3, 5, 1])).toBe(5);
    expect(exitForSignal(2)).toBe(130);
    expect(exitForSignal(15)).toBe(143);
  });

  it("an internal error of pcpu-verify exits 5, not 3", async () => {
    const io = {
      ...bufferedIo(),
      out: () => {
        throw new Error("a bug of the tool");
      },
    };
    const err: string[] = [];
    const code = await main(["node", "pcpu-verify", "list"], {
      ...io,
      err: (t) => void err.push(t),
    });
    expect(code).toBe(5);
    expect(err.join("")).toMatch(/internal error: Error: a bug of the tool/);
  });

  it("units left not-checked by a time limit exit 4; --allow-incomplete makes it 0 and still prints them", async () => {
    const args = ["check", "--revision", "kiran-2005-09", "--time-limit", "0.001", ...tiny];
    const junit = join(out, "incomplete.xml");
    const run = await runCli(...args, "--out", out, "--junit", junit);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/not-checked\s+0\s+the time limit ended the check first/);
    expect(run.stdout).toMatch(
      /INCOMPLETE: \d+ of \d+ \(target, invariant\) units not judged.*\(exit 4\)/,
    );
    expect(readFileSync(junit, "utf8")).toContain(
      '<skipped message="the time limit ended the check first"',
    );
    const json = JSON.parse((await runCli(...args, "--out", out, "--json")).stdout) as CheckJson;
    expect(json).toMatchObject({ incomplete: true, exit_code: 4 });
    expect(json.results.some((r) => r.status === "not-checked" && r.reason !== undefined)).toBe(
      true,
    );

    const allowed = await runCli(...args, "--out", out, "--allow-incomplete");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/the time limit ended the check first/);
    expect(allowed.stdout).toMatch(
      /incomplete: \d+ of \d+ \(target, invariant\) units not judged, accepted by --allow-incomplete/,
    );
  });
});

describe("an empty selection is a usage error before any work", () => {
  const never = join(out, "never");
  it.each([
    [
      ["--revision", "kiran-2005-09", "--invariant", "bitmap-slots"],
      ["bitmap-slots", "kiran-2005-09", "bitmap-2017"],
    ],
    [
      ["--revision", "kiran-2005-09", "--invariant", "refinement", "--no-model"],
      ["refinement", "kiran-2005-09", "the model is off", "--model"],
    ],
    [
      ["--external", fakeHarness("good"), "--invariant", "refinement"],
      ["refinement", "external:", "kiran-2005"],
    ],
    [
      ["--revision", "kiran-2005-09", "--invariant", "no-overlap", "--shard", "1/2"],
      ["shard 1/2 has nothing to judge", "1 (target, invariant) unit", "kiran-2005-09"],
    ],
  ])("check %j", async (args, mentions) => {
    const run = await runCli("check", ...args, ...tiny, "--out", never);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const m of mentions) expect(run.stderr).toContain(m);
    expect(existsSync(never)).toBe(false);
  });

  it("a unit the model being off makes unjudgeable is not planned, in one line", async () => {
    // Every invariant by default; refinement would be a not-checked row forcing exit 4.
    const run = await runCli("check", "--revision", "kiran-2005-09", ...tiny, "--out", out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("not planned: refinement (the model is off: --model)");
    expect(run.stdout).not.toMatch(/^ {2}refinement\s/m);
    const json = JSON.parse(
      (await runCli("check", "--revision", "kiran-2005-09", ...tiny, "--out", out, "--json"))
        .stdout,
    ) as CheckJson;
    expect(json.not_planned).toEqual([
      { target: "kiran-2005-09", invariant: "refinement", reason: "the model is off: --model" },
    ]);
    expect(json.exit_code).toBe(0);
    expect(json.incomplete).toBeUndefined();
  });
});

describe("output paths are checked before any work", () => {
  const file = join(out, "a-file");
  writeFileSync(file, "x");
  it.each([
    [
      ["--junit", "/no/such/dir/j.xml"],
      ["--junit /no/such/dir/j.xml", "parent directory /no/such/dir is missing"],
    ],
    [
      ["--junit", out],
      [`--junit ${out}`, "a directory where a file is expected"],
    ],
    [
      ["--out", file],
      [`--out ${file}`, "a file where a directory is expected"],
    ],
    [
      ["--out", join(file, "sub")],
      [`--out ${join(file, "sub")}`, `${file} is a file where a directory is expected`],
    ],
  ])("check %j", async (args, mentions) => {
    const run = await runCli(
      "check",
      "--revision",
      "kiran-2005-09",
      ...tiny,
      "--out",
      out,
      ...args,
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const m of mentions) expect(run.stderr).toContain(m);
  });

  it("report --out refuses a README.md it did not write, and takes one it wrote", async () => {
    const dir = join(out, "report");
    mkdirSync(dir);
    writeFileSync(join(dir, "README.md"), "# my notes\n");
    const run = await runCli("report", "--out", dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--out .*README\.md exists and was not written by pcpu-verify report/,
    );
    expect(readFileSync(join(dir, "README.md"), "utf8")).toBe("# my notes\n");
    expect(readdirSync(dir)).toEqual(["README.md"]);
    writeFileSync(join(dir, "README.md"), `${WRITTEN_MARK}\n# pcpu-verify report\n`);
    expect(() => checkReportDir("--out", dir)).not.toThrow();
    const fileOut = await runCli("report", "--out", file);
    expect(fileOut.code).toBe(2);
    expect(fileOut.stderr).toContain(`--out ${file}: a file where a directory is expected`);
  });
});

describe("a harness program that cannot be run is a usage error", () => {
  const plain = join(out, "not-executable");
  writeFileSync(plain, "#!/bin/sh\n");
  chmodSync(plain, 0o644);
  it.each([
    [
      ["check", "--external", "/no/such/harness --flag"],
      "harness program /no/such/harness: no such file",
    ],
    [
      ["check", "--external", "no-such-harness-xyz"],
      "harness program no-such-harness-xyz: not found in PATH",
    ],
    [["check", "--external", plain], `harness program ${plain}: not executable`],
    [["check", "--external", out], `harness program ${out}: a directory`],
    [
      ["replay", "some.json", "--external", "./no-such-harness"],
      "harness program ./no-such-harness: no such file",
    ],
    [["review", "--base-external", "/no/such/a", "kiran-2005-09"], "harness program /no/such/a"],
    [["review", "kiran-2005-09", "--head-external", "/no/such/b"], "harness program /no/such/b"],
    [["metrics", "--external", "/no/such/m"], "harness program /no/such/m"],
  ])("%j", async (args, says) => {
    const run = await runCli(...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(says);
  });
});

describe("check's output", () => {
  it("a harness failure is one row and one report per target, its kind said once", async () => {
    const run = await runCli("check", "--external", fakeHarness("sigkill"), ...tiny, "--out", out);
    expect(run.code).toBe(3);
    expect(run.stdout.match(/\bHARNESS-CRASH\b/g)).toHaveLength(2); // the table row, the report
    expect(run.stdout).toMatch(/not-checked\s+0\s+not judged: the harness failed/);
    expect(run.stdout).not.toMatch(/harness-crash: harness/);
    expect(run.stdout).toMatch(/target\s+pass\s+fail\s+expected\s+not-checked\s+harness\n/);
    expect(run.stdout).toMatch(/sigkill(\s+\d+){4}\s+1\n/);
  });

  it("a usage error's hint names the subcommand's help", async () => {
    const run = await runCli("check", "--bogus");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pcpu-verify check --help");
  });

  it("JUnit says 1 step, not 1 steps", () => {
    const xml = junitXml(
      [
        {
          survived: false,
          result: {
            target: "t",
            invariant: "no-overlap",
            status: "fail",
            runs: 1,
            counterexample: { file: "f.json", length: 1, commands: [], message: "m" },
          },
        },
      ],
      1,
      1,
    );
    expect(xml).toContain("counterexample (1 step): f.json");
  });
});

describe("what a result means lives with the runner", () => {
  const mutant = MUTANT_TARGETS.find((m) => m.id === "legacy-no-memset")!;
  const fail = (invariant: string, expected?: true): InvariantResult => ({
    target: mutant.id,
    invariant,
    status: "fail",
    runs: 1,
    ...(expected ? { expected, reason: "by design" } : {}),
  });

  it("selectTargets, expectedReason, survived and consequenceOf are properties/ exports", () => {
    expect(selectTargets({}).map((t) => t.kind)).toEqual(
      ALL_TARGETS.filter((t) => t.kind === "revision").map(() => "revision"),
    );
    expect(consequenceOf(mutant, fail("nr-cpus-independence", true))).toBe("legacy-2.6.10");
    expect(consequenceOf(mutant, fail(mutant.expected[0]!))).toBeUndefined();
    expect(expectedReason(mutant, fail("nr-cpus-independence", true))).toMatch(
      /^legacy-2.6.10 fails it by design/,
    );
    expect(survived(mutant, { ...fail(mutant.expected[0]!), status: "pass" })).toBe(true);
  });

  it("a mutant repeating its base revision's failure by design: a consequence, no file", async () => {
    const dir = join(out, "consequence");
    const args = ["check", "--mutant", "legacy-no-memset", "--invariant", "nr-cpus-independence"];
    const run = await runCli(
      ...args,
      "--runs",
      "50",
      "--max-commands",
      "20",
      "--no-model",
      "--out",
      dir,
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as CheckJson;
    expect(json.results[0]).toMatchObject({
      status: "fail",
      expected: true,
      consequence_of: "legacy-2.6.10",
    });
    expect(json.results[0]?.counterexample).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    const human = await runCli(
      ...args,
      "--runs",
      "50",
      "--max-commands",
      "20",
      "--no-model",
      "--out",
      dir,
    );
    expect(human.stdout).toMatch(
      /nr-cpus-independence\s+fail \(expected, as legacy-2.6.10\)\s+\d+\s+legacy-2.6.10 fails it by design/,
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe("cli/main.ts", () => {
  it("its header names every command and every exit code", () => {
    const header = readFileSync(new URL("./main.ts", import.meta.url), "utf8").split("*/")[0]!;
    const names = buildProgram(bufferedIo(), { code: 0 }).commands.map((c) => c.name());
    expect(names.length).toBe(8);
    for (const n of names) expect(header).toContain(`\`${n}\``);
    for (const code of ["0", "1", "2", "3", "4", "5", "128+N"]) {
      expect(header).toMatch(new RegExp(`^ \\*\\s+${code.replace("+", "\\+")}\\s`, "m"));
    }
  });
});
