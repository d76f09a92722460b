import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  brokenLinks,
  headingSlug,
  findTranscripts,
  matchesOutput,
  normaliseLine,
  rewritePage,
  rewriteTranscript,
  transcriptProblem,
  TranscriptSyntaxError,
} from "./index.ts";

const page = (...lines: string[]): string => lines.join("\n");

describe("findTranscripts", () => {
  it("reads the marker's options, the command and the output", () => {
    const text = page(
      "Intro.",
      "<!-- transcript slow exit=1 -->",
      "```console",
      "$ npx pcpu-verify check --runs 5",
      "line one",
      "…",
      "```",
      "After.",
    );
    const [t, ...rest] = findTranscripts("p.md", text);
    expect(rest).toEqual([]);
    expect(t).toMatchObject({
      file: "p.md",
      line: 2,
      command: "check --runs 5",
      slow: true,
      exit: 1,
      body: ["line one", "…"],
      markerIndex: 1,
      bodyIndex: 4,
      closeIndex: 6,
    });
  });

  it("refuses a block that shows output without a marker, naming the page and line", () => {
    const text = page("```console", "$ npx pcpu-verify list", "revisions", "```");
    expect(() => findTranscripts("p.md", text)).toThrow(TranscriptSyntaxError);
    expect(() => findTranscripts("p.md", text)).toThrow(/^p\.md:1: .*without a <!-- transcript/);
  });

  it("lets a block of commands alone stand without a marker", () => {
    const text = page("```sh", "$ npm install", "$ npm test", "```");
    expect(findTranscripts("p.md", text)).toEqual([]);
  });

  it("takes the block after one blank line, as Prettier writes it", () => {
    const text = page(
      "<!-- transcript -->",
      "",
      "```console",
      "$ npx pcpu-verify list",
      "x",
      "```",
    );
    expect(findTranscripts("p.md", text)[0]).toMatchObject({ body: ["x"], bodyIndex: 4 });
  });

  it("refuses an unknown option and a marker without its block", () => {
    expect(() => findTranscripts("p.md", page("<!-- transcript quick -->", "```console"))).toThrow(
      /p\.md:1: unknown transcript option "quick"/,
    );
    expect(() => findTranscripts("p.md", page("<!-- transcript -->", "text"))).toThrow(
      /p\.md:2: expected a ```console block/,
    );
    expect(() =>
      findTranscripts("p.md", page("<!-- transcript -->", "```console", "$ ls", "```")),
    ).toThrow(/p\.md:3: expected the command/);
  });
});

describe("normaliseLine", () => {
  it("ignores durations, elapsed_ms and padding, nothing else", () => {
    expect(normaliseLine("477626 commands executed in 82.2 s (seed 20051)")).toBe(
      normaliseLine("477626 commands executed in 9.5 s (seed 20051)"),
    );
    expect(normaliseLine("took 5 min 52 s")).toBe(normaliseLine("took 21 s"));
    expect(normaliseLine('{"elapsed_ms":8123,"seed":1}')).toBe(
      normaliseLine('{"elapsed_ms":7,"seed":1}'),
    );
    expect(normaliseLine("  a     b  ----")).toBe(normaliseLine("a b ------------"));
    expect(normaliseLine("477626 commands")).not.toBe(normaliseLine("477627 commands"));
    expect(normaliseLine("seed 20051")).not.toBe(normaliseLine("seed 20052"));
  });
});

describe("matchesOutput", () => {
  const output = ["head", "a", "b", "c", "tail"];

  it("takes the output whole, or with elisions of one line or more", () => {
    expect(matchesOutput(output, output)).toBe(true);
    expect(matchesOutput(["head", "…", "tail"], output)).toBe(true);
    expect(matchesOutput(["head", "  …", "c", "tail"], output)).toBe(true);
    expect(matchesOutput(["…", "tail"], output)).toBe(true);
  });

  it("finds a changed, missing or extra line, and an elision of nothing", () => {
    expect(matchesOutput(["head", "a", "B", "c", "tail"], output)).toBe(false);
    expect(matchesOutput(["head", "a", "b", "c"], output)).toBe(false);
    expect(matchesOutput([...output, "more"], output)).toBe(false);
    expect(matchesOutput(["head", "a", "b", "c", "…", "tail"], output)).toBe(false);
  });
});

describe("rewriteTranscript", () => {
  it("keeps the elisions where the output still has lines to elide", () => {
    const doc = ["title", "row 1 pass 200", "…", "total 12", "passed"];
    const output = [
      "title",
      "row 1 pass 200",
      "row 2 pass 200",
      "row 3 fail 4",
      "total 13",
      "passed",
    ];
    expect(rewriteTranscript(doc, output)).toEqual([
      "title",
      "row 1 pass 200",
      "…",
      "total 13",
      "passed",
    ]);
  });

  it("shows a new line inside a shown part, and drops an elision of nothing", () => {
    const doc = ["title", "a", "b", "…", "end"];
    const output = ["title", "a", "new", "b", "end"];
    expect(rewriteTranscript(doc, output)).toEqual(["title", "a", "new", "b", "end"]);
  });

  it("gives the whole output when nothing lines up", () => {
    expect(rewriteTranscript(["x", "…"], ["p", "q"])).toEqual(["p", "q"]);
  });
});

describe("rewritePage and transcriptProblem", () => {
  const text = page(
    "<!-- transcript -->",
    "```console",
    "$ npx pcpu-verify list",
    "old",
    "…",
    "```",
    "end",
  );
  const [t] = findTranscripts("p.md", text);

  it("names the page, the line and both texts of a drift, and a wrong exit code", () => {
    if (t === undefined) throw new Error("no transcript");
    expect(transcriptProblem(t, { code: 0, lines: ["old", "x"] })).toBeUndefined();
    expect(transcriptProblem(t, { code: 0, lines: ["new", "x"] })).toBe(
      [
        "p.md:1 (pcpu-verify list): line 4 differs from the output",
        '  transcript: "old"',
        '  output:     "new"',
      ].join("\n"),
    );
    expect(transcriptProblem(t, { code: 1, lines: ["old", "x"] })).toMatch(
      /exited with 1, the transcript says 0/,
    );
    const [empty] = findTranscripts(
      "p.md",
      page("<!-- transcript -->", "```console", "$ npx pcpu-verify list", "…", "```"),
    );
    if (empty === undefined) throw new Error("no transcript");
    expect(transcriptProblem(empty, { code: 0, lines: ["x"] })).toMatch(/shows no line/);
  });

  it("writes the output and the exit code in place, and leaves a matching one alone", () => {
    if (t === undefined) throw new Error("no transcript");
    expect(rewritePage(text, [{ transcript: t, run: { code: 1, lines: ["old", "x", "y"] } }])).toBe(
      page(
        "<!-- transcript exit=1 -->",
        "```console",
        "$ npx pcpu-verify list",
        "old",
        "…",
        "```",
        "end",
      ),
    );
    expect(rewritePage(text, [{ transcript: t, run: { code: 0, lines: ["new"] } }])).toBe(
      page("<!-- transcript -->", "```console", "$ npx pcpu-verify list", "new", "```", "end"),
    );
    expect(rewritePage(text, [{ transcript: t, run: { code: 0, lines: ["old", "x"] } }])).toBe(
      text,
    );
  });
});

describe("brokenLinks", () => {
  it("finds a link outside the repository, to no file, or to no heading", () => {
    const root = mkdtempSync(join(tmpdir(), "links-"));
    try {
      mkdirSync(join(root, "docs"));
      writeFileSync(join(root, "docs/a.md"), "# A page\n\n## Exit codes: `list --mutants`\n");
      writeFileSync(
        join(root, "README.md"),
        [
          "[ok](docs/a.md) [ok](docs/a.md#exit-codes-list---mutants) [web](https://x.org/a)",
          "[out](../shared/PROTOCOL.md) [none](docs/b.md) [anchor](docs/a.md#nothing)",
          "```",
          "[in a block](../ignored.md)",
          "```",
        ].join("\n"),
      );
      expect(brokenLinks("README.md", root)).toEqual([
        "README.md:2: link ../shared/PROTOCOL.md points outside the repository",
        "README.md:2: link docs/b.md: no such file",
        "README.md:2: link docs/a.md#nothing: no heading with that anchor",
      ]);
      expect(headingSlug("The kill matrix: `list --mutants`")).toBe(
        "the-kill-matrix-list---mutants",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
