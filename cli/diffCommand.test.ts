/**
 * `pcpu-verify diff` end to end: exit codes, the JSON, the counterexample file naming both
 * targets, `replay` of it showing both sides, usage errors raised before any work, and the C
 * example harness against a revision and against itself (built here with make).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS } from "../impl/external/testing.ts";
import { readCounterexample } from "../properties/index.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-verify-diff-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
beforeAll(() => buildCHarness());

/** --harness-timeout: a minute, never reached (no outcome depends on the machine's speed). */
const patient = ["--harness-timeout", "60000"];

interface DiffJson {
  base: string;
  head: string;
  agree: boolean;
  runs: number;
  compare: string[];
  not_compared: string[];
  difference?: { field: string; aspect: string; length: number; step: number; file: string };
}

async function diff(...args: string[]): Promise<{ code: number; json: DiffJson }> {
  const run = await runCli("diff", ...args, "--out", out, "--json");
  expect(run.stderr).toBe("");
  return { code: run.code, json: JSON.parse(run.stdout) as DiffJson };
}

describe("pcpu-verify diff", () => {
  it("bitmap-2017 against bitmap-2017: they agree, exit 0, no file", async () => {
    const { code, json } = await diff("bitmap-2017", "bitmap-2017", "--runs", "50");
    expect(code).toBe(0);
    expect(json.agree).toBe(true);
    expect(json.compare).toEqual(["outcomes", "placement", "accounting", "lists"]);
    expect(json.difference).toBeUndefined();
  });

  it("a placement mutant against its revision: exit 1, a file naming both, replayed side by side", async () => {
    const { code, json } = await diff("bitmap-2017", "bitmap-scan-hint-kept");
    expect(code).toBe(1);
    const d = json.difference;
    // An object's place: its offset, or its chunk when the stale hint passes a free area over.
    expect(d?.field).toMatch(/^o\d+\.(block|offset)$/);
    expect(d?.length).toBeLessThanOrEqual(8);
    const file = d?.file as string;
    expect(file).toBe(join(out, "bitmap-2017--bitmap-scan-hint-kept--diff.json"));
    const ce = readCounterexample(file);
    expect(ce.invariant).toBe("diff");
    expect(ce.target.id).toBe("bitmap-2017");
    expect(ce.diff?.head).toEqual({
      kind: "mutant",
      id: "bitmap-scan-hint-kept",
      revision: "bitmap-2017",
    });
    expect(ce.diff?.field).toBe(d?.field);
    const replay = await runCli("replay", file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/BASE {7}bitmap-2017 \(revision\)/);
    expect(replay.stdout).toMatch(/HEAD {7}bitmap-scan-hint-kept \(mutant of bitmap-2017\)/);
    expect(replay.stdout).toContain(`^ ${d?.field}: BASE `);
    expect(replay.stdout).toMatch(/the difference reproduces/);
    const lines = replay.stdout.split("\n");
    expect(lines.filter((l) => /^ {7}BASE /.test(l))).toHaveLength(ce.commands.length);
    expect(lines.filter((l) => /^ {7}HEAD /.test(l))).toHaveLength(ce.commands.length);
    // --external names one harness: a difference's file names two.
    expect((await runCli("replay", file, "--external", C_HARNESS)).code).toBe(2);
  });

  it("kiran-2005-01 against kiran-2005-09: the pages held differ at the first allocation; placement alone, an object placed on one side only", async () => {
    const all = await diff("kiran-2005-01", "kiran-2005-09");
    expect(all.code).toBe(1);
    expect(all.json.difference?.field).toBe("pages_by_node[0]");
    expect(all.json.difference?.length).toBe(1);
    const placed = await diff("kiran-2005-01", "kiran-2005-09", "--compare", "placement");
    expect(placed.code).toBe(1);
    expect(placed.json.compare).toEqual(["placement"]);
    // The January i386 build needs fewer management pages than September's: an injected page
    // failure can fail September's block and not January's, so an object lives on BASE alone.
    // 1-minimal: the failure injected, then the allocation (or fill) it fails on one side.
    const field = placed.json.difference?.field ?? "";
    expect(field).toMatch(/^o\d+$/);
    expect(placed.json.difference?.length).toBe(2);
    const ce = readCounterexample(placed.json.difference?.file as string);
    expect(ce.commands.map((c) => c.op)).toEqual(["fail_page_alloc", expect.any(String)]);
    expect(ce.message).toContain(`${field}: BASE live, HEAD not live`);
  });

  it("usage errors before any work: one target, an unknown aspect, an empty list, lists without inspect", async () => {
    const cases = [
      ["bitmap-2017"],
      ["bitmap-2017", "no-such-revision"],
      ["bitmap-2017", "bitmap-2017", "--compare", "placement,colour"],
      ["bitmap-2017", "bitmap-2017", "--compare", ","],
      ["bitmap-2017", "--head-external", C_HARNESS, "--compare", "lists", ...patient],
    ];
    for (const args of cases) {
      const run = await runCli("diff", ...args, "--out", join(out, "usage"));
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(/error/);
    }
    expect(existsSync(join(out, "usage"))).toBe(false);
  });
});

describe("pcpu-verify diff --base-external / --head-external", () => {
  it("the C harness against itself: they agree; lists are not compared (no inspect)", async () => {
    const args = ["--base-external", C_HARNESS, "--head-external", C_HARNESS, "--runs", "40"];
    const { code, json } = await diff(...args, ...patient);
    expect(code).toBe(0);
    expect(json.compare).toEqual(["outcomes", "placement", "accounting"]);
    expect(json.not_compared).toEqual(["lists: BASE and HEAD have no inspect"]);
  });

  it("the C harness against bitmap-2017 on outcomes and placement: a short difference that replays on both", async () => {
    const args = ["--base-external", C_HARNESS, "bitmap-2017", "--compare", "outcomes,placement"];
    const { code, json } = await diff(...args, ...patient);
    expect(code).toBe(1);
    expect(json.head).toBe("bitmap-2017");
    expect(json.difference?.length).toBeLessThanOrEqual(4);
    const file = json.difference?.file as string;
    expect(readdirSync(out)).toContain("ext-pcpu-harness--bitmap-2017--diff.json");
    expect(readCounterexample(file).target.command).toBe(C_HARNESS);
    const replay = await runCli("replay", file, ...patient);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(`the difference reproduces: ${json.difference?.field}`);
  });
});
