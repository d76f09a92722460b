/**
 * The worker thread behind `HarnessProcess`: it starts the harness child process, drains its
 * standard error, sees it exit, and watches the main thread's waits; the main thread writes the
 * requests to the child's standard input and reads the answers from its standard output
 * itself, with blocking system calls (a round trip is then two process switches, not four
 * thread hand-offs). Plain JavaScript because a worker is loaded by Node itself, without the
 * TypeScript loader.
 *
 * The child's standard output is a FIFO the main thread reads (`stdoutFd`, its write end). The
 * main thread blocks in read(2) there, so this thread wakes it by writing a marker into the
 * same FIFO (through `wakeFd`, a write end of its own), a NUL byte then a letter, ending with a
 * newline (answers are JSON: they hold no NUL byte):
 *   "\0E\n"       the child has exited ("exit" is posted first)
 *   "\0T<seq>\n"  the main thread's wait number <seq> passed its deadline, or a stop was
 *                  requested while it waited (`watch[0]` the deadline in ms since the epoch, 0
 *                  when not waiting; `watch[1]` the wait's number; `stopBuffer` the stop flag)
 *
 * To the main thread (on `port`, each message followed by a bump of `flag[0]` and a notify):
 *   { type: "spawned", pid, stdinFd }   the child runs, in a process group of its own
 *   { type: "exit", code, signal, stderr }  the child has exited and been reaped
 *   { type: "stderr", text }            the answer to { type: "stderr" }
 * From the main thread (parentPort): { type: "send", line } (the `quit` of `close`, which
 * must not block), { type: "stderr" }, and { type: "kill" } (SIGKILL to the child's process
 * group, at once or as soon as it is spawned: the main thread may ask before it has seen
 * "spawned").
 *
 * "exit" is posted once the child has exited and its standard error has ended, so that the
 * last lines it wrote are in it however late this thread runs; if a grandchild keeps the pipe
 * open, after EXIT_GRACE_MS.
 */
import { writeSync } from "node:fs";
import { spawn } from "node:child_process";
import { parentPort, workerData } from "node:worker_threads";

const { argv, flagBuffer, port, maxStderr, cwd, stdoutFd, wakeFd, watchBuffer, stopBuffer } =
  workerData;
/** How often the main thread's wait is looked at: how late a hang or a stop may be seen. */
const WATCH_MS = 50;
const watch = new Float64Array(watchBuffer);
const stop = new Int32Array(stopBuffer);
/** How long an exited child's pipes may stay open (held by a grandchild) before "exit" is sent. */
const EXIT_GRACE_MS = 1000;
const flag = new Int32Array(flagBuffer);

function post(message) {
  port.postMessage(message);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let stderrTail = Buffer.alloc(0);
let exited = undefined;
// Standard output is the main thread's FIFO, not a pipe of this thread.
const stdoutEnded = true;
let stderrEnded = false;
let exitPosted = false;
let killAsked = false;

function stderrText() {
  return stderrTail.toString("utf8");
}

/** Wakes the main thread from its read of the FIFO. */
function wake(marker) {
  try {
    writeSync(wakeFd, `\0${marker}\n`);
  } catch {
    // The main thread closed its end: nobody waits.
  }
}

function postExit() {
  if (exitPosted || exited === undefined) return;
  exitPosted = true;
  post({ type: "exit", code: exited.code, signal: exited.signal, stderr: stderrText() });
  wake("E");
}

let woken = -1;
setInterval(() => {
  const deadline = watch[0];
  const seq = watch[1];
  if (deadline === 0 || seq === woken) return;
  if (Date.now() >= deadline || Atomics.load(stop, 0) !== 0) {
    woken = seq;
    wake(`T${seq}`);
  }
}, WATCH_MS).unref();

const child = spawn(argv[0], argv.slice(1), {
  stdio: ["pipe", stdoutFd, "pipe"],
  detached: true,
  ...(cwd !== undefined ? { cwd } : {}),
});

function postExitOnceEnded() {
  if (stdoutEnded && stderrEnded) postExit();
}

function killGroup() {
  if (child.pid === undefined || exited !== undefined) return;
  for (const target of [-child.pid, child.pid]) {
    try {
      process.kill(target, "SIGKILL");
    } catch {
      // ESRCH: already gone.
    }
  }
}

child.on("spawn", () => {
  post({ type: "spawned", pid: child.pid, stdinFd: child.stdin._handle?.fd });
  if (killAsked) killGroup();
});
child.on("error", (e) => {
  // The program could not be started (ENOENT, EACCES): an exit without a code.
  stderrTail = Buffer.concat([stderrTail, Buffer.from(`${e.message}\n`)]);
  exited = exited ?? { code: null, signal: null };
  stderrEnded = true;
  postExit();
});
child.on("exit", (code, signal) => {
  exited = { code, signal };
  postExitOnceEnded();
  // A grandchild may hold a pipe open: do not wait for it long.
  if (!exitPosted) setTimeout(() => setImmediate(postExit), EXIT_GRACE_MS).unref();
});

child.stdin.on("error", () => {
  // EPIPE: the harness is gone; its exit is reported by the "exit" event.
});

child.stderr.on("data", (chunk) => {
  stderrTail = Buffer.concat([stderrTail, chunk]);
  if (stderrTail.length > maxStderr)
    stderrTail = stderrTail.subarray(stderrTail.length - maxStderr);
});
child.stderr.on("end", () => {
  stderrEnded = true;
  postExitOnceEnded();
});

parentPort.on("message", (message) => {
  if (message.type === "send") {
    if (child.stdin.writable) child.stdin.write(`${message.line}\n`);
  } else if (message.type === "stderr") {
    post({ type: "stderr", text: stderrText() });
  } else if (message.type === "kill") {
    killAsked = true;
    killGroup();
  }
});
