/**
 * TargetJobs: targets checked in worker threads give the report the calling thread gives, and a
 * stop request raised before the workers start reaches them through the shared flag.
 *
 *   caller ── jobs [legacy, kiran-node0] ──> worker 1, worker 2
 *          <── report 0, report 1 (by index, whatever order they end in)
 *
 * Expect each report equal to checkTarget's in this thread, after a stop request every
 * report stopped with that signal, and a job whose worker died an error naming its target.
 */
import { afterEach, describe, expect, it } from "vitest";
import { clearStop, requestStop } from "../../impl/stop.ts";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import { findTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { TargetJobs, type JobSettings, type TargetJob } from "./targetJobs.ts";

const settings: JobSettings = { seed: 20051, runs: 20, maxCommands: 25, model: false };
const invariants = ["no-overlap", "integrity", "node-locality"];
const jobs: TargetJob[] = ["legacy-2.6.10", "kiran-node0"].map((target) => ({
  target,
  invariants,
  settings,
}));
const targetOf = (id: string) => findTarget(id) ?? expect.unreachable(id);

afterEach(() => clearStop());

describe("TargetJobs", () => {
  it("gives each target the report checkTarget gives in this thread", () => {
    const pool = new TargetJobs(jobs, 2);
    try {
      // Taken in reverse: the second report waits, kept, until it is asked for.
      const taken = [1, 0].map((i) => pool.take(i, targetOf(jobs[i]!.target)));
      for (const [k, i] of [1, 0].entries()) {
        const target = targetOf(jobs[i]!.target);
        const here = checkTarget(target, {
          ...settings,
          invariants: invariants.map((id) => findInvariant(id) as Invariant),
        });
        expect(taken[k]).toEqual({ ...here, shrinkMs: taken[k]!.shrinkMs });
      }
      // The mutant is caught: the reports carry a failure, not only passes.
      expect(taken[0]!.results.some((r) => r.status === "fail")).toBe(true);
    } finally {
      pool.close();
    }
  });

  it("passes a stop request to the workers, whose reports say it stopped them", () => {
    requestStop(15);
    const pool = new TargetJobs(jobs, 2);
    try {
      for (const [i, job] of jobs.entries()) {
        expect(pool.take(i, targetOf(job.target)).stopped).toBe(15);
      }
    } finally {
      pool.close();
    }
  });

  it("fails a job whose worker died without reporting it, instead of waiting for ever", () => {
    const dies = new URL("./dyingJobWorker.fixture.mjs", import.meta.url);
    const pool = new TargetJobs(jobs, 2, undefined, dies);
    try {
      // Both workers die; each job is then an error, whichever is asked first.
      for (const i of [1, 0]) {
        expect(() => pool.take(i, targetOf(jobs[i]!.target))).toThrow(
          `checking ${jobs[i]!.target} in a worker: every worker ended and none reported it`,
        );
      }
    } finally {
      pool.close();
    }
  });
});
