/**
 * The system model of the chunks on hand-made views, one per rule: what 6.12 does is
 * explained by the machine's events, what it never does is a difference. The views are the
 * chunk form of `inspect` (model/chunkView.ts): a chunk of 8 pages, 32 KiB per unit, beside
 * the first chunk (5 pages, whose empty pages count in pcpu_nr_empty_pop_pages).
 */
import { describe, expect, it } from "vitest";
import { ChunkCoverage } from "./chunkCoverage.ts";
import { ChunkLifecycle } from "./chunkLifecycle.ts";
import type { ObservedChunk } from "./chunkView.ts";

const UNIT = 32768;
const FIRST: ObservedChunk = {
  id: 1,
  list: "slot",
  first: true,
  isolated: false,
  nrPages: 5,
  unitBytes: 20480,
  live: 0,
  freeBytes: 20480,
  populated: 5,
  emptyPopulated: 5,
  state: "empty",
};

/** A chunk of 8 pages; `over` changes any field (the state follows live and free bytes). */
function chunk(over: Partial<ObservedChunk>): ObservedChunk {
  const c: ObservedChunk = {
    id: 2,
    list: "slot",
    first: false,
    isolated: false,
    nrPages: 8,
    unitBytes: UNIT,
    live: 1,
    freeBytes: UNIT - 4096,
    populated: 1,
    emptyPopulated: 0,
    state: "partial",
    ...over,
  };
  const state = c.live === 0 ? "empty" : c.freeBytes === 0 ? "full" : "partial";
  return { ...c, isolated: c.list !== "slot", state: over.state ?? state };
}

/** Runs the views through one system model; each step's answer. */
function run(views: readonly ObservedChunk[][], failedAlloc?: (i: number) => number | undefined) {
  const coverage = new ChunkCoverage();
  const lifecycle = new ChunkLifecycle(coverage);
  const answers = views.map((v, i) => lifecycle.observe(v, failedAlloc?.(i)));
  return { answers, coverage: coverage.figures() };
}

// Two live areas on 6 populated pages: one of a page, one of 5 pages.
const TWO = chunk({ live: 2, freeBytes: UNIT - 6 * 4096, populated: 6, emptyPopulated: 0 });

describe("the chunk lifecycle (system model of the chunk designs)", () => {
  it("a free that pcpu_should_reclaim_chunk allows isolates the chunk, and reclaim sidelines it", () => {
    // The free leaves 5 empty pages (>= 8/4), the first chunk has 5 (> HIGH 4) besides.
    const freed = chunk({ list: "toDepopulate", populated: 6, emptyPopulated: 5 });
    const sidelined = chunk({ list: "sidelined", populated: 1, emptyPopulated: 0 });
    const { answers, coverage } = run([
      [FIRST, TWO],
      [FIRST, freed],
      [FIRST, sidelined],
    ]);
    expect(answers).toEqual([undefined, undefined, undefined]);
    expect(coverage.missing.states).toEqual(["holding.full", "lists.destroyed"]);
  });

  it("the same free with too few empty pages elsewhere leaves the chunk on its slot", () => {
    const few = { ...FIRST, live: 1, freeBytes: 4096, emptyPopulated: 1, state: "partial" };
    const freed = chunk({ populated: 6, emptyPopulated: 5 });
    expect(
      run([
        [few, TWO],
        [few, freed],
      ]).answers[1],
    ).toBeUndefined();
    // Isolated all the same: pcpu_should_reclaim_chunk was false.
    const isolated = chunk({ list: "toDepopulate", populated: 6, emptyPopulated: 5 });
    expect(
      run([
        [few, TWO],
        [few, isolated],
      ]).answers[1],
    ).toMatch(
      /chunk 2: on the list toDepopulate, the chunk lifecycle has slot after obj\.free\(20480 bytes, empty 5, system-wide 6\)/,
    );
  });

  it("the first chunk is never isolated", () => {
    const first = { ...FIRST, live: 1, freeBytes: 4096, emptyPopulated: 1, state: "partial" };
    const other = chunk({ populated: 8, emptyPopulated: 7 });
    const isolated = { ...FIRST, list: "toDepopulate" as const, isolated: true };
    expect(
      run([
        [first, other],
        [isolated, other],
      ]).answers[1],
    ).toMatch(/chunk 1: on the list toDepopulate, the chunk lifecycle has slot/);
  });

  it("a chunk on its slot does not lose populated pages", () => {
    const before = chunk({ populated: 4, emptyPopulated: 3 });
    const after = chunk({ populated: 2, emptyPopulated: 1 });
    expect(
      run([
        [FIRST, before],
        [FIRST, after],
      ]).answers[1],
    ).toMatch(/pages\.depopulate\(2\) is refused by the chunk lifecycle on slot, partial/);
  });

  it("an allocation never lands in a chunk on to_depopulate", () => {
    const isolated = chunk({ list: "toDepopulate", populated: 6, emptyPopulated: 5 });
    const took = chunk({ list: "toDepopulate", live: 2, freeBytes: UNIT - 8192, populated: 6 });
    expect(
      run([
        [FIRST, isolated],
        [FIRST, { ...took, emptyPopulated: 4 }],
      ]).answers[1],
    ).toMatch(
      /obj\.alloc\(4096 bytes, empty 4\) is refused by the chunk lifecycle on toDepopulate/,
    );
  });

  it("pcpu_alloc takes a sidelined chunk back to its slot, even when populating then fails", () => {
    const sidelined = chunk({ list: "sidelined" });
    const took = chunk({ live: 2, freeBytes: UNIT - 8192, populated: 2 });
    expect(
      run([
        [FIRST, sidelined],
        [FIRST, took],
      ]).answers[1],
    ).toBeUndefined();
    // A failed allocation: the area given back, the chunk left reintegrated (6.12 pcpu_alloc).
    const back = chunk({});
    expect(
      run(
        [
          [FIRST, sidelined],
          [FIRST, back],
        ],
        (i) => (i === 1 ? 4096 : undefined),
      ).answers,
    ).toEqual([undefined, undefined]);
    // Without an allocation in the step, nothing takes a sidelined chunk back.
    expect(
      run([
        [FIRST, sidelined],
        [FIRST, back],
      ]).answers[1],
    ).toMatch(/chunk 2: on the list slot, the chunk lifecycle has sidelined/);
  });

  it("one worker run may depopulate a chunk, sideline it and populate it again (pcpu_balance_populated)", () => {
    // After an atomic failure, nr_to_pop is HIGH and the sidelined slot is in the walk.
    const isolated = chunk({ list: "toDepopulate", populated: 6, emptyPopulated: 5 });
    const repopulated = chunk({ list: "sidelined", populated: 5, emptyPopulated: 4 });
    const { answers, coverage } = run([
      [FIRST, isolated],
      [FIRST, repopulated],
    ]);
    expect(answers).toEqual([undefined, undefined]);
    expect(coverage.missing.transitions).not.toContain(
      "lists.sidelined: pages.populate [canPopulate] -> sidelined",
    );
  });

  it("a free sends a sidelined chunk with empty pages back to to_depopulate", () => {
    const sidelined = chunk({ list: "sidelined", live: 2, freeBytes: UNIT - 8192, populated: 2 });
    const freed = chunk({ list: "toDepopulate", populated: 2, emptyPopulated: 1 });
    expect(
      run([
        [FIRST, sidelined],
        [FIRST, freed],
      ]).answers[1],
    ).toBeUndefined();
  });

  it("only a fully free chunk off the depopulation lists is destroyed; a new chunk starts unpopulated", () => {
    const empty = chunk({ live: 0, freeBytes: UNIT, populated: 2, emptyPopulated: 2 });
    expect(run([[FIRST, empty], [FIRST]]).answers[1]).toBeUndefined();
    expect(run([[FIRST, TWO], [FIRST]]).answers[1]).toMatch(
      /chunk 2 is gone with 2 live areas in the chunk lifecycle/,
    );
    const sidelined = chunk({ list: "sidelined", live: 0, freeBytes: UNIT, populated: 0 });
    expect(run([[FIRST, sidelined], [FIRST]]).answers[1]).toMatch(
      /chunk\.destroy is refused by the chunk lifecycle on sidelined/,
    );
    const made = chunk({ id: 3, populated: 1, emptyPopulated: 0 });
    expect(run([[FIRST], [FIRST, made]]).answers[1]).toBeUndefined();
    const isolated = chunk({ id: 3, list: "toDepopulate", populated: 1 });
    expect(run([[FIRST], [FIRST, isolated]]).answers[1]).toMatch(
      /chunk 3 \(a new chunk\): on the list toDepopulate, the chunk lifecycle has slot/,
    );
  });

  it("a step takes or gives back one area of a chunk", () => {
    const three = chunk({ live: 3, freeBytes: UNIT - 3 * 4096, populated: 3 });
    expect(
      run([
        [FIRST, chunk({})],
        [FIRST, three],
      ]).answers[1],
    ).toMatch(/chunk 2: 3 live areas after one step, the chunk lifecycle had 1/);
  });
});
