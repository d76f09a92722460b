/**
 * A multi-part invariant names its conjuncts, one per line, and a failure says which one broke
 * ("bitmap-populated: nr_empty_pop_pages: ..."), as a TLA+ invariant lists one conjunct per line.
 */
import { describe, expect, it } from "vitest";
import type { BootConfig } from "../../impl/index.ts";
import { replaySteps } from "../runner/replay.ts";
import { findTarget } from "../targets.ts";
import { findInvariant, INVARIANTS } from "./index.ts";
import { conjunctNames, firstBroken, type Conjuncts } from "./invariant.ts";

const ONE_CPU: BootConfig = {
  nrCpus: 8,
  possible: [0],
  present: [0],
  online: [0],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
  vmallocBytes: 2 ** 31,
};

const MULTI_PART = [
  "bad-input",
  "bad-align",
  "completeness",
  "kiran-list-order",
  "kiran-bytes-used",
  "kiran-bufctls",
  "areamap-map-sum",
  "areamap-contig-hint",
  "areamap-live-areas",
  "areamap-populated",
  "bitmap-block-hints",
  "bitmap-chunk-hint",
  "bitmap-free-bytes",
  "bitmap-slots",
  "bitmap-populated",
  "bitmap-one-free-chunk",
  "refinement",
];

describe("conjuncts", () => {
  it("the first that breaks names the failure, in declaration order", () => {
    const checks: Conjuncts<[number]> = {
      positive: (n) => (n > 0 ? undefined : `${n} is not positive`),
      even: (n) => (n % 2 === 0 ? undefined : `${n} is odd`),
    };
    expect(conjunctNames(checks)).toEqual(["positive", "even"]);
    expect(firstBroken(checks, 4)).toBeUndefined();
    expect(firstBroken(checks, 3)).toBe("even: 3 is odd");
    expect(firstBroken(checks, -3)).toBe("positive: -3 is not positive");
  });

  it.each(MULTI_PART)("%s declares its conjuncts", (id) => {
    const names = findInvariant(id)?.conjuncts ?? [];
    expect(names.length).toBeGreaterThan(1);
    expect(new Set(names).size).toBe(names.length);
  });

  it("the white-box invariants without conjuncts are one rule each", () => {
    const single = INVARIANTS.filter((i) => i.designs !== undefined && i.conjuncts === undefined);
    expect(single.map((i) => i.id).sort()).toEqual(["areamap-slots"]);
  });

  it.each([
    ["bitmap-empty-on-populate", "bitmap-populated", "nr_empty_pop_pages"],
    ["areamap-free-no-merge", "areamap-map-sum", "entries"],
  ])("%s breaks %s at the conjunct %s", (mutant, id, conjunct) => {
    const inv = findInvariant(id)!;
    const r = replaySteps(
      findTarget(mutant)!,
      ONE_CPU,
      [{ op: "alloc", size: 1, align: 1, as: "o1" }],
      [inv],
    );
    expect(r.violation?.message.startsWith(`${id}: ${conjunct}: `)).toBe(true);
    expect(inv.conjuncts).toContain(conjunct);
  });
});
