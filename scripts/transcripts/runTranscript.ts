/**
 * Runs a transcript's command as a user would type it in a checkout, but in this process
 * (`main` of cli/main.ts, as bin/pcpu-verify.js does) and in a scratch copy of the checkout:
 * every top-level entry of the repository is linked into a temporary folder, except the
 * committed counterexamples, which are copied, so that nothing a command writes (its
 * `--out` folder, a JUnit file, a rewritten counterexample) lands in the checkout. Standard
 * output and standard error are kept in the order they were written, as a terminal shows them
 * (not a terminal: no progress bars).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CliIo } from "../../cli/cliIo.ts";
import { main } from "../../cli/main.ts";
import { splitShellWords } from "../../impl/external/shellWords.ts";

/** The repository's root: where the commands of the documents run. */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

/** Entries copied rather than linked: a command may write there. */
const COPIED = new Set(["counterexamples"]);
/** Entries left out: version control, and what the commands themselves write. */
const LEFT_OUT = new Set([".git", "pcpu-verify-out", "junit.xml", "scratch", "coverage"]);

export interface CommandRun {
  readonly code: number;
  /** What the command printed, as lines (the last newline dropped). */
  readonly lines: string[];
}

/** Runs `pcpu-verify <command>` in a scratch checkout and returns its exit code and output. */
export async function runTranscriptCommand(command: string): Promise<CommandRun> {
  const scratch = mkdtempSync(join(tmpdir(), "pcpu-verify-transcript-"));
  const before = process.cwd();
  try {
    for (const entry of readdirSync(REPO_ROOT)) {
      if (LEFT_OUT.has(entry)) continue;
      const from = join(REPO_ROOT, entry);
      if (COPIED.has(entry)) cpSync(from, join(scratch, entry), { recursive: true });
      else symlinkSync(from, join(scratch, entry));
    }
    const printed: string[] = [];
    const io: CliIo = {
      out: (text) => void printed.push(text),
      err: (text) => void printed.push(text),
      interactive: false,
    };
    process.chdir(scratch);
    // As in a pipe, whatever this process's streams are: commander wraps help to a terminal's
    // width, and 80 columns otherwise.
    const restore = [process.stdout, process.stderr].map(notATerminal);
    try {
      const code = await main(["node", "pcpu-verify", ...splitShellWords(command)], io);
      return { code, lines: toLines(printed.join("")) };
    } finally {
      for (const r of restore) r();
    }
  } finally {
    process.chdir(before);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Makes a stream say it is not a terminal; returns what puts it back. */
function notATerminal(stream: NodeJS.WriteStream): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, "isTTY");
  Object.defineProperty(stream, "isTTY", { value: false, configurable: true, writable: true });
  return () => {
    if (own === undefined) delete (stream as { isTTY?: boolean }).isTTY;
    else Object.defineProperty(stream, "isTTY", own);
  };
}

/** Output text as lines, without the final newline's empty line. */
export function toLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((l) => l.replace(/\r$/, ""));
}
