/**
 * Argument parsers for commander options. Each throws commander's `InvalidArgumentError`,
 * which commander reports as `error: option '--seed <n>' argument 'x' is invalid. <why>`,
 * so every message names the option, the value and what was expected.
 */
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

/** A harness command line: not empty, and split into words as a shell would. */
export function parseHarnessCommand(value: string, previous: string[] | undefined): string[] {
  try {
    splitShellWords(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return collector(value, previous);
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
