/**
 * `pcpu-verify report --out DIR` end to end, small: two revisions, short checks, small workloads.
 *
 *   DIR/README.md ──links──> DIR/*.svg, DIR/counterexamples/*.json
 *        └── ```mermaid blocks: stateDiagram-v2 (machines), sequenceDiagram (counterexamples)
 *
 * Expect every SVG to parse as XML with an <svg> root and drawn marks, every relative link and
 * image of the Markdown to resolve to a file that exists, every counterexample file to be
 * readable and to replay, every Mermaid block to start with a diagram type, the same seed to
 * write the same README, and a progress bar only when standard error is a terminal.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS } from "../impl/external/testing.ts";
import { readCounterexample } from "../properties/index.ts";
import { progressFor } from "./progress.ts";
import { runCli, type CliRun } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "pcpu-verify-report-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const small = [
  "--runs",
  "5",
  "--max-commands",
  "25",
  "--no-model",
  "--objects",
  "100",
  "--growth-max",
  "100",
  "--rounds",
  "2",
];

/** The relative link targets of a Markdown text: [text](target) and ![alt](target). */
function links(md: string): string[] {
  return [...md.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((t) => !/^[a-z]+:/.test(t));
}

describe("pcpu-verify report", () => {
  const out = join(root, "report");
  let run: CliRun;
  let md: string;
  beforeAll(async () => {
    run = await runCli(
      "report",
      "--out",
      out,
      "--revision",
      "legacy-2.6.10",
      "--revision",
      "kiran-2005-09",
      ...small,
    );
    md = readFileSync(join(out, "README.md"), "utf8");
  });

  it("writes README.md, four plots and the counterexample files, and says so", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/wrote .*README\.md \(2 targets, \d+ counterexamples, 4 plots\)/);
    expect(
      readdirSync(out)
        .filter((f) => f.endsWith(".svg"))
        .sort(),
    ).toEqual([
      "utilization-churn.svg",
      "work-growth-bits-scanned.svg",
      "work-growth-comparisons.svg",
      "work-growth-loop-iterations.svg",
    ]);
    expect(md).toMatch(/^# pcpu-verify report$/m);
    expect(md).toMatch(/^\| invariant \| `legacy-2.6.10` \| `kiran-2005-09` \|$/m);
    expect(md).toMatch(/^### Review: `legacy-2.6.10` → `kiran-2005-09`$/m);
  });

  it("every SVG parses, has an <svg> root with a size, and draws lines and labels", () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    for (const f of readdirSync(out).filter((x) => x.endsWith(".svg"))) {
      const text = readFileSync(join(out, f), "utf8");
      expect(XMLValidator.validate(text), f).toBe(true);
      const doc = parser.parse(text) as { svg?: Record<string, unknown> };
      expect(doc.svg, f).toBeDefined();
      expect(Number(doc.svg?.["@_width"])).toBeGreaterThan(100);
      expect(text).toMatch(/<path /);
      expect(text).toContain("kiran-2005-09");
      expect(text).toContain("legacy-2.6.10");
    }
  });

  it("plots a person can read: one quantity each, a labelled panel per target and workload, so no line hides another", () => {
    const texts = (svg: string) =>
      [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
    // The plot's title, the column headers (workloads) and the row headers (targets).
    const titles = (svg: string) =>
      [...svg.matchAll(/class="mark-text role-title-text"[^>]*>(.*?)<\/g>/g)].flatMap((m) =>
        texts(m[1] as string),
      );
    const lines = (svg: string) => svg.match(/class="mark-line role-mark/g)?.length ?? 0;
    const read = (f: string) => readFileSync(join(out, f), "utf8");

    const util = read("utilization-churn.svg");
    expect(titles(util)).toEqual(expect.arrayContaining(["legacy-2.6.10", "kiran-2005-09"]));
    expect(lines(util)).toBe(2);
    for (const f of readdirSync(out).filter((x) => x.startsWith("work-growth-"))) {
      const svg = read(f);
      // legacy counts no work: not drawn as zeros, and the plot says so.
      expect(titles(svg), f).toContain("kiran-2005-09");
      expect(titles(svg), f).not.toContain("legacy-2.6.10");
      expect(lines(svg), f).toBe(2);
      expect(svg, f).toContain("not drawn: legacy-2.6.10 (counts no work)");
      expect(texts(svg), f).toEqual(
        expect.arrayContaining(["kiran-2005", "counters", "10", "100"]),
      );
    }
    for (const f of readdirSync(out).filter((x) => x.endsWith(".svg"))) {
      expect(
        texts(read(f)).some((t) => t.includes(" + ")),
        f,
      ).toBe(false);
    }
  });

  it("every relative link and image resolves to a file; counterexample files read and replay", async () => {
    const targets = links(md);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const t of targets)
      expect(existsSync(resolve(dirname(join(out, "README.md")), t)), t).toBe(true);
    const ces = targets.filter((t) => t.endsWith(".json"));
    expect(ces.length).toBeGreaterThan(0);
    for (const t of ces) {
      const file = join(out, t);
      const ce = readCounterexample(file);
      // A churn-round failure (utilization-after-churn) is a workload, not commands.
      if (ce.churn === undefined) expect(ce.commands.length, t).toBeGreaterThan(0);
      else expect(ce.churn.workload, t).toBeDefined();
      expect((await runCli("replay", file)).code).toBe(1);
    }
  });

  it("Mermaid blocks: the machines as state diagrams, each counterexample as a sequence diagram", () => {
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const kinds = blocks.map((b) => b.split("\n")[0]);
    expect(kinds.filter((k) => k === "sequenceDiagram").length).toBe(
      new Set(links(md).filter((t) => t.endsWith(".json"))).size,
    );
    expect(kinds.filter((k) => k?.startsWith("stateDiagram")).length).toBeGreaterThanOrEqual(4);
    for (const b of blocks.filter((x) => x.startsWith("sequenceDiagram"))) {
      // A churn-round failure has no steps to draw: its note says the workload and figures.
      if (b.includes("utilization-after-churn violated")) expect(b).toMatch(/refill-1/);
      else expect(b).toMatch(/^ {2}T->>A: /m);
      expect(b).not.toMatch(/;/);
    }
  });

  it("the same seed writes the same README", async () => {
    const again = join(root, "again");
    await runCli(
      "report",
      "--out",
      again,
      "--revision",
      "legacy-2.6.10",
      "--revision",
      "kiran-2005-09",
      ...small,
    );
    expect(readFileSync(join(again, "README.md"), "utf8")).toBe(md);
  });

  it("draws a progress bar only on a terminal", () => {
    const written: string[] = [];
    const stream = Object.assign(
      { write: (s: string) => (written.push(s), true), isTTY: true, columns: 100 },
      { cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => stream },
    ) as unknown as NodeJS.WritableStream;
    const quiet = progressFor({ out: () => {}, err: () => {} }, 2, "report", stream);
    quiet.step("a");
    quiet.stop();
    expect(written).toEqual([]);
    const bar = progressFor(
      { out: () => {}, err: () => {}, interactive: true },
      2,
      "report",
      stream,
    );
    bar.step("first part");
    bar.step("second part");
    bar.stop();
    const text = written.join("");
    // cli-progress redraws at most every few ms: the start and the end are always drawn.
    expect(text).toMatch(/report \[-+\] 0\/2/);
    expect(text).toMatch(/report \[[-=#]+\] 2\/2 done/);
  });

  it("--out is required and revisions must be known", async () => {
    const none = await runCli("report");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/required option '--out <dir>'/);
    const bad = await runCli("report", "--out", join(root, "x"), "--revision", "nope");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown revision/);
  });

  it("reports any target: a mutant (reviewed against its revision) and an external harness", async () => {
    buildCHarness();
    const any = join(root, "any");
    const r = await runCli(
      "report",
      "--out",
      any,
      "--revision",
      "kiran-2005-09",
      "--mutant",
      "kiran-node0",
      "--external",
      C_HARNESS,
      ...small,
      // kiran-node0's bug needs a run that allocates on a CPU of node 1: the 7th at this seed.
      "--runs",
      "10",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(3 targets, \d+ counterexamples?, 4 plots\)/);
    const text = readFileSync(join(any, "README.md"), "utf8");
    expect(text).toContain(
      `| invariant | \`kiran-2005-09\` | \`kiran-node0\` | \`external:${C_HARNESS}\` |`,
    );
    expect(text).toMatch(/^### Review: `kiran-2005-09` → `kiran-node0`$/m);
    // kiran-node0's seeded bug breaks node-locality: not "by design".
    expect(text).toMatch(/^\| node-locality \| pass \| \[fail \(\d+ steps?, seeded bug\)\]/m);
    expect(text).toMatch(/^### Review: `kiran-node0` → `external:/m);
    // A harness is named by its program in the plots, by its whole command in the tables.
    expect(readFileSync(join(any, "utilization-churn.svg"), "utf8")).toContain(
      ">external:pcpu-harness</text>",
    );
    expect(readFileSync(join(any, "work-growth-comparisons.svg"), "utf8")).toContain(
      "reports no work counters",
    );
  });
});
