/**
 * The transcripts of a Markdown page. A transcript is an HTML comment, then a `console` block
 * whose first line is the command:
 *
 *     <!-- transcript -->            or  <!-- transcript slow exit=1 -->
 *
 *     ```console
 *     $ npx pcpu-verify replay counterexamples/kiran-free-extra-bit--no-overlap.json
 *     …the output, where a line holding only "…" elides one or more lines
 *     ```
 *
 * `exit=N` is the exit code the command must end with (0 when absent); `slow` marks a command
 * too long for the test suite (checked by `npm run transcripts -- --check` and `.ci/run`).
 * A block that starts with `$ ` and shows output but has no marker is an error: every output
 * shown must be checked.
 */

export interface Transcript {
  /** The page, as given. */
  readonly file: string;
  /** The marker's line number (1-based), for messages. */
  readonly line: number;
  /** The words after `npx pcpu-verify`, as typed (split with shell rules when run). */
  readonly command: string;
  readonly slow: boolean;
  readonly exit: number;
  /** The documented output lines. */
  readonly body: readonly string[];
  /** Line indices (0-based) of the marker, of the first output line and of the closing fence. */
  readonly markerIndex: number;
  readonly bodyIndex: number;
  readonly closeIndex: number;
}

/** A page that cannot be read as transcripts: names the file, the line and what was expected. */
export class TranscriptSyntaxError extends Error {
  constructor(file: string, line: number, why: string) {
    super(`${file}:${line}: ${why}`);
    this.name = "TranscriptSyntaxError";
  }
}

const MARKER = /^<!--\s*transcript\b(.*?)-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*$/;
const PROMPT = "$ npx pcpu-verify";

export function findTranscripts(file: string, text: string): Transcript[] {
  const lines = text.split("\n");
  const found: Transcript[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const marker = MARKER.exec(line.trim());
    const fence = FENCE.exec(line);
    if (marker !== null) {
      const options = parseOptions(file, i + 1, (marker[1] as string).trim());
      // The block follows the marker, after one blank line (Prettier puts one there).
      const fenceAt = (lines[i + 1] ?? "").trim() === "" ? i + 2 : i + 1;
      const open = FENCE.exec(lines[fenceAt] ?? "");
      if (open === null || open[3] !== "console") {
        throw new TranscriptSyntaxError(
          file,
          fenceAt + 1,
          "expected a ```console block right after the transcript marker",
        );
      }
      const close = closingFence(lines, fenceAt, open[2] as string);
      if (close < 0) {
        throw new TranscriptSyntaxError(file, fenceAt + 1, "the console block is not closed");
      }
      const first = lines[fenceAt + 1] ?? "";
      if (!(first === PROMPT || first.startsWith(`${PROMPT} `))) {
        throw new TranscriptSyntaxError(
          file,
          fenceAt + 2,
          `expected the command as the block's first line: "${PROMPT} …"`,
        );
      }
      found.push({
        file,
        line: i + 1,
        command: first.slice(PROMPT.length).trim(),
        ...options,
        body: lines.slice(fenceAt + 2, close),
        markerIndex: i,
        bodyIndex: fenceAt + 2,
        closeIndex: close,
      });
      i = close;
    } else if (fence !== null) {
      const close = closingFence(lines, i, fence[2] as string);
      if (close < 0) return found;
      const block = lines.slice(i + 1, close);
      if ((block[0] ?? "").startsWith("$ ") && block.some((l) => !l.startsWith("$ "))) {
        throw new TranscriptSyntaxError(
          file,
          i + 1,
          "a block shows a command's output without a <!-- transcript --> marker before it",
        );
      }
      i = close;
    }
  }
  return found;
}

function closingFence(lines: readonly string[], open: number, ticks: string): number {
  for (let j = open + 1; j < lines.length; j++) {
    const f = FENCE.exec(lines[j] as string);
    if (f !== null && (f[2] as string).startsWith(ticks[0] as string) && f[3] === "") {
      if ((f[2] as string).length >= ticks.length) return j;
    }
  }
  return -1;
}

function parseOptions(file: string, line: number, text: string): { slow: boolean; exit: number } {
  let slow = false;
  let exit = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const code = /^exit=(\d+)$/.exec(word);
    if (word === "slow") slow = true;
    else if (code !== null) exit = Number(code[1]);
    else {
      throw new TranscriptSyntaxError(
        file,
        line,
        `unknown transcript option "${word}"; expected "slow" or "exit=N"`,
      );
    }
  }
  return { slow, exit };
}

/** The marker line a transcript's options give. */
export function markerLine(options: { slow: boolean; exit: number }): string {
  const words = [
    "transcript",
    ...(options.slow ? ["slow"] : []),
    ...(options.exit !== 0 ? [`exit=${options.exit}`] : []),
  ];
  return `<!-- ${words.join(" ")} -->`;
}
