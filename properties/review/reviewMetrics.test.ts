/**
 * The review's figures: one naming style, n/a where a design does not count a figure, and the
 * noise rule (counts exact, means per operation equal within NOISE_RELATIVE of BASE).
 */
import { describe, expect, it } from "vitest";
import { familyCounts } from "./familyCounts.ts";
import { metricChange, metricKey, NOISE_RELATIVE } from "./reviewMetrics.ts";

describe("review metrics", () => {
  it("the JSON key is the label in snake_case", () => {
    expect(metricKey("pages held at NR_CPUS 512")).toBe("pages_held_at_nr_cpus_512");
    expect(metricKey("utilization after refill-1")).toBe("utilization_after_refill_1");
    expect(metricKey("blocks in 128 MiB vmalloc at NR_CPUS 512")).toBe(
      "blocks_in_128_mib_vmalloc_at_nr_cpus_512",
    );
  });

  it("counts are compared exactly, means within their noise", () => {
    expect(metricChange(17, 18, "lower", "exact")).toBe("worse");
    expect(metricChange(5, 5 * (1 + NOISE_RELATIVE / 2), "lower", "mean")).toBe("same");
    expect(metricChange(5, 5 * (1 + NOISE_RELATIVE * 2), "lower", "mean")).toBe("worse");
    expect(metricChange(5, 4, "lower", "mean")).toBe("better");
    expect(metricChange(0, 0.01, "lower", "mean")).toBe("worse");
    expect(metricChange(0.5, 0.6, "higher", "exact")).toBe("better");
    expect(metricChange(0, 8, "neutral", "exact")).toBe("changed");
    expect(metricChange(null, 8, "lower", "exact")).toBe("n/a");
  });

  it("what each design family counts", () => {
    expect(familyCounts("legacy")).toEqual({ work: false });
    expect(familyCounts("kiran-2005")).toMatchObject({ scanned: "bits", grouping: "blocks" });
    expect(familyCounts("areamap-2009")).toMatchObject({
      scanned: "map entries",
      grouping: "chunks",
    });
    expect(familyCounts("bitmap-2017")).toMatchObject({ scanned: "bits", grouping: "chunks" });
    expect(familyCounts(undefined)).toMatchObject({ work: true, grouping: "blocks" });
  });
});
