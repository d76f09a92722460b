/**
 * The topologies the check draws (fixed seed): large machines are a fair share of the runs
 * (64 possible CPUs, and more where NR_CPUS allows), small sets stay frequent (below CPU 8, for
 * the relational NR_CPUS 8 / 512 check), and every draw is a valid boot configuration. Before
 * the large draw, no topology had more than 12 possible CPUs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topologyArbitrary } from "./topology.ts";

const SAMPLE = 700;

describe("topologyArbitrary", () => {
  const configs = fc.sample(topologyArbitrary(), { seed: 20051, numRuns: SAMPLE });

  it("draws 64 possible CPUs in a fair share of runs, and more than 64 in some", () => {
    const at64 = configs.filter((c) => c.possible.length >= 64).length;
    const above = configs.filter((c) => c.possible.length > 64).length;
    expect(at64).toBeGreaterThan(SAMPLE * 0.04);
    expect(above).toBeGreaterThan(0);
  });

  it("keeps small possible sets frequent (all below CPU 8)", () => {
    const small = configs.filter((c) => Math.max(...c.possible) < 8).length;
    expect(small).toBeGreaterThan(SAMPLE * 0.25);
  });

  it("draws valid configurations: distinct possible CPUs below NR_CPUS, the first online", () => {
    for (const c of configs) {
      expect(new Set(c.possible).size).toBe(c.possible.length);
      expect(Math.max(...c.possible)).toBeLessThan(c.nrCpus);
      expect(c.online[0]).toBe(c.possible[0]);
      expect(c.cpuToNode).toHaveLength(c.nrCpus);
    }
  });

  it("renumbers a large set to 0..n-1 for a target that needs dense possible CPUs", () => {
    const dense = fc.sample(topologyArbitrary({ densePossible: true }), {
      seed: 20051,
      numRuns: SAMPLE,
    });
    const large = dense.filter((c) => c.possible.length >= 64);
    expect(large.length).toBeGreaterThan(0);
    for (const c of large) expect(c.possible).toEqual(c.possible.map((_, i) => i));
  });
});
