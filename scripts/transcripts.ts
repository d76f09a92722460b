/**
 * npm run transcripts [-- OPTIONS] [PAGE ...]: runs the command of every transcript in README.md
 * and docs/ (scripts/transcripts/findTranscripts.ts says how one is marked) and rewrites its
 * output in place, keeping its elisions; with --check, compares instead and exits 1 on drift.
 * The protocol exchanges (harnessExchange.ts) are sent to their harness and checked or
 * rewritten the same way, and so are the files shown whole (shownFile.ts); both are cheap, part
 * of --fast. The C example harness is built
 * first (`make -C examples/c-harness`).
 *
 *   --check           compare, do not write
 *   --fast            only the transcripts not marked slow (what the test suite checks)
 *   --slow            only those marked slow (what .ci/run checks)
 *   --saved-command C --saved-output FILE --saved-exit N
 *                     the transcript of `pcpu-verify C` is compared with (or rewritten from) this
 *                     saved output and exit code instead of running it: .ci/run hands over its
 *                     main job's output this way, so the default check runs once
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  documentPages,
  exchangeProblem,
  findExchanges,
  pageExchanges,
  pageTranscripts,
  REPO_ROOT,
  findShownFiles,
  readShownFile,
  replaceBlocks,
  shownFileProblem,
  rewritePage,
  runExchange,
  runTranscriptCommand,
  toLines,
  transcriptProblem,
  type CommandRun,
  type Exchange,
  type Transcript,
} from "./transcripts/index.ts";

interface Options {
  check: boolean;
  only: "all" | "fast" | "slow";
  saved: { command: string; output: string; exit: number } | undefined;
  pages: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { check: false, only: "all", saved: undefined, pages: [] };
  const saved: Partial<{ command: string; output: string; exit: number }> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === "--check") options.check = true;
    else if (arg === "--fast") options.only = "fast";
    else if (arg === "--slow") options.only = "slow";
    else if (arg === "--saved-command") saved.command = value();
    else if (arg === "--saved-output") saved.output = value();
    else if (arg === "--saved-exit") {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`--saved-exit ${v}: expected an exit code`);
      saved.exit = Number(v);
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else options.pages.push(arg);
  }
  const given = [saved.command, saved.output, saved.exit].filter((v) => v !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new Error("--saved-command, --saved-output and --saved-exit go together");
  }
  if (given === 3) options.saved = saved as { command: string; output: string; exit: number };
  return options;
}

async function runOf(t: Transcript, options: Options): Promise<CommandRun> {
  const s = options.saved;
  if (s !== undefined && s.command === t.command) {
    return { code: s.exit, lines: toLines(readFileSync(s.output, "utf8")) };
  }
  return runTranscriptCommand(t.command);
}

async function run(options: Options): Promise<number> {
  const pages = options.pages.length > 0 ? options.pages : documentPages();
  const selected = pageTranscripts(pages).filter(
    (t) => options.only === "all" || (options.only === "slow") === t.slow,
  );
  if (
    options.saved !== undefined &&
    !selected.some((t) => t.command === (options.saved as { command: string }).command)
  ) {
    throw new Error(`no selected transcript runs "pcpu-verify ${options.saved.command}"`);
  }
  execFileSync("make", ["-C", join(REPO_ROOT, "examples/c-harness")], { stdio: "pipe" });
  const problems: string[] = [];
  const exchanges = new Map<string, { exchange: Exchange; actual: readonly string[] }[]>();
  if (options.only !== "slow") {
    for (const e of pageExchanges(pages)) {
      process.stderr.write(`${e.file}:${e.line}  exchange with ${e.command}\n`);
      const actual = runExchange(e);
      const problem = exchangeProblem(e, actual);
      if (problem !== undefined) problems.push(problem);
      exchanges.set(e.file, [...(exchanges.get(e.file) ?? []), { exchange: e, actual }]);
    }
    for (const f of pages.flatMap((p) =>
      findShownFiles(p, readFileSync(join(REPO_ROOT, p), "utf8")),
    )) {
      const problem = shownFileProblem(f, readShownFile(f));
      if (problem !== undefined) problems.push(problem);
    }
  }
  const runs = new Map<string, { transcript: Transcript; run: CommandRun }[]>();
  for (const t of selected) {
    process.stderr.write(`${t.file}:${t.line}  pcpu-verify ${t.command}\n`);
    const result = await runOf(t, options);
    const problem = transcriptProblem(t, result);
    if (problem !== undefined) problems.push(problem);
    const list = runs.get(t.file) ?? [];
    list.push({ transcript: t, run: result });
    runs.set(t.file, list);
  }
  if (options.check) {
    for (const p of problems) process.stderr.write(`${p}\n`);
    process.stderr.write(
      problems.length === 0
        ? `every transcript and exchange matches\n`
        : `${problems.length} transcripts or exchanges differ; npm run transcripts rewrites them\n`,
    );
    return problems.length === 0 ? 0 : 1;
  }
  for (const page of pages) {
    const path = join(REPO_ROOT, page);
    const before = readFileSync(path, "utf8");
    const middle = rewritePage(before, runs.get(page) ?? []);
    // The transcripts moved the lines: find the other blocks again, in the same order.
    const answered = exchanges.get(page) ?? [];
    const after = replaceBlocks(middle, [
      ...findExchanges(page, middle).map((e, k) => ({
        firstIndex: e.firstIndex,
        length: e.lines.length,
        lines: answered[k]?.actual ?? e.lines,
      })),
      ...findShownFiles(page, middle).map((f) => ({
        firstIndex: f.firstIndex,
        length: f.lines.length,
        lines: readShownFile(f),
      })),
    ]);
    if (after !== before) {
      writeFileSync(path, after);
      process.stderr.write(`rewrote ${page}\n`);
    }
  }
  process.stderr.write(`${problems.length} transcripts or exchanges rewritten\n`);
  return 0;
}

try {
  process.exitCode = await run(parseArgs(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`transcripts: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
