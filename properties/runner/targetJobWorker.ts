/**
 * The worker side of `TargetJobs` (targetJobs.ts): takes the next job from the shared counter,
 * checks that target, posts its report (the target by id), and goes on until none is left.
 */
import type { MessagePort } from "node:worker_threads";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import { findTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { NEXT_JOB, POSTED, type JobAnswer, type TargetJob } from "./targetJobs.ts";

export function runTargetJobs(
  jobs: readonly TargetJob[],
  counters: Int32Array,
  port: MessagePort,
): void {
  for (
    let index = Atomics.add(counters, NEXT_JOB, 1);
    index < jobs.length;
    index = Atomics.add(counters, NEXT_JOB, 1)
  ) {
    const job = jobs[index] as TargetJob;
    let answer: JobAnswer;
    try {
      const target = findTarget(job.target);
      if (target === undefined) throw new Error(`no target ${job.target}`);
      const invariants = job.invariants.map((id) => findInvariant(id) as Invariant);
      const { target: _target, ...report } = checkTarget(target, { ...job.settings, invariants });
      answer = { index, report: { ...report, target: job.target } };
    } catch (e) {
      answer = { index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    port.postMessage(answer);
    Atomics.add(counters, POSTED, 1);
    Atomics.notify(counters, POSTED);
  }
  port.close();
}
