/**
 * Every transcript of README.md and docs/ not marked slow, run and compared with what the page
 * shows; every protocol exchange sent to its harness; every file shown whole compared with the
 * file (the slow transcripts:
 * `npm run transcripts -- --check --slow`, run by .ci/run).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCHarness } from "../../impl/external/testing.ts";
import {
  brokenLinks,
  documentPages,
  exchangeProblem,
  findShownFiles,
  readShownFile,
  shownFileProblem,
  pageExchanges,
  pageTranscripts,
  runExchange,
  REPO_ROOT,
  runTranscriptCommand,
  transcriptProblem,
} from "./index.ts";

const pages = documentPages();
const transcripts = pageTranscripts(pages);
const exchanges = pageExchanges(pages);
const shownFiles = pages.flatMap((p) =>
  findShownFiles(p, readFileSync(join(REPO_ROOT, p), "utf8")),
);

beforeAll(() => buildCHarness());

describe("the documents' transcripts", () => {
  it("are there, and some are cheap enough for the test suite", () => {
    expect(transcripts.filter((t) => !t.slow).length).toBeGreaterThan(0);
    expect(exchanges.length).toBeGreaterThan(0);
  });

  it("link only to files inside the repository, and to headings that exist", () => {
    const pagesWithExamples = [...pages, "examples/c-harness/README.md", "BENCHMARKS.md"];
    expect(pagesWithExamples.flatMap((p) => brokenLinks(p))).toEqual([]);
  });

  for (const t of transcripts.filter((x) => !x.slow)) {
    it(`${t.file}:${t.line} pcpu-verify ${t.command}`, { timeout: 300_000 }, async () => {
      const run = await runTranscriptCommand(t.command);
      expect(transcriptProblem(t, run)).toBeUndefined();
    });
  }

  for (const e of exchanges) {
    it(`${e.file}:${e.line} exchange with ${e.command}`, () => {
      expect(exchangeProblem(e, runExchange(e))).toBeUndefined();
    });
  }

  for (const f of shownFiles) {
    it(`${f.file}:${f.line} shows ${f.path} as it is`, () => {
      expect(shownFileProblem(f, readShownFile(f))).toBeUndefined();
    });
  }
});
