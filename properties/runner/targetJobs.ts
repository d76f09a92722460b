/**
 * Targets checked side by side, in worker threads (`check --jobs N`): each in-process target is
 * independent of the others (its own sessions, the same seed), so N workers take them from a
 * shared counter, one at a time, and hand back each target's report. The caller takes the
 * reports in its own order, so that what a check prints and writes is the same for any N.
 *
 *   caller:   take(0) ......... take(1) ... take(2) ....      (prints in plan order)
 *   worker 1: [target 0 ...........] [target 2 ....]
 *   worker 2: [target 1 ....] [target 3 ..........]
 *
 * The work is synchronous end to end, so the caller waits in `Atomics.wait` on a shared
 * counter the workers bump after each report, and reads the reports with
 * `receiveMessageOnPort`. A stop request (impl/stop.ts) reaches the workers through the flag
 * they share with the caller. Only targets a worker can find by id (findTarget: the revisions
 * and mutants) go to workers; the caller checks the others (external harnesses) itself.
 *
 * A worker that ends, normally or by an error thrown past its jobs' own catch (a failed import,
 * a `process.exit` inside a check), bumps a third counter on its way out (bin/workerEnd.mjs). A job
 * still unanswered when every worker has ended is an error naming the target, not a wait that
 * never ends. (A worker killed outright, out of memory, runs no handler and is not seen.)
 */
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from "node:worker_threads";
import { stopFlagBuffer } from "../../impl/stop.ts";
import type { Target } from "../engine/target.ts";
import type { Invariant } from "../invariants/index.ts";
import { findTarget } from "../targets.ts";
import type { RunSettings, TargetReport } from "./checkTarget.ts";

/** What a worker is sent for one target: its id, the invariants' ids, the plain settings. */
export interface TargetJob {
  readonly target: string;
  readonly invariants: readonly string[];
  readonly settings: JobSettings;
}

/** The settings a worker can be sent (no callbacks, no objects with behaviour). */
export type JobSettings = Omit<RunSettings, "invariants" | "onRun">;

/** A report as a worker sends it: the target by id. */
export type SentReport = Omit<TargetReport, "target"> & { readonly target: string };

/** What a worker posts for a job: its report, or what went wrong. */
export type JobAnswer =
  | { readonly index: number; readonly report: SentReport }
  | { readonly index: number; readonly error: string };

/**
 * Where the shared counters are in the `Int32Array`: the next job to take, reports posted,
 * workers ended.
 */
export const NEXT_JOB = 0;
export const POSTED = 1;
export const ENDED = 2;

const WORKER = new URL("../../bin/targetJobWorker.mjs", import.meta.url);

export class TargetJobs {
  private readonly counters = new Int32Array(new SharedArrayBuffer(12));
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  private readonly answers = new Map<number, JobAnswer>();
  /** The job of each of the caller's indices (`at`). */
  private readonly jobAt: ReadonlyMap<number, number>;

  /**
   * The jobs of a check's plan: each target a worker can find by id (findTarget: the
   * revisions and mutants), at its place in the plan; none when fewer than two are.
   */
  static forPlan(
    plan: readonly { readonly target: Target; readonly invariants: readonly Invariant[] }[],
    settingsOf: (target: Target) => JobSettings,
    jobs: number,
  ): TargetJobs | undefined {
    const at = plan.flatMap((p, index) => (findTarget(p.target.id) === p.target ? [index] : []));
    if (at.length < 2) return undefined;
    const list = at.map((index): TargetJob => {
      const { target, invariants } = plan[index] as (typeof plan)[number];
      return {
        target: target.id,
        invariants: invariants.map((i) => i.id),
        settings: settingsOf(target),
      };
    });
    return new TargetJobs(list, jobs, at);
  }

  /**
   * Starts `jobs` workers on `list` (a worker takes the next job when it ends one). `at`: the
   * caller's index of each job, what `take` is asked by (default: its place in `list`).
   * `script`: the worker's module (bin/targetJobWorker.mjs; a test gives one that dies).
   */
  constructor(
    list: readonly TargetJob[],
    jobs: number,
    at: readonly number[] = list.map((_, k) => k),
    script: URL = WORKER,
  ) {
    this.jobAt = new Map(at.map((index, k) => [index, k]));
    for (let i = 0; i < Math.min(jobs, list.length); i++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(script, {
        workerData: {
          jobs: list,
          counters: this.counters.buffer,
          stopBuffer: stopFlagBuffer(),
          port: port2,
        },
        transferList: [port2],
      });
      // A worker that can no longer post keeps nobody alive: the caller ends with `close`.
      worker.unref();
      // Its death is the job's error in `take`; what killed it is said once the caller's event
      // loop runs again (the caller is blocked in `take` until then).
      worker.on("error", (e) => console.error(`pcpu-verify: a check worker died: ${e.stack ?? e}`));
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Whether the caller's `index` is one of the jobs. */
  has(index: number): boolean {
    return this.jobAt.has(index);
  }

  /** The report of the job at `index`, for `target` (waits for it; rethrows a worker's error). */
  take(index: number, target: Target): TargetReport {
    const job = this.jobAt.get(index);
    if (job === undefined) throw new Error(`no job at ${index}: ${target.id} is checked here`);
    for (;;) {
      const posted = Atomics.load(this.counters, POSTED);
      // Read before the drain: a worker posts its last report before it ends.
      const ended = Atomics.load(this.counters, ENDED);
      this.drain();
      const answer = this.answers.get(job);
      if (answer !== undefined) {
        this.answers.delete(job);
        if ("error" in answer)
          throw new Error(`checking ${target.id} in a worker: ${answer.error}`);
        return { ...answer.report, target };
      }
      if (ended >= this.workers.length)
        throw new Error(
          `checking ${target.id} in a worker: every worker ended and none reported it ` +
            `(a worker died in the middle of a job; run with --jobs 1 to see the error)`,
        );
      // Woken by the next report posted; the time-out only bounds a missed wake-up.
      Atomics.wait(this.counters, POSTED, posted, 1000);
    }
  }

  /** Ends the workers (those still checking a target are stopped where they are). */
  close(): void {
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate();
  }

  private drain(): void {
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const answer = m.message as JobAnswer;
        this.answers.set(answer.index, answer);
      }
    }
  }
}
