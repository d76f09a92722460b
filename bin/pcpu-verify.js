#!/usr/bin/env node
// The pcpu-verify command: registers tsx so that Node runs the TypeScript sources, then hands
// the command line to cli/main.ts; the exit code comes back as a number (cli/exitCodes.ts).
//
// `check` runs in a worker thread (bin/commandWorker.mjs). Its work is synchronous from end to
// end (fast-check's runs, a harness waited for with Atomics.wait), so a signal handler on the
// thread doing it would run only when it is over. This thread stays free: on SIGINT or SIGTERM
// it raises the stop flag the worker reads (impl/stop.ts); the worker ends its run, kills its
// harnesses, prints what it judged and ends with 128+N. If it has not ended 1 s after the
// signal (or on a second signal), this thread kills the harness processes (every child of this
// process, with its process group) and exits with 128+N itself.
import { readdirSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { Worker } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();

/** How long the worker has, after a signal, to print what it judged and end. */
const GRACE_MS = 1000;
const EXIT_INTERNAL = 5;

/** The ids of this process's children (the harnesses), from /proc; none elsewhere. */
function children() {
  const pids = [];
  let entries = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** SIGKILL to every child and its process group (a harness runs in a group of its own). */
function killChildren() {
  for (const pid of children()) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // ESRCH: already gone, or not a group leader.
      }
    }
  }
}

async function inWorker() {
  const { newStopFlag, requestStop } = await import("../impl/stop.ts");
  const flag = newStopFlag();
  const worker = new Worker(new URL("./commandWorker.mjs", import.meta.url), {
    workerData: {
      argv: process.argv,
      stopBuffer: flag.buffer,
      interactive: process.stderr.isTTY === true,
    },
  });
  let stopped = 0;
  let code;
  const onSignal = (name) => {
    const signal = constants.signals[name];
    if (stopped !== 0) {
      killChildren();
      process.exit(128 + stopped);
    }
    stopped = signal;
    requestStop(signal, flag);
    setTimeout(() => {
      killChildren();
      process.exit(128 + signal);
    }, GRACE_MS).unref();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // The worker's output comes as messages, in the order it wrote them (stdout and stderr
  // interleaved as written); writes to a pipe or a file are synchronous, so nothing is lost.
  worker.on("message", (m) => {
    if (m.type === "out") process.stdout.write(m.text);
    else if (m.type === "err") process.stderr.write(m.text);
    else if (m.type === "done") code = m.code;
  });
  worker.on("error", (e) => {
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : e}\n`);
    code = EXIT_INTERNAL;
  });
  await new Promise((resolve) => worker.once("exit", resolve));
  if (stopped !== 0) killChildren();
  return code ?? (stopped !== 0 ? 128 + stopped : EXIT_INTERNAL);
}

if (process.argv[2] === "check") {
  process.exitCode = await inWorker();
} else {
  const { main } = await import("../cli/main.ts");
  process.exitCode = await main(process.argv);
}
