/**
 * nr-cpus-independence judges the twin's answers as well as its pages: an allocation that
 * succeeds at NR_CPUS 8 and fails at NR_CPUS 512, holding the same pages, breaks it.
 */
import { describe, expect, it } from "vitest";
import type { BootConfig, PercpuAllocator } from "../../impl/index.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { replaySteps } from "../runner/replay.ts";
import { findTarget } from "../targets.ts";
import { nrCpusIndependence } from "./nrCpusIndependence.ts";

const CONFIG: BootConfig = {
  nrCpus: 8,
  possible: [0, 1],
  present: [0, 1],
  online: [0, 1],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};
const base = findTarget("kiran-2005-01")!;

/** kiran-2005-01, except that at NR_CPUS 512 an allocation of 24 bytes fails, touching nothing. */
const failsAt512: Target = {
  ...base,
  id: "fails-at-512",
  create(): PercpuAllocator {
    const a = base.create();
    let nrCpus = 0;
    return new Proxy(a, {
      get(target, key, receiver) {
        if (key === "boot") {
          return (config: BootConfig) => {
            nrCpus = config.nrCpus;
            return target.boot(config);
          };
        }
        if (key === "alloc") {
          return (size: number, align: number) =>
            nrCpus === 512 && size === 24
              ? { ok: false, error: "ENOMEM", message: "no room at 512" }
              : target.alloc(size, align);
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  },
};

const STEPS: Step[] = [
  { op: "alloc", size: 8, align: 8, as: "o1" },
  { op: "alloc", size: 24, align: 8, as: "o2" },
];

describe("nr-cpus-independence", () => {
  it("passes where both NR_CPUS answer alike", () => {
    expect(replaySteps(base, CONFIG, STEPS, [nrCpusIndependence]).violation).toBeUndefined();
  });

  it("breaks on an allocation that succeeds at NR_CPUS 8 and fails at 512", () => {
    const r = replaySteps(failsAt512, CONFIG, STEPS, [nrCpusIndependence]);
    expect(r.violation?.stepIndex).toBe(1);
    expect(r.violation?.message).toBe(
      "nr-cpus-independence: alloc(24, 8) -> o2 succeeds at NR_CPUS 8, fails with ENOMEM at NR_CPUS 512",
    );
  });
});
