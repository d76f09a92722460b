/**
 * The depth mutants (impl/mutants/, each with the depth goal it needs as `deep`): each breaks
 * only deep, so the short random runs of the check (200 runs of at most 60 commands, seed 20051)
 * do not catch it; the workloads' checked runs catch the ones whose depth they reach (a third
 * chunk in use, the tail of a unit's last page, 1,024 newer live objects), with a counterexample
 * that replays; the 64-CPU one shows on a 64-possible-CPU machine and not on 63 (the check's
 * topologies reach 64 possible CPUs only with the generator's deeper runs:
 * depthMutants64.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { BootConfig } from "../../impl/index.ts";
import { MUTANTS } from "../../impl/mutants/index.ts";
import {
  checkTarget,
  findInvariant,
  findTarget,
  ONE_MINIMAL_MAX_STEPS,
  replaySteps,
  reproduces,
  RUN_VMALLOC_BYTES,
  type Invariant,
  type Step,
  type Target,
} from "../index.ts";

const SEED = 20051;
const DEEP = MUTANTS.filter((m) => m.deep !== undefined);
const expectedOf = (id: string): Invariant[] =>
  (DEEP.find((m) => m.id === id)?.expected ?? []).map((i) => findInvariant(i) as Invariant);

describe("depth mutants", () => {
  it("there is one for each depth the issue names", () => {
    expect(new Set(DEEP.map((m) => m.deep))).toEqual(
      new Set(["chunks-3", "unit-last-page", "live-1000", "cpus-64"]),
    );
  });

  it.each(DEEP.map((m) => [m.id] as const))("%s survives the short random runs", (id) => {
    const target = findTarget(id) as Target;
    const report = checkTarget(target, {
      seed: SEED,
      runs: 200,
      maxCommands: 60,
      invariants: expectedOf(id),
      model: false,
      workloads: false,
    });
    for (const r of report.results) expect(r.status, `${id}: ${r.invariant}`).toBe("pass");
  });

  it.each(DEEP.filter((m) => m.deep !== "cpus-64").map((m) => [m.id] as const))(
    "%s is caught by the workloads' checked runs, with a counterexample that replays",
    (id) => {
      const target = findTarget(id) as Target;
      const invariants = expectedOf(id);
      const report = checkTarget(target, {
        seed: SEED,
        runs: 200,
        maxCommands: 60,
        invariants,
        model: false,
      });
      for (const inv of invariants) {
        const r = report.results.find((x) => x.invariant === inv.id);
        expect(r?.status, `${id} should break ${inv.id}`).toBe("fail");
        const ce = r?.counterexample;
        expect(ce).toBeDefined();
        if (ce === undefined) continue;
        expect(reproduces(target, ce.config, ce.steps, inv)).toBe(true);
        const row = report.workloads?.find((w) => w.invariant === inv.id);
        expect(row?.counterexample?.steps).toEqual(ce.steps);
        // A short one is 1-minimal: no step can go.
        if (ce.steps.length <= ONE_MINIMAL_MAX_STEPS) {
          expect(row?.minimal).toBe(true);
          ce.steps.forEach((_, i) => {
            const without = ce.steps.filter((_, j) => j !== i);
            expect(reproduces(target, ce.config, without, inv), `step ${i} is needed`).toBe(false);
          });
        }
      }
    },
  );

  it("bitmap-unit-mask-wraps breaks with 64 possible CPUs and not with 63", () => {
    const target = findTarget("bitmap-unit-mask-wraps") as Target;
    const noOops = findInvariant("no-oops") as Invariant;
    const machine = (n: number): BootConfig => {
      const cpus = Array.from({ length: n }, (_, c) => c);
      return {
        nrCpus: 64,
        possible: cpus,
        present: cpus,
        online: cpus,
        cpuToNode: Array.from({ length: 64 }, (_, c) => c % 2),
        nrNodes: 2,
        pageSize: 4096,
        vmallocBytes: RUN_VMALLOC_BYTES,
      };
    };
    const steps: Step[] = [{ op: "alloc", size: 4, align: 4, as: "o1" }];
    const at64 = replaySteps(target, machine(64), steps, [noOops]);
    expect(at64.violation?.invariant).toBe("no-oops");
    expect(at64.violation?.stepIndex).toBe(0);
    expect(replaySteps(target, machine(63), steps, [noOops]).violation).toBeUndefined();
    const base = findTarget("bitmap-2017") as Target;
    expect(replaySteps(base, machine(64), steps, [noOops]).violation).toBeUndefined();
  });
});
