/**
 * Every invariant on every revision, over several seeds: each passes, or fails only where the
 * revision's header says it does not hold; and every known violation is found, with a
 * counterexample that shows it.
 */
import { describe, expect, it, vi } from "vitest";
import type { BootConfig } from "../../impl/index.ts";
import type { Step } from "../engine/step.ts";
import {
  applicable,
  checkTarget,
  INVARIANTS,
  REVISION_TARGETS,
  replaySteps,
  runChurn,
  findInvariant,
  judgeMaterialized,
} from "../index.ts";

const SEEDS = [1, 2, 3];

/**
 * Known violations that 40 short runs rarely reach, each shown by a hand-made run where they
 * miss it. bitmap-2017-kernel's completeness is 6.12's finding 13, which needs a reserved
 * chunk filled block by block and a free of a partial block's object (the 5-step run `check
 * --external` of pcpu-linux finds at its default budget):
 *
 *   reserved chunk  block 0 [o1 4096 bytes]  block 1 [o2 4 | o3 4092]   full
 *   free(o2)        block 1 [hole 4 | o3]    the chunk's hint is not told (a block-relative end)
 *   alloc(4, reserved) -> ENOMEM, with a 4-byte hole
 */
const WITNESSES: Readonly<
  Record<string, Readonly<Record<string, { config: BootConfig; steps: Step[] }>>>
> = {
  "bitmap-2017-kernel": {
    completeness: {
      config: {
        nrCpus: 8,
        possible: [0],
        present: [0],
        online: [0],
        cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
        nrNodes: 1,
        pageSize: 4096,
      },
      steps: [
        { op: "alloc", size: 4096, align: 1, reserved: true, as: "o1" },
        { op: "alloc", size: 1, align: 1, reserved: true, as: "o2" },
        { op: "alloc", size: 4092, align: 1, reserved: true, as: "o3" },
        { op: "free", obj: "o2" },
        { op: "alloc", size: 4, align: 1, reserved: true, as: "o4" },
      ],
    },
  },
  // The populate bug, then a write to the neighbour that lost its page: seed 7's 40 swarm runs
  // of at most 50 commands do not reach it (seed 1's do, with this counterexample).
  "areamap-2009": {
    completeness: {
      config: {
        nrCpus: 8,
        possible: [0, 1],
        present: [0, 1],
        online: [0, 1],
        cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
        nrNodes: 1,
        pageSize: 4096,
        vmallocBytes: 2147483648,
      },
      steps: [
        { op: "fail_page_alloc", after: 3, count: 1 },
        { op: "alloc", size: 833, align: 1, as: "o1" },
        { op: "alloc", size: 3201, align: 64, as: "o2" },
        { op: "write", obj: "o1", cpu: 0, offset: 0, hex: "01" },
      ],
    },
  },
};
// Shrinking a known violation with every invariant judged (nr-cpus-independence on
// legacy-2.6.10 and kiran-2005-09) can take tens of seconds per seed on a loaded 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

describe.each(REVISION_TARGETS.map((t) => [t.id, t] as const))("%s", (_id, target) => {
  it.each(SEEDS)("keeps every invariant it claims to keep (seed %i)", (seed) => {
    const report = checkTarget(target, { seed, runs: 40, maxCommands: 50, model: false });
    expect(report.results.map((r) => r.invariant)).toEqual(
      applicable(INVARIANTS, target).map((i) => i.id),
    );
    for (const r of report.results) {
      const known = target.knownViolations[r.invariant];
      if (r.invariant === "refinement") {
        // Judged only on the model's runs (model.test.ts); without them, or without inspect.
        expect(r.status).toBe("not-checked");
        continue;
      }
      if (known === undefined) {
        expect({
          invariant: r.invariant,
          status: r.status,
          message: r.counterexample?.message,
        }).toEqual({
          invariant: r.invariant,
          status: "pass",
          message: undefined,
        });
      } else if (r.status !== "pass") {
        // A known violation is what the design does not keep, not what 40 short runs must
        // reach: one that needs a longer run (areamap-2009's completeness needs a write to the
        // neighbour after the populate bug) may pass at one seed. Found, it is the expected
        // failure with its reason; that each one is found is the next test's.
        expect({ status: r.status, expected: r.expected, reason: r.reason }).toEqual({
          status: "fail",
          expected: true,
          reason: known,
        });
      }
    }
    expect(report.commands).toBeGreaterThan(100);
  });

  it("shows each known violation with a replayable counterexample", () => {
    const report = checkTarget(target, { seed: 7, runs: 40, maxCommands: 50, model: false });
    for (const [id, why] of Object.entries(target.knownViolations)) {
      const r = report.results.find((x) => x.invariant === id);
      const witness = WITNESSES[target.id]?.[id];
      if (witness !== undefined && r?.status === "pass") {
        const shown = replaySteps(target, witness.config, witness.steps, [findInvariant(id)!]);
        expect(shown.violation?.invariant).toBe(id);
        continue;
      }
      expect(r?.status).toBe("fail");
      expect(r?.reason).toBe(why);
      const ce = r?.counterexample;
      expect(ce).toBeDefined();
      if (!ce) continue;
      if (ce.churn !== undefined) {
        // Judged on churn rounds: the counterexample is the workload, run again.
        expect(runChurn(target, ce.churn.workload, ce.churn.threshold).violation).toBe(ce.message);
        continue;
      }
      if (ce.interleave !== undefined) {
        // Judged on a concurrent round: the threads, run again under their schedule.
        const il = ce.interleave;
        const m = { config: ce.config, ptrs: [], ...il };
        expect(judgeMaterialized(target, m, new Set([id])).findings[0]?.message).toBe(ce.message);
        continue;
      }
      if (id === "lock-order") {
        // The edges of all the concurrent runs together: the cycle, each edge named.
        expect(ce.message).toMatch(/^lock-order cycle (\S+ → )+\S+: /);
        continue;
      }
      const again = replaySteps(target, ce.config, ce.steps, [findInvariant(id)!]);
      expect(again.violation?.invariant).toBe(id);
    }
  });
});
