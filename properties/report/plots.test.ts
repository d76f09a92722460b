/** The plots' naming and what each plot leaves out (the rendering is checked in cli/reportCommand.test.ts). */
import { describe, expect, it } from "vitest";
import type { MetricsReport } from "../metrics/index.ts";
import { GROWTH_QUANTITIES, growthLeftOut, plotName } from "./plots.ts";

const measured = {
  metrics: {
    work_growth: [
      { live: 10, alloc: { comparisons: 1, loop_iterations: 2, bits_scanned: 3 }, free: null },
    ],
  },
} as unknown as MetricsReport;
const unmeasured = {
  metrics: { work_growth: [{ live: 10, alloc: null, free: null }] },
} as unknown as MetricsReport;
const [comparisons, , bits] = GROWTH_QUANTITIES;

describe("report plots", () => {
  it("one quantity per plot, named as the review names it", () => {
    expect(GROWTH_QUANTITIES.map((q) => q.label)).toEqual([
      "comparisons per alloc",
      "loop iterations per alloc",
      "bits scanned per alloc",
    ]);
  });

  it("leaves out what a design does not count, and says why", () => {
    const s = (design: string | undefined, r = measured) => ({
      target: "t",
      design,
      reports: [r],
    });
    expect(growthLeftOut(s("kiran-2005"), bits!)).toBeUndefined();
    expect(growthLeftOut(s("legacy"), comparisons!)).toBe("counts no work");
    expect(growthLeftOut(s("areamap-2009"), bits!)).toBe("counts map entries");
    expect(growthLeftOut(s("areamap-2009"), comparisons!)).toBeUndefined();
    expect(growthLeftOut(s(undefined, unmeasured), comparisons!)).toBe("reports no work counters");
  });

  it("names a harness by its program, so that a path does not push the panels aside", () => {
    expect(plotName("kiran-2005-09")).toBe("kiran-2005-09");
    expect(plotName("external:/a/b/pcpu-harness --x 1")).toBe("external:pcpu-harness --x 1");
    expect(plotName(`external:/p/${"x".repeat(60)}`)).toHaveLength(40);
  });
});
