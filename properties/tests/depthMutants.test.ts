/**
 * The depth mutants (impl/mutants/, each with the depth goal it needs as `deep`): each breaks
 * only deep, and the default check (seed 20051, 200 runs of at most 60 commands) catches each
 * with a 1-minimal counterexample that replays. Its rounds' runs catch two (a swarm run's fill
 * reaches the third chunk; a round's topology reaches 64 possible CPUs); the deep rounds after
 * them catch the other two (a unit's last page, 1,024 newer live objects), which survive the
 * same check without its deep rounds. The workloads' checked runs catch, on their own, the
 * three whose depth they reach (the 64-CPU one shows on a 64-possible-CPU machine and not on
 * 63, past the workloads' machine), with a counterexample that replays.
 */
import { describe, expect, it } from "vitest";
import type { BootConfig } from "../../impl/index.ts";
import { MUTANTS } from "../../impl/mutants/index.ts";
import {
  checkTarget,
  checkTargetWorkloads,
  findInvariant,
  findTarget,
  ONE_MINIMAL_MAX_STEPS,
  replaySteps,
  reproduces,
  RUN_VMALLOC_BYTES,
  type Counterexample,
  type Invariant,
  type RunSettings,
  type Step,
  type Target,
} from "../index.ts";

const SEED = 20051;
const DEFAULT_CHECK: RunSettings = { seed: SEED, runs: 200, maxCommands: 60, model: false };
const DEEP = MUTANTS.filter((m) => m.deep !== undefined);
const expectedOf = (id: string): Invariant[] =>
  (DEEP.find((m) => m.id === id)?.expected ?? []).map((i) => findInvariant(i) as Invariant);
/** The part of the default check that catches each: its rounds, or the deep rounds after. */
const CAUGHT_BY: Readonly<Record<string, "rounds" | "deep rounds">> = {
  "bitmap-third-chunk-unmoved": "rounds",
  "bitmap-unit-end-hint-kept": "deep rounds",
  "kiran-free-walk-bound": "deep rounds",
  "bitmap-unit-mask-wraps": "rounds",
};

/** The counterexample replays, and no step of it can go. */
function expectReplaysOneMinimal(target: Target, ce: Counterexample, inv: Invariant): void {
  expect(reproduces(target, ce.config, ce.steps, inv)).toBe(true);
  ce.steps.forEach((_, i) => {
    const without = ce.steps.filter((_, j) => j !== i);
    expect(reproduces(target, ce.config, without, inv), `step ${i} is needed`).toBe(false);
  });
}

describe("depth mutants", () => {
  it("there is one for each depth the issue names", () => {
    expect(new Set(DEEP.map((m) => m.deep))).toEqual(
      new Set(["chunks-3", "unit-last-page", "live-1000", "cpus-64"]),
    );
    expect(new Set(Object.keys(CAUGHT_BY))).toEqual(new Set(DEEP.map((m) => m.id)));
  });

  it.each(DEEP.map((m) => [m.id, CAUGHT_BY[m.id]] as const))(
    "%s is caught by the default check's %s, with a 1-minimal counterexample that replays",
    (id, part) => {
      const target = findTarget(id) as Target;
      const invariants = expectedOf(id);
      const report = checkTarget(target, { ...DEFAULT_CHECK, invariants });
      for (const inv of invariants) {
        const r = report.results.find((x) => x.invariant === inv.id);
        expect(r?.status, `${id} should break ${inv.id}`).toBe("fail");
        // A failure in the rounds ends them; a deep round's adds its runs to the rounds' 200.
        if (part === "rounds") expect(r?.runs).toBeLessThanOrEqual(DEFAULT_CHECK.runs);
        else expect(r?.runs).toBeGreaterThan(DEFAULT_CHECK.runs);
        expect(report.deep !== undefined).toBe(part === "deep rounds");
        // Not the workloads': they judge only what the rounds left passing.
        expect(report.workloads).toBeUndefined();
        const ce = r?.counterexample;
        expect(ce).toBeDefined();
        if (ce !== undefined) expectReplaysOneMinimal(target, ce, inv);
      }
    },
  );

  it.each(DEEP.filter((m) => CAUGHT_BY[m.id] === "deep rounds").map((m) => [m.id] as const))(
    "%s survives the default check without its deep rounds",
    (id) => {
      const target = findTarget(id) as Target;
      const report = checkTarget(target, {
        ...DEFAULT_CHECK,
        invariants: expectedOf(id),
        deepRuns: 0,
        workloads: false,
      });
      for (const r of report.results) expect(r.status, `${id}: ${r.invariant}`).toBe("pass");
    },
  );

  it.each(DEEP.filter((m) => m.deep !== "cpus-64").map((m) => [m.id] as const))(
    "%s is caught by the workloads' checked runs, with a counterexample that replays",
    (id) => {
      const target = findTarget(id) as Target;
      const invariants = expectedOf(id);
      // The workloads on their own (checkTarget runs them on what its rounds left passing).
      const report = checkTargetWorkloads(target, invariants, DEFAULT_CHECK, {
        commands: 0,
        shrinkMs: 0,
      });
      for (const inv of invariants) {
        const failure = report.failures.find((f) => f.invariant.id === inv.id);
        expect(failure, `${id} should break ${inv.id}`).toBeDefined();
        const ce = failure?.counterexample;
        if (ce === undefined) continue;
        expect(reproduces(target, ce.config, ce.steps, inv)).toBe(true);
        const row = report.rows.find((w) => w.invariant === inv.id);
        expect(row?.status).toBe("fail");
        expect(row?.counterexample?.steps).toEqual(ce.steps);
        // A short one is 1-minimal: no step can go.
        if (ce.steps.length <= ONE_MINIMAL_MAX_STEPS) {
          expect(row?.minimal).toBe(true);
          expectReplaysOneMinimal(target, ce, inv);
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
