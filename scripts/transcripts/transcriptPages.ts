/**
 * The pages whose transcripts are checked (README.md and docs/, but the generated report), and
 * what checking and rewriting one transcript means.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findTranscripts, markerLine, type Transcript } from "./findTranscripts.ts";
import { findExchanges, type Exchange } from "./harnessExchange.ts";
import { firstDifference, isElision, matchesOutput, rewriteTranscript } from "./matchTranscript.ts";
import { REPO_ROOT, type CommandRun } from "./runTranscript.ts";

/** Folders under docs/ written by a command rather than by hand (`pcpu-verify report`). */
const GENERATED = new Set(["docs/report"]);

/** README.md and every Markdown page under docs/, relative to the repository root. */
export function documentPages(root: string = REPO_ROOT): string[] {
  const pages = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!GENERATED.has(path)) walk(path);
      } else if (entry.name.endsWith(".md")) pages.push(path);
    }
  };
  walk("docs");
  return pages;
}

/** Every transcript of the pages, in page order. */
export function pageTranscripts(pages: readonly string[], root: string = REPO_ROOT): Transcript[] {
  return pages.flatMap((page) => findTranscripts(page, readFileSync(join(root, page), "utf8")));
}

/** Every protocol exchange of the pages, in page order. */
export function pageExchanges(pages: readonly string[], root: string = REPO_ROOT): Exchange[] {
  return pages.flatMap((page) => findExchanges(page, readFileSync(join(root, page), "utf8")));
}

/** Why a transcript does not match its command's run, or undefined when it does. */
export function transcriptProblem(t: Transcript, run: CommandRun): string | undefined {
  const where = `${t.file}:${t.line} (pcpu-verify ${t.command})`;
  if (run.code !== t.exit) {
    return `${where}: the command exited with ${run.code}, the transcript says ${t.exit}`;
  }
  if (t.body.every(isElision)) return `${where}: the transcript shows no line of the output`;
  if (matchesOutput(t.body, run.lines)) return undefined;
  const d = firstDifference(t.body, run.lines);
  if (d === undefined) return `${where}: the output differs`;
  const line = t.bodyIndex + d.line + 1;
  return [
    `${where}: line ${line} differs from the output`,
    `  transcript: ${d.expected === undefined ? "(nothing)" : JSON.stringify(d.expected)}`,
    `  output:     ${d.actual === undefined ? "(nothing)" : JSON.stringify(d.actual)}`,
  ].join("\n");
}

/** The page with these transcripts' marker and output replaced by their runs. */
export function rewritePage(
  text: string,
  runs: readonly { transcript: Transcript; run: CommandRun }[],
): string {
  const lines = text.split("\n");
  // From the end, so that earlier line indices stay valid.
  const ordered = [...runs].sort((a, b) => b.transcript.markerIndex - a.transcript.markerIndex);
  for (const { transcript: t, run } of ordered) {
    // A transcript that matches is left as it is (its durations too).
    if (transcriptProblem(t, run) === undefined) continue;
    const body = rewriteTranscript(t.body, run.lines);
    lines.splice(t.markerIndex, 1, markerLine({ slow: t.slow, exit: run.code }));
    lines.splice(t.bodyIndex, t.closeIndex - t.bodyIndex, ...body);
  }
  return lines.join("\n");
}
