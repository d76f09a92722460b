/** The transcripts of README.md and docs/: found, run, checked and rewritten (scripts/transcripts.ts). */
export * from "./normaliseOutput.ts";
export * from "./matchTranscript.ts";
export * from "./findTranscripts.ts";
export * from "./runTranscript.ts";
export * from "./transcriptPages.ts";
export * from "./harnessExchange.ts";
export * from "./shownFile.ts";
export * from "./pageLinks.ts";
