/**
 * `pcpu-verify stats`: what the generated runs explore for one target (fc.statistics): run
 * lengths, command kinds with their bad-input forms, and depth (full blocks or chunks, as the
 * design calls them, a second one, CPUs offline, injected ENOMEM), so that a budget can be
 * judged by what it reaches.
 */
import { depthLines, runStatistics, type DepthJson, type Target } from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_OK } from "./exitCodes.ts";
import { plural } from "./format.ts";

export interface StatsOptions {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  readonly json?: boolean;
}

export function statsCommand(target: Target, options: StatsOptions, io: CliIo): number {
  const lines: string[] = [];
  let depth: DepthJson | undefined;
  const distribution = runStatistics(
    target,
    options,
    (l) => lines.push(l),
    (d) => {
      depth = d;
      lines.push(...depthLines(d).map((l) => l.slice(2)));
    },
  );
  if (options.json) {
    io.out(
      `${JSON.stringify({ target: target.id, seed: options.seed, runs: options.runs, distribution, depth }, null, 2)}\n`,
    );
  } else {
    io.out(
      `pcpu-verify stats: ${target.id}, seed ${options.seed}, ${plural(options.runs, "run")} of at most ${plural(options.maxCommands, "command")}\n`,
    );
    io.out(`${lines.map((l) => `  ${l}`).join("\n")}\n`);
  }
  return EXIT_OK;
}
