/**
 * Scale-out: `--shard i/n` splits the (target, invariant) units in n contiguous slices, and the
 * shards together judge exactly what one unsharded run judges; `--junit` writes the results as
 * JUnit XML; `--time-limit` stops starting new work and says what it covered.
 *
 *   unsharded   [ l1 l2 ... l13 | k1 k2 ... k17 | m1 ... ]
 *   --shard 1/3 [ l1 ...  |
 *   --shard 2/3           | ...  |
 *   --shard 3/3                  | ... m_last ]
 *
 * Expect the union of the three shards' results to equal the unsharded results, unit by unit.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { planUnits, REVISION_TARGETS, shardUnits, INVARIANTS } from "../properties/index.ts";
import type { CheckJson } from "./checkCommand.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-shard-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const small = ["--runs", "40", "--max-commands", "30", "--no-model", "--out", out, "--json"];
const targets = ["--revision", "legacy-2.6.10", "--revision", "kiran-2005-09"];
const mutants = ["--mutant", "kiran-node0", "--mutant", "legacy-no-memset"];

function units(json: CheckJson): string[] {
  return json.results.map(
    (r) => `${r.target}/${r.invariant}: ${r.status}${r.expected ? " (expected)" : ""}`,
  );
}

describe("check --shard", () => {
  it("every unit is in exactly one shard, the slices in order", () => {
    const all = planUnits(REVISION_TARGETS, INVARIANTS);
    for (const n of [1, 2, 3, 7, all.length + 2]) {
      const shards = Array.from({ length: n }, (_, i) =>
        shardUnits(all, { index: i + 1, count: n }),
      );
      expect(shards.flat()).toEqual(all);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("the union of shards 1/3, 2/3 and 3/3 equals the unsharded run", async () => {
    const whole = await runCli("check", ...targets, ...mutants, ...small);
    const parts = await Promise.all(
      [1, 2, 3].map((i) => runCli("check", ...targets, ...mutants, ...small, "--shard", `${i}/3`)),
    );
    const union = parts.flatMap((p) => units(JSON.parse(p.stdout) as CheckJson));
    expect(union).toEqual(units(JSON.parse(whole.stdout) as CheckJson));
    expect(parts.map((p) => p.code)).toEqual(parts.map(() => whole.code));
  });

  it("refuses a shard outside 1..n, naming the option", async () => {
    const run = await runCli("check", "--shard", "4/3");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--shard <i\/n>.*'4\/3' is invalid.*1 <= i <= n/);
  });
});

describe("check --junit", () => {
  it("one testsuite per target, a testcase per invariant; expected failures pass", async () => {
    const file = join(out, "report.xml");
    // kiran-node0 must break node-locality; judged on zero-on-alloc only, it survives.
    const run = await runCli(
      "check",
      "--revision",
      "legacy-2.6.10",
      "--mutant",
      "kiran-node0",
      "--invariant",
      "zero-on-alloc",
      "--invariant",
      "node-locality",
      "--invariant",
      "nr-cpus-independence",
      ...small,
      "--junit",
      file,
    );
    expect(run.code).toBe(0);
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(file, "utf8"),
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: {
          name: string;
          testcase: { name: string; failure?: unknown; "system-out"?: string }[];
        }[];
      };
    };
    const suites = xml.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(["legacy-2.6.10", "kiran-node0"]);
    expect(suites.map((s) => s.testcase.map((c) => c.name))).toEqual([
      ["zero-on-alloc", "node-locality", "nr-cpus-independence"],
      ["zero-on-alloc", "node-locality", "nr-cpus-independence"],
    ]);
    // Expected failures (by design, the seeded bug) pass; nothing here is unexpected.
    expect(xml.testsuites.failures).toBe("0");
    expect(suites[0]?.testcase[2]?.["system-out"]).toMatch(/^expected failure/);
  });

  it("a mutant that survives the invariant it must break is a <failure>", async () => {
    const file = join(out, "survivor.xml");
    // One run of one command cannot place an object on a second node: kiran-node0 survives
    // (the workloads' checked runs, on two nodes, would catch it).
    const run = await runCli(
      "check",
      "--mutant",
      "kiran-node0",
      "--invariant",
      "node-locality",
      "--runs",
      "1",
      "--max-commands",
      "1",
      "--no-model",
      "--no-workloads",
      "--out",
      out,
      "--junit",
      file,
    );
    expect(run.code).toBe(1);
    expect(readFileSync(file, "utf8")).toMatch(
      /<testcase classname="kiran-node0" name="node-locality">\s*<failure message="the mutant survived node-locality: it must break it" type="survived"/,
    );
  });
});

describe("check --time-limit", () => {
  it("stops starting work at the limit and reports the rest not-checked", async () => {
    const run = await runCli("check", ...targets, "--time-limit", "0.001", ...small.slice(0, -1));
    // Units not judged: incomplete, never a pass.
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(
      /time limit 0\.001 s: reached; \d+ of \d+ \(target, invariant\) units judged, the rest not-checked/,
    );
    expect(run.stdout).toMatch(/the time limit ended the check first/);
  });

  it("refuses a limit that is not a positive number of seconds", async () => {
    const run = await runCli("check", "--time-limit", "soon");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--time-limit <seconds>.*'soon' is invalid.*positive number of seconds/,
    );
  });
});
