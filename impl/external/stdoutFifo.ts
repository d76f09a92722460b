/**
 * The child's standard output as this thread reads it (harnessProcess.ts): a FIFO made for the
 * child, read with blocking read(2), and the lines taken from what was read. The worker
 * (harnessWorker.mjs) wakes a blocked read with a marker written into the same FIFO, a NUL
 * byte, a letter and a newline (answers are JSON: they hold no NUL byte): "\0E\n" the child
 * exited, "\0T<n>\n" wait number n passed its deadline or a stop was asked. Markers are taken
 * out of the bytes wherever they fall.
 */
import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The first size of the buffer answers are read into (it grows up to a line's limit). */
const READ_BUFFER_BYTES = 64 << 10;

/**
 * A FIFO for the child's standard output: the end this thread reads (blocking), the end the
 * child writes, and one for the worker's markers. The FIFO's name is gone once they are open.
 */
export function stdoutFifo(): { read: number; child: number; wake: number } {
  const dir = mkdtempSync(join(tmpdir(), "pcpu-harness-"));
  const path = join(dir, "stdout");
  try {
    execFileSync("mkfifo", ["-m", "600", path], { stdio: "ignore" });
    // Opened without blocking first (nobody writes yet), then again, blocking, through /proc.
    const probe = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const child = openSync(path, constants.O_WRONLY);
    const wake = openSync(path, constants.O_WRONLY);
    const read = openSync(`/proc/self/fd/${probe}`, constants.O_RDONLY);
    closeSync(probe);
    return { read, child, wake };
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // mkfifo failed: nothing to remove.
    }
    rmdirSync(dir);
  }
}

/** What a read gave: a whole line, a marker of the worker's, or a line too long. */
export type Taken = { readonly line: string } | "watch" | "exit" | "overlong" | "eof";

export class LineReader {
  private readonly fd: number;
  private readonly maxLineBytes: number;
  /** Bytes read and not yet taken: `buffer[start, end)`. */
  private buffer = Buffer.alloc(READ_BUFFER_BYTES);
  private start = 0;
  private end = 0;

  constructor(fd: number, maxLineBytes: number) {
    this.fd = fd;
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes read and not taken (a line on its way). */
  get pending(): number {
    return this.end - this.start;
  }

  /**
   * The next line, or the next marker that concerns wait `seq` (a stale one is dropped),
   * reading (and blocking) as long as neither has come.
   */
  next(seq: number): Taken {
    for (;;) {
      const got = this.take(seq);
      if (got !== undefined) return got;
      if (this.pending > this.maxLineBytes) return "overlong";
      if (!this.readMore()) return "eof";
    }
  }

  private take(seq: number): Taken | undefined {
    for (;;) {
      const view = this.buffer.subarray(this.start, this.end);
      const nl = view.indexOf(10);
      const nul = view.indexOf(0);
      if (nul >= 0 && (nl < 0 || nul < nl)) {
        const close = view.indexOf(10, nul);
        if (close < 0) return undefined;
        const marker = view.toString("latin1", nul + 1, close);
        this.buffer.copy(this.buffer, this.start + nul, this.start + close + 1, this.end);
        this.end -= close + 1 - nul;
        if (marker === "E") return "exit";
        if (marker === `T${seq}`) return "watch";
        continue; // the mark of a wait that ended before
      }
      if (nl < 0) return undefined;
      const line = view.toString("utf8", 0, nl);
      this.start += nl + 1;
      if (this.start === this.end) this.start = this.end = 0;
      return { line };
    }
  }

  /** Reads what came next, blocking until there is some; false at the end of the file. */
  private readMore(): boolean {
    if (this.end === this.buffer.length) {
      if (this.start > 0) {
        this.buffer.copy(this.buffer, 0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else {
        const grown = Buffer.alloc(this.buffer.length * 2);
        this.buffer.copy(grown, 0, 0, this.end);
        this.buffer = grown;
      }
    }
    for (;;) {
      try {
        const n = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, null);
        this.end += n;
        return n > 0;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EINTR" || code === "EAGAIN") continue;
        throw e;
      }
    }
  }
}
