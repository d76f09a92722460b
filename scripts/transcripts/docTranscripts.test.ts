/**
 * Every transcript of README.md and docs/ not marked slow, run and compared with what the page
 * shows (the slow ones: `npm run transcripts -- --check --slow`, run by .ci/run).
 */
import { describe, expect, it } from "vitest";
import {
  documentPages,
  pageTranscripts,
  runTranscriptCommand,
  transcriptProblem,
} from "./index.ts";

const transcripts = pageTranscripts(documentPages());

describe("the documents' transcripts", () => {
  it("are there, and some are cheap enough for the test suite", () => {
    expect(transcripts.filter((t) => !t.slow).length).toBeGreaterThan(0);
  });

  for (const t of transcripts.filter((x) => !x.slow)) {
    it(`${t.file}:${t.line} pcpu-verify ${t.command}`, { timeout: 300_000 }, async () => {
      const run = await runTranscriptCommand(t.command);
      expect(transcriptProblem(t, run)).toBeUndefined();
    });
  }
});
