/**
 * A real-kernel mutation, `harnesses/linux/mutations/ID.mut` (harnesses/linux/README.md gives
 * the format): header lines `key: value` up to the first `--- pattern`, then pattern and
 * replacement blocks. The suite reads these headers:
 *
 *   title: percpu: flush tlb in pcpu_reclaim_populated()     the fix the mutation undoes
 *   commit: 93274f1dd6b0 (v5.14, 2021)                       its commit or mail (optional)
 *   breaks: integrity, zero-on-alloc (why, optional)         the invariants that must catch it
 *   args: --small-unit                                       the harness's arguments (optional)
 *   observes: node-locality                                  judged beside (optional): what
 *                                                            they ask the harness (a `node`)
 *                                                            reaches the bug; they need not fail
 *   equivalent: why no run can tell it from the kernel        (optional; README's argument)
 *   file: mm/percpu.c                                        the file the patterns are in
 *
 * and ignores any other (`why:`, or one added later), as apply-mutation.sh and the Makefile
 * do. `breaks:` is a comma-separated list of black-box invariant ids and an optional reason in
 * parentheses; an id the suite does not know, or a white-box one (an external harness is
 * judged on the black-box invariants only), is an error naming the file and the id.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { splitShellWords, ShellWordsError } from "../../impl/external/index.ts";
import { findInvariant, INVARIANTS } from "../invariants/index.ts";
import { LINUX_HARNESS_DIR } from "./linuxTrees.ts";

export interface LinuxMutation {
  /** The file's name without `.mut`. */
  readonly id: string;
  /** The .mut file, as read. */
  readonly path: string;
  readonly title: string;
  readonly commit: string | undefined;
  /** The invariants that must catch it. */
  readonly breaks: readonly string[];
  /** Why they do, if the header says. */
  readonly reason: string | undefined;
  /** The harness's arguments when it is checked, e.g. ["--small-unit"]. */
  readonly args: readonly string[];
  /**
   * Invariants judged beside `breaks` for what they observe (`observes:`): a no-oops failure
   * raised by the `node` that node-locality asks. They need not fail.
   */
  readonly observes: readonly string[];
  /**
   * Why no run can tell it from the unmutated kernel (`equivalent:`), if it is an equivalent
   * mutant: it is still checked, and a survival is then reported as equivalent, not survived.
   */
  readonly equivalent: string | undefined;
  /** The file of the tree the patterns are found in, e.g. "mm/percpu.c". */
  readonly file: string;
  /** Each pattern block, its lines joined by "\n". */
  readonly patterns: readonly string[];
}

/** A .mut file the suite cannot use: the message names the file and what was expected. */
export class MutationFileError extends Error {
  constructor(path: string, why: string) {
    super(`${path}: ${why}`);
    this.name = "MutationFileError";
  }
}

/** The mutations of harnesses/linux/mutations, in the order `make list-mutations` gives. */
export function readLinuxMutations(
  dir: string = join(LINUX_HARNESS_DIR, "mutations"),
): LinuxMutation[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".mut"))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      return parseMutation(path, readFileSync(path, "utf8"));
    });
}

const BLACK_BOX = INVARIANTS.filter((i) => i.designs === undefined).map((i) => i.id);

export function parseMutation(path: string, text: string): LinuxMutation {
  const lines = text.split("\n");
  const headers = new Map<string, string>();
  const body = lines.findIndex((l) => l.startsWith("--- "));
  for (const line of body < 0 ? lines : lines.slice(0, body)) {
    const m = /^([a-z][\w-]*):\s*(.*)$/.exec(line);
    // The first of a repeated key counts (`why:` lines repeat; the suite ignores them).
    if (m !== null && !headers.has(m[1] as string)) headers.set(m[1] as string, m[2]!.trim());
  }
  const need = (key: string): string => {
    const value = headers.get(key);
    if (value === undefined || value === "") {
      throw new MutationFileError(path, `no "${key}:" header`);
    }
    return value;
  };
  const title = need("title");
  const file = need("file");
  const { ids, reason } = parseBreaks(path, need("breaks"));
  const observed = headers.get("observes");
  const observes = observed ? parseBreaks(path, observed, "observes").ids : [];
  let args: string[] = [];
  try {
    const words = headers.get("args") ?? "";
    args = words === "" ? [] : splitShellWords(words);
  } catch (e) {
    if (e instanceof ShellWordsError) throw new MutationFileError(path, `args: ${e.message}`);
    throw e;
  }
  const patterns = patternBlocks(lines.slice(Math.max(body, 0)));
  if (patterns.length === 0) throw new MutationFileError(path, 'no "--- pattern" block');
  const name = path.split("/").pop() ?? path;
  return {
    id: name.replace(/\.mut$/, ""),
    path,
    title,
    commit: headers.get("commit") || undefined,
    breaks: ids,
    reason,
    args,
    observes,
    equivalent: headers.get("equivalent") || undefined,
    file,
    patterns,
  };
}

/** `breaks: id, id (reason)`: the ids, each a black-box invariant, and the reason. */
function parseBreaks(
  path: string,
  value: string,
  key = "breaks",
): { ids: string[]; reason: string | undefined } {
  const m = /^([^()]*?)\s*(?:\((.*)\))?$/.exec(value);
  if (m === null) {
    throw new MutationFileError(
      path,
      `${key}: "${value}"; expected invariant ids separated by commas, then an optional (reason)`,
    );
  }
  const ids = (m[1] as string).split(",").map((id) => id.trim());
  if (ids.some((id) => id === "")) {
    throw new MutationFileError(
      path,
      `${key}: "${value}" has an empty invariant id; expected ids separated by commas, e.g. "breaks: integrity, zero-on-alloc (why)"`,
    );
  }
  for (const id of ids) {
    const invariant = findInvariant(id);
    if (invariant === undefined) {
      throw new MutationFileError(
        path,
        `${key}: unknown invariant "${id}"; valid: ${BLACK_BOX.join(", ")}`,
      );
    }
    if (invariant.designs !== undefined) {
      throw new MutationFileError(
        path,
        `${key}: "${id}" is a white-box invariant (of ${invariant.designs.join(", ")}); the harness is judged on the black-box ones: ${BLACK_BOX.join(", ")}`,
      );
    }
  }
  return { ids, reason: m[2]?.trim() || undefined };
}

/** The pattern of each `--- pattern` ... `--- replacement` block, as apply-mutation.sh reads it. */
function patternBlocks(lines: readonly string[]): string[] {
  const patterns: string[] = [];
  let current: string[] | undefined;
  for (const line of lines) {
    if (line === "--- pattern") {
      current = [];
      patterns.push("");
    } else if (line === "--- replacement" || line === "--- end") {
      if (current !== undefined) patterns[patterns.length - 1] = current.join("\n");
      current = undefined;
    } else if (current !== undefined) current.push(line);
  }
  return patterns.filter((p) => p !== "");
}
