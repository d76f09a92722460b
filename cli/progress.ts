/**
 * Progress of a long run on standard error, only when standard error is a terminal (nothing
 * otherwise, so that output piped to a file or read by a test stays deterministic): a
 * cli-progress bar for `review` and `report`, a status line for `check`.
 *
 *   review [==========--------------------] 2/6 kiran-2005 on kiran-2005-09
 *   check: target 2/5 kiran-2005-09, round 1, 340 runs, 12.3 s
 */
import cliProgress from "cli-progress";
import type { CliIo } from "./cliIo.ts";

export interface Progress {
  /** The next part begins; `label` says what it is. */
  step(label: string): void;
  stop(): void;
}

/** A progress bar of `total` parts, or a silent one when standard error is not a terminal. */
export function progressFor(
  io: CliIo,
  total: number,
  name: string,
  stream: NodeJS.WritableStream = process.stderr,
): Progress {
  if (io.interactive !== true) return { step: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${name} [{bar}] {value}/{total} {label}`,
      stream,
      clearOnComplete: true,
    },
    cliProgress.Presets.legacy,
  );
  let done = -1;
  bar.start(total, 0, { label: "" });
  return {
    step: (label) => {
      done++;
      bar.update(Math.max(done, 0), { label });
    },
    stop: () => {
      bar.update(total, { label: "done" });
      bar.stop();
    },
  };
}

/** One line of status on a terminal's standard error, redrawn in place. */
export interface StatusLine {
  /** Shows `text` (at most every `everyMs`, the last one always on `flush`). */
  show(text: string): void;
  /** Removes the line, so that what is printed next starts on a clean line. */
  clear(): void;
}

/**
 * A status line (`check`'s progress) when standard error is a terminal, a silent one
 * otherwise: written through `io.err`, so that it keeps its place among the other output.
 */
export function statusLine(io: CliIo, everyMs = 100): StatusLine {
  if (io.interactive !== true) return { show: () => {}, clear: () => {} };
  let shown = false;
  let last = 0;
  return {
    show: (text) => {
      const now = Date.now();
      if (shown && now - last < everyMs) return;
      last = now;
      shown = true;
      io.err(`\r\x1b[K${text}`);
    },
    clear: () => {
      if (!shown) return;
      shown = false;
      last = 0;
      io.err("\r\x1b[K");
    },
  };
}
