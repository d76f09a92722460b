/**
 * Argument parsers for commander options. Each throws commander's `InvalidArgumentError`,
 * which commander reports as `error: option '--seed <n>' argument 'x' is invalid. <why>`,
 * so every message names the option, the value and what was expected.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { splitShellWords } from "../impl/external/index.ts";

const INT32_MIN = -(2 ** 31);
const UINT32_MAX = 2 ** 32 - 1;

/** A fast-check seed: an integer that fits in 32 bits (signed or unsigned). */
export function parseSeed(value: string): number {
  const n = /^[-+]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < INT32_MIN || n > UINT32_MAX) {
    throw new InvalidArgumentError(
      `expected an integer from ${INT32_MIN} to ${UINT32_MAX}, like 20051`,
    );
  }
  return n;
}

/** A count of at least 1 (runs, commands). */
export function parsePositiveInt(value: string): number {
  const n = /^\+?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a positive integer (1 or more)");
  }
  return n;
}

/** A parser of an integer in [min, max], whose error names the range. */
export function intInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\+?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** A percentage above 0 and at most 100, `98` or `98%`, as a fraction (0.98). */
export function parsePercent(value: string): number {
  const text = value.trim().replace(/%$/, "");
  const n = /^\+?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 100) {
    throw new InvalidArgumentError("expected a percentage above 0 and at most 100, like 98");
  }
  return n / 100;
}

/**
 * A repeatable option whose values must be known ids: returns the parser that checks each
 * value and collects them in order, without duplicates. The error lists the valid ids.
 */
export function idCollector(
  what: string,
  ids: () => readonly string[],
): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    const valid = ids();
    if (!valid.includes(value)) {
      throw new InvalidArgumentError(`unknown ${what}; valid ${what}s: ${listIds(valid)}`);
    }
    const out = previous ?? [];
    return out.includes(value) ? out : [...out, value];
  };
}

/** Ids for a message: comma-separated, or "(none)". */
export function listIds(ids: readonly string[]): string {
  return ids.length === 0 ? "(none)" : ids.join(", ");
}

/** A repeatable option whose values are free text (a harness command line), in order. */
export function collector(value: string, previous: string[] | undefined): string[] {
  const out = previous ?? [];
  return out.includes(value) ? out : [...out, value];
}

function isExecutableFile(path: string): "ok" | "missing" | "directory" | "not executable" {
  try {
    if (statSync(path).isDirectory()) return "directory";
  } catch {
    return "missing";
  }
  try {
    accessSync(path, constants.X_OK);
    return "ok";
  } catch {
    return "not executable";
  }
}

/**
 * Why the program of a harness command cannot be run, or undefined when it can. The first word
 * is resolved as a shell would: with a slash, a path (relative to the working directory);
 * without one, the first executable file of that name in a PATH directory.
 */
export function harnessProgramProblem(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const program = splitShellWords(command)[0] as string;
  if (program.includes("/")) {
    const state = isExecutableFile(resolve(program));
    if (state === "ok") return undefined;
    if (state === "missing") return `harness program ${program}: no such file`;
    if (state === "directory") return `harness program ${program}: a directory, not a program`;
    return `harness program ${program}: not executable (chmod +x ${program})`;
  }
  const dirs = (env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  if (dirs.some((d) => isExecutableFile(join(d, program)) === "ok")) return undefined;
  return `harness program ${program}: not found in PATH (give a path, like ./${program}, for a program in this directory)`;
}

/** One harness command line: split into words as a shell would, its program runnable. */
export function parseHarness(value: string): string {
  let problem: string | undefined;
  try {
    problem = harnessProgramProblem(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return value;
}

/** A repeatable harness command line (`check --external`), each as `parseHarness`. */
export function parseHarnessCommand(value: string, previous: string[] | undefined): string[] {
  return collector(parseHarness(value), previous);
}

/** `--shard i/n`: shard i (1-based) of n, 1 <= i <= n. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(index >= 1 && count >= 1 && index <= count)) {
    throw new InvalidArgumentError('expected "i/n" with 1 <= i <= n, like 2/4');
  }
  return { index, count };
}

/** A duration in seconds (a positive number, fractions allowed). */
export function parseSeconds(value: string): number {
  const n = /^\s*\+?(\d+(\.\d+)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0)) throw new InvalidArgumentError("expected a positive number of seconds, like 600");
  return n;
}
