/**
 * Where the CLI writes: standard output and standard error, as two sinks, so that tests run
 * `main` in-process and read what it printed.
 */
export interface CliIo {
  /** Standard output: results (tables, JSON). */
  out(text: string): void;
  /** Standard error: usage errors and diagnostics. */
  err(text: string): void;
  /** Standard error is a terminal: long runs may draw a progress bar there. */
  readonly interactive?: boolean;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
  };
}

/** A sink that keeps what was written, for tests and for callers that embed the CLI. */
export interface BufferedIo extends CliIo {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

export function bufferedIo(): BufferedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
