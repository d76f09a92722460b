/**
 * A protocol exchange shown on a page, checked against the harness it names:
 *
 *     <!-- exchange: examples/c-harness/build/pcpu-harness-bug -->
 *     ```
 *     > {"id":1,"op":"hello"}
 *     < {"id":1,"ok":true,…}
 *     ```
 *
 * Every `>` line is sent to the harness (started in the repository root, its command split as
 * `--external` splits it) and every `<` line must be the answer it prints, byte for byte.
 */
import { spawnSync } from "node:child_process";
import { splitShellWords } from "../../impl/external/shellWords.ts";
import { TranscriptSyntaxError } from "./findTranscripts.ts";
import { REPO_ROOT, toLines } from "./runTranscript.ts";

export interface Exchange {
  readonly file: string;
  readonly line: number;
  /** The harness command line. */
  readonly command: string;
  /** The block's lines (`> ` requests and `< ` answers), and where they are on the page. */
  readonly lines: readonly string[];
  readonly firstIndex: number;
}

const MARKER = /^<!--\s*exchange:\s*(.+?)\s*-->\s*$/;

export function findExchanges(file: string, text: string): Exchange[] {
  const lines = text.split("\n");
  const found: Exchange[] = [];
  lines.forEach((line, i) => {
    const marker = MARKER.exec(line.trim());
    if (marker === null) return;
    // The block may follow after one blank line (Prettier keeps one there).
    let open = i + 1;
    if ((lines[open] ?? "").trim() === "") open++;
    if (!/^```\s*$/.test(lines[open] ?? "")) {
      throw new TranscriptSyntaxError(
        file,
        open + 1,
        "expected a ``` block after the exchange marker",
      );
    }
    const close = lines.findIndex((l, j) => j > open && /^```\s*$/.test(l));
    if (close < 0)
      throw new TranscriptSyntaxError(file, open + 1, "the exchange block is not closed");
    const block = lines.slice(open + 1, close);
    const bad = block.findIndex((l) => !l.startsWith("> ") && !l.startsWith("< "));
    if (bad >= 0) {
      throw new TranscriptSyntaxError(file, open + 2 + bad, 'expected "> request" or "< answer"');
    }
    found.push({
      file,
      line: i + 1,
      command: marker[1] as string,
      lines: block,
      firstIndex: open + 1,
    });
  });
  return found;
}

/** The block as the harness answers it: each request followed by its answers. */
export function runExchange(exchange: Exchange): string[] {
  const requests = exchange.lines.filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
  const [program, ...args] = splitShellWords(exchange.command);
  const run = spawnSync(program as string, args, {
    cwd: REPO_ROOT,
    input: `${requests.join("\n")}\n`,
    encoding: "utf8",
  });
  if (run.error !== undefined) throw run.error;
  const answers = toLines(run.stdout);
  // One answer per request, in order; answers beyond the requests are shown at the end.
  const result: string[] = [];
  requests.forEach((r, k) => {
    result.push(`> ${r}`);
    const a = answers[k];
    if (a !== undefined) result.push(`< ${a}`);
  });
  for (const extra of answers.slice(requests.length)) result.push(`< ${extra}`);
  return result;
}

/** Why the exchange shown differs from the harness's answers, or undefined. */
export function exchangeProblem(exchange: Exchange, actual: readonly string[]): string | undefined {
  const n = Math.max(exchange.lines.length, actual.length);
  for (let k = 0; k < n; k++) {
    if (exchange.lines[k] !== actual[k]) {
      return [
        `${exchange.file}:${exchange.firstIndex + k + 1} (exchange with ${exchange.command}) differs from the harness`,
        `  page:    ${exchange.lines[k] ?? "(nothing)"}`,
        `  harness: ${actual[k] ?? "(nothing)"}`,
      ].join("\n");
    }
  }
  return undefined;
}

/** The page with these blocks (an exchange's, a shown file's) replaced by their new lines. */
export function replaceBlocks(
  text: string,
  blocks: readonly { firstIndex: number; length: number; lines: readonly string[] }[],
): string {
  const lines = text.split("\n");
  for (const b of [...blocks].sort((x, y) => y.firstIndex - x.firstIndex)) {
    lines.splice(b.firstIndex, b.length, ...b.lines);
  }
  return lines.join("\n");
}
