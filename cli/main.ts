/**
 * The pcpu-verify command, parsed with commander: `list` (revisions, mutants, invariants; the
 * kill matrix), `check`, `replay`, `stats`, `metrics`, `review`, `diff` and `report`.
 *
 * `main(argv, io)` takes `process.argv` (node, script, arguments...) and returns the exit code
 * instead of exiting, so that tests run it in-process with a buffered `io`. The exit codes
 * (cli/exitCodes.ts):
 *   0    ok: nothing failed unexpectedly; replay: no violation
 *   1    an invariant failed unexpectedly or a mutant survived; replay: the violation reproduces;
 *        diff: the two targets differ
 *   2    a usage error, before any work: bad option or value, unknown id, empty selection,
 *        unwritable output path, a harness program that does not exist; a malformed file
 *   3    an external harness failed as a process: crash, hang, protocol error
 *   4    incomplete: a selected unit was not judged (`check --allow-incomplete`: 0)
 *   5    an internal error of pcpu-verify itself
 *   128+N  stopped by signal N (130 SIGINT, 143 SIGTERM): bin/pcpu-verify.js runs `check` in
 *        a worker thread so that the main thread can take the signal (impl/stop.ts)
 * Several at once: 5 > 3 > 1 > 4 > 0.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import {
  ALL_TARGETS,
  asExternal,
  DEFAULT_AUDIT_EVERY,
  externalTarget,
  findTarget,
  INVARIANTS,
  linuxMutants,
  MUTANT_TARGETS,
  MutationFileError,
  REVISION_TARGETS,
  WORKLOADS,
} from "../properties/index.ts";
import {
  DEFAULT_MAX_COMMANDS,
  DEFAULT_OUT,
  DEFAULT_RUNS,
  DEFAULT_SEED,
  MAX_DEFAULT_JOBS,
  defaultJobs,
  checkCommand,
} from "./checkCommand.ts";
import { processIo, type CliIo } from "./cliIo.ts";
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from "./exitCodes.ts";
import { killMatrixCommand } from "./killMatrixCommand.ts";
import { listCommand } from "./listCommand.ts";
import { DEFAULT_TIMEOUT_MS } from "../impl/external/index.ts";
import {
  idCollector,
  intInRange,
  listIds,
  parseHarness,
  parseHarnessCommand,
  parsePercent,
  parsePositiveInt,
  parseSeconds,
  parseSeed,
  parseShard,
} from "./optionParsers.ts";
import { replayCommand } from "./replayCommand.ts";
import { statsCommand } from "./statsCommand.ts";
import { metricsCommand } from "./metricsCommand.ts";
import { reportCommand, type ReportOptions } from "./reportCommand.ts";
import { REVIEW_WORKLOADS, reviewCommand, type ReviewCliOptions } from "./reviewCommand.ts";
import { diffCommand, parseCompare, type DiffCliOptions } from "./diffCommand.ts";
import { UsageError } from "./usageError.ts";
import type { LinuxMutant, Target } from "../properties/index.ts";

/** The real-kernel rows, with the trees of the environment; a malformed .mut is a usage error. */
function realKernelMutants(): LinuxMutant[] {
  try {
    return linuxMutants();
  } catch (e) {
    if (e instanceof MutationFileError) throw new UsageError(`list --mutants: ${e.message}`);
    throw e;
  }
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Options several commands share, with one name, help text and default each (a fresh `Option`
 * per command: commander keeps parsed values on the option object).
 */
const option = {
  seed: () => new Option("--seed <n>", "the seed").argParser(parseSeed).default(DEFAULT_SEED),
  runs: () =>
    new Option("--runs <n>", "runs per round of the invariant check")
      .argParser(parsePositiveInt)
      .default(50),
  maxCommands: () =>
    new Option("--max-commands <n>", "the most commands in one run")
      .argParser(parsePositiveInt)
      .default(DEFAULT_MAX_COMMANDS),
  objects: () =>
    new Option("--objects <n>", "the workloads' scale (default: the published sizes)").argParser(
      parsePositiveInt,
    ),
  growthMax: () =>
    new Option("--growth-max <n>", "the largest live count of the work-growth metric")
      .argParser(parsePositiveInt)
      .default(10000),
};

/** The commander program; each action stores its exit code in `exit.code`. */
export function buildProgram(io: CliIo, exit: { code: number }): Command {
  const program = new Command("pcpu-verify")
    .description(
      "Verify dynamic per-CPU memory allocators (the kernel's alloc_percpu family) against the percpu invariants.",
    )
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError("(pcpu-verify --help shows the usage)")
    .showSuggestionAfterError(true);

  program
    .command("list")
    .description(
      "list the revisions, mutants and invariants, with their sources; --mutants: the kill matrix",
    )
    .argument("[mutant...]", "with --mutants: only these mutants")
    .option(
      "--mutants",
      "the kill matrix: check each mutant against the invariants it must break (takes a while)",
    )
    .option(
      "--allow-incomplete",
      "with --mutants: exit 0, not 4, when a row was not checked (no Linux tree, a failed build); the rows are still printed",
    )
    .option("--json", "print JSON")
    .action(
      (ids: string[], opts: { json?: boolean; mutants?: boolean; allowIncomplete?: boolean }) => {
        if (!opts.mutants && ids.length > 0) {
          throw new UsageError(`list: unexpected argument ${ids[0]}; mutant ids go with --mutants`);
        }
        if (!opts.mutants && opts.allowIncomplete) {
          throw new UsageError("list: --allow-incomplete goes with --mutants");
        }
        if (!opts.mutants) {
          exit.code = listCommand(opts, io);
          return;
        }
        const linux = realKernelMutants();
        const known = [...MUTANT_TARGETS.map((t) => t.id), ...new Set(linux.map((m) => m.id))];
        const unknown = ids.find((id) => !known.includes(id));
        if (unknown !== undefined) {
          throw new UsageError(
            `list --mutants: unknown mutant "${unknown}"; valid mutants: ${listIds(known)}`,
          );
        }
        exit.code = killMatrixCommand(ids, opts, io, linux);
      },
    );

  program
    .command("check")
    .description(
      "check invariants on revisions and mutants; write failing runs as counterexample files",
    )
    .addOption(
      new Option(
        "--revision <id>",
        "a revision to check (repeatable; default: every revision)",
      ).argParser(idCollector("revision", () => REVISION_TARGETS.map((t) => t.id))),
    )
    .addOption(
      new Option("--mutant <id>", "a mutant to check (repeatable)").argParser(
        idCollector("mutant", () => MUTANT_TARGETS.map((t) => t.id)),
      ),
    )
    .option("--all", "check every revision and every mutant")
    .addOption(
      new Option(
        "--external <command>",
        'an external harness to check, as "CMD ARGS" (docs/protocol.md; repeatable; alone, only the harnesses are checked)',
      ).argParser(parseHarnessCommand),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .addOption(
      new Option("--invariant <id>", "an invariant to check (repeatable; default: all)").argParser(
        idCollector("invariant", () => INVARIANTS.map((i) => i.id)),
      ),
    )
    .addOption(
      new Option("--seed <n>", "the seed of every random choice")
        .argParser(parseSeed)
        .default(DEFAULT_SEED),
    )
    .addOption(
      new Option("--runs <n>", "runs per round (fast-check numRuns)")
        .argParser(parsePositiveInt)
        .default(DEFAULT_RUNS),
    )
    .addOption(option.maxCommands())
    .addOption(
      new Option(
        "--audit-every <k>",
        "a full audit of every live copy every K steps; the steps between are checked incrementally (1: audit every step)",
      )
        .argParser(parsePositiveInt)
        .default(DEFAULT_AUDIT_EVERY),
    )
    .addOption(
      new Option(
        "--shard <i/n>",
        "run only shard i of n: the (target, invariant) units split in n contiguous slices",
      ).argParser(parseShard),
    )
    .addOption(
      new Option(
        "--time-limit <seconds>",
        "stop starting new work after this long; what was not judged is reported not-checked",
      ).argParser(parseSeconds),
    )
    .addOption(
      new Option(
        "--jobs <n>",
        "check this many revisions or mutants side by side, in worker threads (the output is the same for any n)",
      )
        .argParser(parsePositiveInt)
        .default(defaultJobs(), `the cores, up to ${MAX_DEFAULT_JOBS}`),
    )
    .addOption(
      new Option(
        "--utilization-threshold <percent>",
        "utilization-after-churn: the least utilization after each refill, in percent",
      )
        .argParser(parsePercent)
        .default(0.98, "98"),
    )
    .option("--junit <file>", "also write a JUnit XML report to this file")
    .option("--out <dir>", "where counterexample files are written", DEFAULT_OUT)
    .option(
      "--model",
      "run the state-machine model's paths and random runs on every target (default: on in-process targets, not on external harnesses)",
    )
    .option(
      "--no-model",
      "skip the state-machine model's paths and random runs (refinement, judged only there, is then not planned)",
    )
    .option(
      "--churn",
      "judge utilization-after-churn on every target (default: on in-process targets, not on external harnesses: a churn run is thousands of requests)",
    )
    .option("--no-churn", "skip utilization-after-churn and its churn runs")
    .option(
      "--allow-incomplete",
      "exit 0, not 4, when some unit was not judged (a time limit, a missing capability); the not-checked rows are still printed",
    )
    .option(
      "--require-depth",
      "exit 1 when a target's depth goals are not all met (by default they are only reported)",
    )
    .option(
      "--no-workloads",
      "skip the workloads' checked runs (kiran-2005, counters, zhou-2017, kernel-mix as steps, every invariant judged; an external harness runs kiran-2005 only)",
    )
    .option("--json", "print JSON only")
    .action(
      (opts: {
        revision?: string[];
        mutant?: string[];
        all?: boolean;
        external?: string[];
        harnessTimeout: number;
        invariant?: string[];
        seed: number;
        runs: number;
        maxCommands: number;
        auditEvery: number;
        utilizationThreshold: number;
        shard?: { index: number; count: number };
        timeLimit?: number;
        jobs: number;
        junit?: string;
        out: string;
        json?: boolean;
        model?: boolean;
        churn?: boolean;
        allowIncomplete?: boolean;
        requireDepth?: boolean;
        workloads?: boolean;
      }) => {
        exit.code = checkCommand(opts, io);
      },
    );

  program
    .command("replay")
    .description("replay a counterexample file step by step; exit 1 if the violation reproduces")
    .argument("<file>", "a counterexample file (JSON)")
    .addOption(
      new Option(
        "--external <command>",
        "for a file of an external target: the harness to run (default: the file's target.command)",
      ).argParser(parseHarness),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .option("--json", "print JSON")
    .action((file: string, opts: { json?: boolean; external?: string; harnessTimeout: number }) => {
      exit.code = replayCommand(file, opts, io);
    });

  program
    .command("stats")
    .description("show what generated runs explore: lengths, command kinds, depth (fc.statistics)")
    .addOption(
      new Option("--target <id>", "a revision or mutant")
        .argParser((v: string) => {
          if (findTarget(v) === undefined) {
            throw new UsageError(
              `unknown target '${v}'; expected one of ${ALL_TARGETS.map((t) => t.id).join(", ")}`,
            );
          }
          return v;
        })
        .default("kiran-2005-09"),
    )
    .addOption(option.seed())
    .addOption(new Option("--runs <n>", "runs").argParser(parsePositiveInt).default(200))
    .addOption(option.maxCommands())
    .addOption(
      new Option(
        "--external <command>",
        'an external harness instead of --target, as "CMD ARGS" (docs/protocol.md)',
      ).argParser(parseHarness),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .option("--json", "print JSON")
    .action(
      (
        opts: {
          target: string;
          seed: number;
          runs: number;
          maxCommands: number;
          external?: string;
          harnessTimeout: number;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (opts.external !== undefined && cmd.getOptionValueSource("target") === "cli") {
          throw new UsageError("stats: give --target or --external, not both");
        }
        const target =
          opts.external !== undefined
            ? externalTarget(opts.external, { timeoutMs: opts.harnessTimeout })
            : (findTarget(opts.target) as Target);
        try {
          exit.code = statsCommand(target, opts, io);
        } finally {
          asExternal(target)?.close();
        }
      },
    );

  program
    .command("metrics")
    .description(
      "run a workload on one target: utilization per phase, blocks, pages, vmalloc, NR_CPUS 8 vs 512, work as objects grow",
    )
    .option("--target <id>", "a revision or mutant")
    .addOption(
      new Option(
        "--external <command>",
        'an external harness, as "CMD ARGS" (docs/protocol.md)',
      ).argParser(parseHarness),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .option(
      "--workload <id>",
      "kiran-2005, counters, zhou-2017, kernel-mix or gushchin-2021",
      "kiran-2005",
    )
    .addOption(option.seed())
    .addOption(
      new Option("--objects <n>", "the workload's scale (default: the published size)").argParser(
        parsePositiveInt,
      ),
    )
    .addOption(
      new Option("--rounds <n>", "free-half/refill rounds (churn)")
        .argParser(parsePositiveInt)
        .default(1),
    )
    .addOption(option.growthMax())
    .option(
      "--counterexample <file>",
      "a utilization-after-churn counterexample file: measure its workload (it replaces --workload, --seed, --objects and --rounds) on its target, unless --target or --external names another",
    )
    .option("--timing", "add wall-clock time per phase (not deterministic)")
    .option("--json", "print JSON")
    .action(
      (opts: {
        target?: string;
        external?: string;
        harnessTimeout: number;
        workload: string;
        seed: number;
        objects?: number;
        rounds: number;
        growthMax: number;
        timing?: boolean;
        json?: boolean;
        counterexample?: string;
      }) => {
        exit.code = metricsCommand(opts, io);
      },
    );

  program
    .command("review")
    .description(
      "two targets side by side: invariants (status, counterexample length) and every metric, flagged where HEAD is worse",
    )
    .argument("[ids...]", "BASE and HEAD: revision or mutant ids")
    .addOption(
      new Option("--base-external <command>", 'BASE is an external harness, "CMD ARGS"').argParser(
        parseHarness,
      ),
    )
    .addOption(
      new Option("--head-external <command>", 'HEAD is an external harness, "CMD ARGS"').argParser(
        parseHarness,
      ),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .addOption(
      new Option(
        "--workload <id>",
        `a workload to measure (repeatable; default: ${REVIEW_WORKLOADS.join(", ")})`,
      ).argParser(idCollector("workload", () => WORKLOADS.map((w) => w.id))),
    )
    .addOption(option.seed())
    .addOption(option.runs().default(DEFAULT_RUNS))
    .addOption(option.maxCommands())
    .option(
      "--model",
      "run the state-machine model's paths on both sides (default: on in-process targets, not on external harnesses)",
    )
    .option("--no-model", "skip the state-machine model's paths (refinement is then not-checked)")
    .option("--out <dir>", "where the regressions' counterexample files are written", DEFAULT_OUT)
    .addOption(option.objects())
    .addOption(option.growthMax())
    .option("--json", "print JSON")
    .option("--markdown", "print Markdown to paste into a patch review")
    .option("--changed-only", "only the rows that changed (to fit a patch review)")
    .action((ids: string[], opts: ReviewCliOptions) => {
      exit.code = reviewCommand(ids, opts, io);
    });

  program
    .command("diff")
    .description(
      "the same runs on two targets, compared after every step: outcomes, placement, accounting, lists; exit 1 if they differ",
    )
    .argument("[ids...]", "BASE and HEAD: revision or mutant ids")
    .addOption(
      new Option("--base-external <command>", 'BASE is an external harness, "CMD ARGS"').argParser(
        parseHarness,
      ),
    )
    .addOption(
      new Option("--head-external <command>", 'HEAD is an external harness, "CMD ARGS"').argParser(
        parseHarness,
      ),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .addOption(
      new Option(
        "--compare <aspects>",
        "what is compared, comma-separated: outcomes, placement, accounting, lists (default: all that both sides give)",
      ).argParser(parseCompare),
    )
    .addOption(option.seed())
    .addOption(new Option("--runs <n>", "runs").argParser(parsePositiveInt).default(DEFAULT_RUNS))
    .addOption(option.maxCommands())
    .addOption(
      new Option("--cpus <n>", "every run has possible CPUs 0..N-1 (1 to 512)").argParser(
        intInRange(1, 512),
      ),
    )
    .addOption(
      new Option("--nodes <n>", "every run has N NUMA nodes (1 to 4)").argParser(intInRange(1, 4)),
    )
    .option("--out <dir>", "where the difference's counterexample file is written", DEFAULT_OUT)
    .option("--json", "print JSON")
    .action((ids: string[], opts: DiffCliOptions) => {
      exit.code = diffCommand(ids, opts, io);
    });

  program
    .command("report")
    .description(
      "write a Markdown report: check table, reviews, SVG plots, Mermaid diagrams of the machines and of each counterexample",
    )
    .requiredOption("--out <dir>", "where README.md, the plots and the counterexample files go")
    .addOption(
      new Option("--revision <id>", "a revision (repeatable; default: every revision)").argParser(
        idCollector("revision", () => REVISION_TARGETS.map((t) => t.id)),
      ),
    )
    .addOption(
      new Option("--mutant <id>", "a mutant (repeatable)").argParser(
        idCollector("mutant", () => MUTANT_TARGETS.map((t) => t.id)),
      ),
    )
    .addOption(
      new Option(
        "--external <command>",
        'an external harness, as "CMD ARGS" (repeatable; alone, only the harnesses are reported)',
      ).argParser(parseHarnessCommand),
    )
    .addOption(
      new Option("--harness-timeout <ms>", "how long to wait for each harness answer")
        .argParser(parsePositiveInt)
        .default(DEFAULT_TIMEOUT_MS),
    )
    .addOption(option.seed())
    .addOption(option.runs())
    .addOption(option.maxCommands())
    .option(
      "--model",
      "run the state-machine model's paths on every target (default: on in-process targets, not on external harnesses)",
    )
    .option("--no-model", "skip the state-machine model's paths")
    .addOption(option.objects())
    .addOption(
      new Option("--rounds <n>", "churn rounds of kiran-2005 in the utilization plot")
        .argParser(parsePositiveInt)
        .default(5),
    )
    .addOption(option.growthMax())
    .action(async (opts: ReportOptions) => {
      exit.code = await reportCommand(opts, io);
    });

  // A usage error's hint names the help of the command it was made in.
  for (const command of program.commands) {
    command.showHelpAfterError(`(pcpu-verify ${command.name()} --help shows the usage)`);
  }
  return program;
}

/** Runs the command line `argv` (as `process.argv`) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const exit = { code: EXIT_OK };
  const program = buildProgram(io, exit);
  try {
    await program.parseAsync([...argv], { from: "node" });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end with exit code 0; every other commander error is a usage error
      // whose message commander has printed already.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
