/**
 * Test helpers for external harnesses: building the C example harness, the fake harnesses of
 * fixtures/, whether a process still exists, and a stop request sent from another thread.
 *
 * None of them asks for something to happen within some time: a test waits for an outcome that
 * is certain (a killed process being reaped) with a bound far above what a loaded machine needs.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

export const C_HARNESS_DIR = fileURLToPath(new URL("../../examples/c-harness/", import.meta.url));
export const C_HARNESS = `${C_HARNESS_DIR}build/pcpu-harness`;
export const C_HARNESS_BUG = `${C_HARNESS_DIR}build/pcpu-harness-bug`;

/** `make -C examples/c-harness`: both builds (the correct one and the seeded bug). */
export function buildCHarness(): void {
  execFileSync("make", ["-C", C_HARNESS_DIR], { stdio: "pipe" });
}

/** The command line of a fake harness in MODE (fixtures/fakeHarness.mjs). */
export function fakeHarness(mode: string): string {
  const script = fileURLToPath(new URL("./fixtures/fakeHarness.mjs", import.meta.url));
  return `'${process.execPath}' '${script}' ${mode}`;
}

/**
 * The command line of the C example harness behind fixtures/ruleHarness.mjs, which gives it
 * the real kernel's retained chunk or raised alignments, declared in hello or not.
 */
export function ruleHarness(harness: string, ...flags: string[]): string {
  const script = fileURLToPath(new URL("./fixtures/ruleHarness.mjs", import.meta.url));
  return [process.execPath, script, harness, ...flags].map((w) => `'${w}'`).join(" ");
}

/**
 * The command line of the C example harness behind fixtures/oopsHarness.mjs, whose "kernel"
 * oopses on a double free (answering EOOPS, declared in hello or not, or crashing).
 */
export function oopsHarness(harness: string, ...flags: string[]): string {
  const script = fileURLToPath(new URL("./fixtures/oopsHarness.mjs", import.meta.url));
  return [process.execPath, script, harness, ...flags].map((w) => `'${w}'`).join(" ");
}

/** Whether a process with this id exists (kill(pid, 0) does not fail with ESRCH). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Whether a process runs: exists and is not a zombie. For a grandchild of the suite: once its
 * parent (the harness) is killed it is reaped by init, not by us, which may take a moment.
 */
export function processRuns(pid: number): boolean {
  if (!processExists(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * Waits until `done()` holds, looking every 10 ms, for at most `limitMs` (default 30 s); whether
 * it held. For outcomes that are certain but not instant, such as a killed grandchild being
 * reaped by init: the bound only keeps a broken test from blocking for ever.
 */
export function waitUntil(done: () => boolean, limitMs = 30_000): boolean {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() >= until) return false;
    Atomics.wait(nap, 0, 0, 10);
  }
  return true;
}

/**
 * Process ids of this process's children (not zombies) whose command line contains `marker`:
 * the harnesses it started and has not reaped.
 */
export function childrenWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) !== process.pid || state === "Z") continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ");
      if (cmdline.includes(marker)) found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** The processes (not zombies) in process group `pgid`: a harness and what it started. */
export function groupMembers(pgid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * A helper thread that, once `sent[0]` is no longer 0, stores `signal` in `stop[0]` and
 * notifies: a stop request (as the command line's signal handler makes one) that arrives while
 * this thread is blocked in `Atomics.wait`, ordered by a flag rather than a timer. Resolves
 * when the helper has ended.
 */
export function stopFromAnotherThread(
  sent: Int32Array,
  stop: Int32Array,
  signal: number,
): Promise<void> {
  const code = `
    const { workerData } = require("node:worker_threads");
    const sent = new Int32Array(workerData.sent);
    const stop = new Int32Array(workerData.stop);
    while (Atomics.load(sent, 0) === 0) Atomics.wait(sent, 0, 0);
    Atomics.store(stop, 0, workerData.signal);
    Atomics.notify(stop, 0);
  `;
  const worker = new Worker(code, {
    eval: true,
    workerData: { sent: sent.buffer, stop: stop.buffer, signal },
  });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", () => resolve());
  });
}
