/**
 * The worker thread behind `HarnessProcess`: it owns the harness child process and its pipes,
 * so that the main thread can block in `Atomics.wait` while the answer is on its way (the
 * allocator interface is synchronous). Plain JavaScript because a worker is loaded by Node
 * itself, without the TypeScript loader.
 *
 * To the main thread (on `port`, each message followed by a bump of `flag[0]` and a notify):
 *   { type: "spawned", pid }            the child runs, in a process group of its own
 *   { type: "line", line }              one line of standard output
 *   { type: "overlong", length }        a line longer than `maxLine` bytes (nothing after it)
 *   { type: "exit", code, signal, stderr }  the child has exited and been reaped
 *   { type: "stderr", text }            the answer to { type: "stderr" }
 * From the main thread (parentPort): { type: "send", line }, { type: "stderr" }, and
 * { type: "kill" } (SIGKILL to the child's process group, at once or as soon as it is spawned:
 * the main thread may ask before it has seen "spawned").
 *
 * "exit" is posted once the child has exited and both its standard output and its standard
 * error have ended, so that the last lines it wrote are in it however late this thread runs;
 * if a grandchild keeps a pipe open, after EXIT_GRACE_MS (and one more turn of the event loop,
 * so that output already readable is read first).
 */
import { spawn } from "node:child_process";
import { parentPort, workerData } from "node:worker_threads";

const { argv, flagBuffer, port, maxLine, maxStderr, cwd } = workerData;
/** How long an exited child's pipes may stay open (held by a grandchild) before "exit" is sent. */
const EXIT_GRACE_MS = 1000;
const flag = new Int32Array(flagBuffer);

function post(message) {
  port.postMessage(message);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let stderrTail = Buffer.alloc(0);
let pending = [];
let pendingLength = 0;
let overlong = false;
let exited = undefined;
let stdoutEnded = false;
let stderrEnded = false;
let exitPosted = false;
let killAsked = false;

function stderrText() {
  return stderrTail.toString("utf8");
}

function postExit() {
  if (exitPosted || exited === undefined) return;
  exitPosted = true;
  post({ type: "exit", code: exited.code, signal: exited.signal, stderr: stderrText() });
}

const child = spawn(argv[0], argv.slice(1), {
  stdio: ["pipe", "pipe", "pipe"],
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
  post({ type: "spawned", pid: child.pid });
  if (killAsked) killGroup();
});
child.on("error", (e) => {
  // The program could not be started (ENOENT, EACCES): an exit without a code.
  stderrTail = Buffer.concat([stderrTail, Buffer.from(`${e.message}\n`)]);
  exited = exited ?? { code: null, signal: null };
  stdoutEnded = true;
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

child.stdout.on("data", (chunk) => {
  if (overlong) return;
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf(10, start);
    const piece = nl < 0 ? chunk.subarray(start) : chunk.subarray(start, nl);
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength > maxLine) {
      overlong = true;
      post({ type: "overlong", length: pendingLength });
      return;
    }
    if (nl < 0) return;
    const line = Buffer.concat(pending, pendingLength).toString("utf8");
    pending = [];
    pendingLength = 0;
    post({ type: "line", line });
    start = nl + 1;
  }
});
child.stdout.on("end", () => {
  stdoutEnded = true;
  postExitOnceEnded();
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
