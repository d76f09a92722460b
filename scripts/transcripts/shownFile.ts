/**
 * A file of the repository shown on a page, checked against the file itself:
 *
 *     <!-- file: counterexamples/kiran-free-extra-bit--no-overlap.json -->
 *     ```
 *     …the file's text, whole
 *     ```
 *
 * (a block without a language, so that Prettier leaves the file's own layout alone).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TranscriptSyntaxError } from "./findTranscripts.ts";
import { REPO_ROOT, toLines } from "./runTranscript.ts";

export interface ShownFile {
  readonly file: string;
  readonly line: number;
  /** The shown file, relative to the repository root. */
  readonly path: string;
  readonly lines: readonly string[];
  readonly firstIndex: number;
}

const MARKER = /^<!--\s*file:\s*(.+?)\s*-->\s*$/;

export function findShownFiles(file: string, text: string): ShownFile[] {
  const lines = text.split("\n");
  const found: ShownFile[] = [];
  lines.forEach((line, i) => {
    const marker = MARKER.exec(line.trim());
    if (marker === null) return;
    let open = i + 1;
    if ((lines[open] ?? "").trim() === "") open++;
    if (!/^```\s*$/.test(lines[open] ?? "")) {
      throw new TranscriptSyntaxError(
        file,
        open + 1,
        "expected a ``` block (no language) after the file marker",
      );
    }
    const close = lines.findIndex((l, j) => j > open && /^```\s*$/.test(l));
    if (close < 0)
      throw new TranscriptSyntaxError(file, open + 1, "the file's block is not closed");
    found.push({
      file,
      line: i + 1,
      path: marker[1] as string,
      lines: lines.slice(open + 1, close),
      firstIndex: open + 1,
    });
  });
  return found;
}

/** The file's lines as they are now. */
export function readShownFile(shown: ShownFile, root: string = REPO_ROOT): string[] {
  return toLines(readFileSync(join(root, shown.path), "utf8"));
}

/** Why the block differs from the file, or undefined. */
export function shownFileProblem(shown: ShownFile, actual: readonly string[]): string | undefined {
  const n = Math.max(shown.lines.length, actual.length);
  for (let k = 0; k < n; k++) {
    if (shown.lines[k] !== actual[k]) {
      return [
        `${shown.file}:${shown.firstIndex + k + 1} (${shown.path}) differs from the file`,
        `  page: ${shown.lines[k] ?? "(nothing)"}`,
        `  file: ${actual[k] ?? "(nothing)"}`,
      ].join("\n");
    }
  }
  return undefined;
}
