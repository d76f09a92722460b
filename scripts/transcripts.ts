/**
 * npm run transcripts [-- OPTIONS] [PAGE ...]: runs the command of every transcript in README.md
 * and docs/ (scripts/transcripts/findTranscripts.ts says how one is marked) and rewrites its
 * output in place, keeping its elisions; with --check, compares instead and exits 1 on drift.
 *
 *   --check           compare, do not write
 *   --fast            only the transcripts not marked slow (what the test suite checks)
 *   --slow            only those marked slow (what .ci/run checks)
 *   --saved-command C --saved-output FILE --saved-exit N
 *                     the transcript of `pcpu-verify C` is compared with (or rewritten from) this
 *                     saved output and exit code instead of running it: .ci/run hands over its
 *                     main job's output this way, so the default check runs once
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  documentPages,
  pageTranscripts,
  REPO_ROOT,
  rewritePage,
  runTranscriptCommand,
  toLines,
  transcriptProblem,
  type CommandRun,
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
  const problems: string[] = [];
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
        ? `${selected.length} transcripts match their commands\n`
        : `${problems.length} of ${selected.length} transcripts differ; npm run transcripts rewrites them\n`,
    );
    return problems.length === 0 ? 0 : 1;
  }
  for (const [page, list] of runs) {
    const path = join(REPO_ROOT, page);
    const before = readFileSync(path, "utf8");
    const after = rewritePage(before, list);
    if (after !== before) {
      writeFileSync(path, after);
      process.stderr.write(`rewrote ${page}\n`);
    }
  }
  process.stderr.write(`${selected.length} transcripts written (${problems.length} changed)\n`);
  return 0;
}

try {
  process.exitCode = await run(parseArgs(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`transcripts: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
