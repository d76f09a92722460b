/**
 * One harness process, spoken to synchronously: the transport of docs/protocol.md.
 *
 * The allocator interface is synchronous (a property calls `alloc` and reads the answer on the
 * next line), so this thread writes each request to the child's standard input and reads the
 * answer from its standard output with blocking system calls: a round trip is two process
 * switches. The child's standard output is a FIFO made for it, read here; the child itself is
 * started, its standard error drained and its exit seen by a worker thread
 * (harnessWorker.mjs), which also watches each wait: when the child exits, the wait passes its
 * deadline or a stop is requested, it wakes this thread with a marker written into the same
 * FIFO. Other news of the worker (spawned, exit, stderr) comes by message, taken with
 * `receiveMessageOnPort` while this thread blocks in `Atomics.wait`.
 *
 * Two time limits, because starting a process is not answering a request:
 * - `startTimeoutMs` (default 60 s) bounds starting: the worker thread and the spawn, and then
 *   the answer to the first request (`hello`), each. Starting Node or a big harness on a loaded
 *   machine takes seconds, and a harness that is slow to start has not hung.
 * - `timeoutMs` (`--harness-timeout`, default 5 s) bounds every later answer: how long one
 *   request may take once the harness is up. Only that is a harness-hang "no answer within".
 *
 * What can go wrong is a `HarnessFailure` of its own kind, and the process is dead afterwards
 * (killed, with its process group, if it was not already): an exit or a signal is a
 * harness-crash, no answer in time a harness-hang, a line that is not a JSON object, a wrong
 * id, a bad `ok`/`error` envelope or a line above `maxLineBytes` a protocol-error. Standard
 * error is kept (its last `maxStderrBytes`) and shown in the message.
 *
 * A stop request (../stop.ts: Ctrl-C or SIGTERM seen by another thread) is not the harness's
 * fault: a wait for a message is cut in slices of at most `WAIT_SLICE_MS` and looks at the stop
 * flag in between, and the worker looks at it while this thread waits for an answer, so a wait
 * for the spawn or for an answer kills the harness (its process group),
 * reaps it and throws `Stopped`, not a `HarnessFailure`. `close` on a stop kills at once
 * instead of granting `quit` its grace, and does not throw (it runs in clean-up code, where a
 * throw would hide the error in flight and leave the next harness unclosed).
 *
 * No child outlives this process: `close()` sends `quit` and reaps the child, and an `exit`
 * hook (and SIGINT/SIGTERM/SIGHUP) kills the process group of every harness still running.
 */
import { closeSync, writeSync } from "node:fs";
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from "node:worker_threads";
import { Stopped, stopFlagBuffer, stopRequested } from "../stop.ts";
import { HarnessFailure, type HarnessFailureKind } from "./harnessFailure.ts";
import { checkAnswer, checkBatch, type Answer } from "./answerEnvelope.ts";
import { splitShellWords } from "./shellWords.ts";
import { LineReader, stdoutFifo } from "./stdoutFifo.ts";

export type { Answer } from "./answerEnvelope.ts";

/** docs/protocol.md: "does not answer within the timeout (default 5 s)". */
export const DEFAULT_TIMEOUT_MS = 5000;
/** The longest answer line accepted. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
/** How much of standard error is kept. */
export const DEFAULT_MAX_STDERR_BYTES = 64 << 10;
/**
 * How long starting may take, in ms: the spawn, then the first answer, each. Far above what a
 * loaded machine needs to start Node (seconds), far below "forever".
 */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
/** How long `close` waits for `quit` to end the harness before killing it. */
const QUIT_GRACE_MS = 1000;
/**
 * How long to wait for a harness killed with SIGKILL to be reaped (and for the worker to answer
 * a question). SIGKILL cannot be caught, so the exit comes; this only bounds a process stuck in
 * the kernel, and is generous so that a loaded machine never leaves a zombie behind.
 */
const REAP_TIMEOUT_MS = 30_000;
/** The longest single `Atomics.wait`: how late a stop request may be seen. */
const WAIT_SLICE_MS = 50;

export interface HarnessOptions {
  /** How long to wait for each answer once the harness is up, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** How long starting may take, in ms: the spawn, then the first answer, each (default 60000). */
  readonly startTimeoutMs?: number;
  readonly maxLineBytes?: number;
  readonly maxStderrBytes?: number;
  /** The folder the harness runs in, where a relative command means what it meant when given
   * (default: this process's working directory). */
  readonly cwd?: string;
}

/** One request of a batch: its op and fields (the id is given when it is sent). */
export interface BatchRequest {
  readonly op: string;
  readonly fields: Record<string, unknown>;
}

/** What a wait does on a stop request: end the harness and throw, give up waiting, or go on. */
type OnStop = "throw" | "give-up" | "ignore";

type WorkerMessage =
  | { type: "spawned"; pid: number; stdinFd?: number }
  | { type: "exit"; code: number | null; signal: string | null; stderr: string }
  | { type: "stderr"; text: string };

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

const LIVE = new Set<HarnessProcess>();
let hooked = false;

function killAllHarnesses(): void {
  for (const h of LIVE) h.kill();
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAllHarnesses);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    // Only when nobody else handles the signal: then its default (ending the process) is kept
    // by raising it again once the harnesses are gone.
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      killAllHarnesses();
      process.kill(process.pid, signal);
    });
  }
}

export class HarnessProcess {
  readonly command: string;
  readonly timeoutMs: number;
  readonly startTimeoutMs: number;
  readonly maxLineBytes: number;
  /** Requests sent so far; the next request's id is this plus one. */
  private lastId = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;
  private childPid: number | undefined;
  /** The child's standard input (the worker's pipe), written here. */
  private stdinFd: number | undefined;
  /** The FIFO of the child's standard output: read here; the worker's end for its markers. */
  private readonly readFd: number;
  private readonly wakeFd: number;
  /** What this thread waits for, for the worker: [deadline in ms since the epoch or 0, wait number]. */
  private readonly watch: Float64Array;
  private waitNumber = 0;
  private readonly reader: LineReader;
  private exitInfo: { code: number | null; signal: string | null } | undefined;
  private lastStderr = "";
  /** Whether a request has been answered: the first answer is waited for as part of starting. */
  private answered = false;
  /** The failure that ended this process, thrown again to anyone who asks it more. */
  private failure: HarnessFailure | undefined;
  /** The stop request that ended this process, thrown again to anyone who asks it more. */
  private stopped: Stopped | undefined;

  constructor(command: string, options: HarnessOptions = {}) {
    this.command = command;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const argv = splitShellWords(command);
    const flagBuffer = new SharedArrayBuffer(4);
    this.flag = new Int32Array(flagBuffer);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const fifo = stdoutFifo();
    this.readFd = fifo.read;
    this.wakeFd = fifo.wake;
    this.reader = new LineReader(fifo.read, this.maxLineBytes);
    const watchBuffer = new SharedArrayBuffer(16);
    this.watch = new Float64Array(watchBuffer);
    this.worker = new Worker(new URL("./harnessWorker.mjs", import.meta.url), {
      workerData: {
        argv,
        flagBuffer,
        port: port2,
        maxStderr: options.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES,
        cwd: options.cwd,
        stdoutFd: fifo.child,
        wakeFd: fifo.wake,
        watchBuffer,
        stopBuffer: stopFlagBuffer(),
      },
      transferList: [port2],
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    hookProcessExit();
    LIVE.add(this);
    let first: WorkerMessage | undefined;
    try {
      first = this.next(this.startTimeoutMs, "throw");
    } finally {
      // The child has its copy of the FIFO's write end (or will never have one).
      closeSync(fifo.child);
    }
    if (first?.type === "spawned") {
      this.childPid = first.pid;
      this.stdinFd = first.stdinFd;
      return;
    }
    if (first === undefined)
      this.fail("harness-hang", `did not start within ${this.startTimeoutMs} ms`, undefined);
    this.failFrom(first, undefined);
  }

  /** The child's process id (also its process group's), once it runs. */
  get pid(): number | undefined {
    return this.childPid;
  }

  /** Whether the harness still runs and can be asked. */
  get alive(): boolean {
    return this.failure === undefined && this.stopped === undefined && this.exitInfo === undefined;
  }

  /**
   * Sends `{ id, op, ...fields }` and returns the answer; throws `HarnessFailure` if the
   * harness fails to give one, and `Stopped` (the harness killed) on a stop request while it
   * waits. An `ok: false` answer is returned (its error code checked).
   */
  request(op: string, fields: Record<string, unknown> = {}): Answer {
    this.usable(op);
    const id = ++this.lastId;
    const line = JSON.stringify({ id, op, ...fields });
    const got = checkAnswer(this.exchange(line), id);
    if ("problem" in got) this.fail("protocol-error", got.problem, line);
    return got.ok;
  }

  /**
   * Sends the requests as one batch line (docs/protocol.md, the capability `batch`) and returns
   * their answers in order: one for each, or fewer ending at the first `ok: false` answer (the
   * rest were not run, and their ids are given to the next requests). An answer line that is
   * not a list, holds more answers than requests, fewer without ending at an error, answers out
   * of order (a wrong id) or goes on after an error is a protocol-error naming what was
   * expected. Failures and stops as for `request`.
   */
  requestBatch(requests: readonly BatchRequest[]): Answer[] {
    if (requests.length === 0) return [];
    this.usable(requests[0]?.op ?? "batch");
    const first = this.lastId + 1;
    const lines = requests.map((r, i) => JSON.stringify({ id: first + i, op: r.op, ...r.fields }));
    this.lastId += requests.length;
    const line = `[${lines.join(",")}]`;
    const got = checkBatch(this.exchange(line), requests.length, first);
    if ("problem" in got) this.fail("protocol-error", got.problem, line);
    const answers = got.ok;
    // The requests that did not run gave their ids back.
    this.lastId = first + answers.length - 1;
    return answers;
  }

  /** Throws what ended this process, if anything did, before a request is sent. */
  private usable(op: string): void {
    if (this.stopped !== undefined) throw this.stopped;
    if (this.failure !== undefined) throw this.failure;
    if (this.exitInfo !== undefined) {
      this.fail("harness-crash", `asked ${op} after it had ${this.exitText()}`, undefined);
    }
  }

  /** Writes one line and waits for the answer line. */
  private exchange(line: string): string {
    const first = !this.answered;
    const timeoutMs = first ? this.startTimeoutMs : this.timeoutMs;
    const seq = ++this.waitNumber;
    this.watch[1] = seq;
    this.watch[0] = Date.now() + timeoutMs;
    try {
      this.write(`${line}\n`, line);
      const got = this.reader.next(seq);
      if (typeof got === "object") {
        this.answered = true;
        return got.line;
      }
      if (got === "watch") {
        const signal = stopRequested();
        if (signal !== 0) this.stop(signal);
        this.fail(
          "harness-hang",
          first
            ? `no first answer within ${this.startTimeoutMs} ms of starting`
            : `no answer within ${timeoutMs} ms`,
          line,
        );
      }
      if (got === "overlong") {
        this.fail(
          "protocol-error",
          `printed a line longer than ${this.maxLineBytes} bytes (${this.reader.pending} bytes read, no newline yet)`,
          line,
        );
      }
      // "exit", or the end of the FIFO (the worker's end gone with it): the child is gone.
      this.crashed(line);
    } finally {
      this.watch[0] = 0;
    }
  }

  /** Writes all of `text` to the child's standard input (a pipe that may be full for a while). */
  private write(text: string, request: string): void {
    const fd = this.stdinFd;
    if (fd === undefined) {
      this.worker.postMessage({ type: "send", line: text.slice(0, -1) });
      return;
    }
    let bytes = Buffer.from(text, "utf8");
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(fd, bytes));
      } catch (e) {
        const code = errno(e);
        if (code === "EAGAIN") {
          // The harness has not read yet: give it a moment (a hang is the worker's to see).
          const signal = stopRequested();
          if (signal !== 0) this.stop(signal);
          if (Date.now() >= (this.watch[0] ?? 0)) {
            this.fail(
              "harness-hang",
              `did not read its request within ${this.timeoutMs} ms`,
              request,
            );
          }
          Atomics.wait(this.flag, 0, Atomics.load(this.flag, 0), 1);
          continue;
        }
        if (code === "EPIPE" || code === "EBADF") this.crashed(request);
        throw e;
      }
    }
  }

  /** The harness has exited (its standard input closed, or the worker said so): a crash. */
  private crashed(request: string): never {
    this.awaitExit(REAP_TIMEOUT_MS, "ignore");
    this.fail("harness-crash", this.exitText(), request);
  }

  /** Marks the harness failed (killing it unless it exited) and throws. */
  fail(kind: HarnessFailureKind, why: string, request: string | undefined): never {
    if (this.failure !== undefined) throw this.failure;
    this.killAndReap();
    const stderr = this.exitInfo !== undefined ? this.lastStderr : this.askStderr();
    this.failure = new HarnessFailure(kind, this.command, why, request, stderr);
    this.release();
    throw this.failure;
  }

  /** A failure for an exit seen instead of what was awaited. */
  private failFrom(message: WorkerMessage, request: string | undefined): never {
    if (message.type === "exit") {
      this.noteExit(message);
      this.fail("harness-crash", this.exitText(), request);
    }
    this.fail("protocol-error", `unexpected ${message.type} from the worker`, request);
  }

  private noteExit(message: Extract<WorkerMessage, { type: "exit" }>): void {
    this.exitInfo = { code: message.code, signal: message.signal };
    this.lastStderr = message.stderr;
  }

  private exitText(): string {
    const e = this.exitInfo;
    if (e === undefined) return "not exited";
    if (e.signal !== null) return `died by signal ${e.signal}`;
    if (e.code === null) return "could not be started";
    return `exited with code ${e.code}`;
  }

  /**
   * The next message from the worker, or undefined after `timeoutMs`. Waits in slices of
   * `WAIT_SLICE_MS`, looking at the stop flag before each: on a stop request, "throw" ends the
   * harness and throws `Stopped`, "give-up" returns undefined, "ignore" waits on (a wait that
   * follows a kill, bounded, whose end is certain).
   */
  private next(timeoutMs: number, onStop: OnStop): WorkerMessage | undefined {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (onStop !== "ignore") {
        const signal = stopRequested();
        if (signal !== 0) {
          if (onStop === "give-up") return undefined;
          this.stop(signal);
        }
      }
      const seen = Atomics.load(this.flag, 0);
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) return got.message as WorkerMessage;
      const left = until - Date.now();
      if (left <= 0) return undefined;
      // A notify that came before the message is visible costs at most one slice.
      Atomics.wait(this.flag, 0, seen, Math.min(left, WAIT_SLICE_MS));
    }
  }

  /** Ends the harness on a stop request: kills its process group, reaps it, throws `Stopped`. */
  private stop(signal: number): never {
    this.stopped = new Stopped(signal);
    this.killAndReap();
    this.release();
    throw this.stopped;
  }

  /** SIGKILL to the harness's process group, and waits for it to be reaped. */
  private killAndReap(): void {
    if (this.exitInfo !== undefined) return;
    this.kill();
    // Before "spawned" has arrived the pid is not known here: the worker kills for us.
    this.worker.postMessage({ type: "kill" });
    this.awaitExit(REAP_TIMEOUT_MS, "ignore");
  }

  /** Waits for the child's exit (skipping other messages); true once it is reaped. */
  private awaitExit(timeoutMs: number, onStop: OnStop): boolean {
    const until = Date.now() + timeoutMs;
    while (this.exitInfo === undefined) {
      const message = this.next(Math.max(0, until - Date.now()), onStop);
      if (message === undefined) return false;
      if (message.type === "spawned") this.childPid = message.pid;
      if (message.type === "exit") this.noteExit(message);
    }
    return true;
  }

  /** Standard error so far, from the worker (what was kept, if it does not answer). */
  private askStderr(): string {
    this.worker.postMessage({ type: "stderr" });
    const until = Date.now() + REAP_TIMEOUT_MS;
    for (;;) {
      const message = this.next(Math.max(0, until - Date.now()), "ignore");
      if (message === undefined) return this.lastStderr;
      if (message.type === "stderr") return message.text;
      if (message.type === "exit") {
        this.noteExit(message);
        return message.stderr;
      }
    }
  }

  /** SIGKILL to the harness's process group (and to the harness itself). */
  kill(): void {
    const pid = this.childPid;
    if (pid === undefined || this.exitInfo !== undefined) return;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // ESRCH: already gone.
      }
    }
  }

  /** Ends the worker once the child is reaped. */
  private release(): void {
    LIVE.delete(this);
    closeSync(this.readFd);
    // The worker may still write a marker until it is gone: its end is closed after it.
    const wakeFd = this.wakeFd;
    void this.worker.terminate().finally(() => closeSync(wakeFd));
    this.port.close();
  }

  /**
   * Sends `quit`, waits for the harness to exit (and kills its process group if it does not),
   * and reaps it. On a stop request it kills at once rather than wait out the grace, and still
   * returns normally. Safe to call more than once, and after a failure or a stop.
   */
  close(): void {
    if (!LIVE.has(this)) return;
    if (this.failure === undefined && this.exitInfo === undefined) {
      const line = JSON.stringify({ id: ++this.lastId, op: "quit" });
      this.worker.postMessage({ type: "send", line });
      if (!this.awaitExit(QUIT_GRACE_MS, "give-up")) this.killAndReap();
    }
    this.kill();
    this.release();
  }
}
