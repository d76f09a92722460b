/**
 * The concurrent round of a check (runner/interleaveCheck.ts):
 *
 *   scenario (set-up · threads · schedule) ──run──> findings ──> five rows
 *                                             └──> lock edges ──> lock-order
 *
 * Expect the correct bitmap-2017 to pass every row having run threads (a pass that judged
 * nothing would be a lie); lock-order asked alone to run a round of its own; a race mutant's
 * failure to go into a counterexample file whose threads and schedule, read back, run the same
 * sections and fail the same way; and the scenario to be the same for the same seed.
 */
import { describe, expect, it } from "vitest";
import { findInvariant } from "../invariants/index.ts";
import { findTarget } from "../targets.ts";
import { counterexampleSchema, toFile, topologyFromJson } from "./counterexampleFile.ts";
import { checkInterleave, judgeMaterialized } from "./interleaveCheck.ts";
import { threadsFromJson } from "./interleaveFile.ts";
import type { RunSettings } from "./checkTarget.ts";

const IDS = [
  "linearizability",
  "data-race",
  "lock-order",
  "interleaving-safety",
  "between-sections",
];
const wanted = IDS.map((id) => findInvariant(id)!);
const settings: RunSettings = { seed: 20051, runs: 40, maxCommands: 60 };

describe("the concurrent round", () => {
  it("passes bitmap-2017 on every row, with threads run", () => {
    const counter = { commands: 0, shrinkMs: 0 };
    const results = checkInterleave(findTarget("bitmap-2017")!, wanted, settings, counter);
    expect(results.map((r) => [r.invariant, r.status])).toEqual(IDS.map((id) => [id, "pass"]));
    for (const r of results) expect(r.runs, r.invariant).toBeGreaterThan(0);
    // The calls the threads made: about one to six per run.
    expect(counter.commands).toBeGreaterThan(20);
  });

  it("runs a round for lock-order alone", () => {
    const counter = { commands: 0, shrinkMs: 0 };
    const [r] = checkInterleave(
      findTarget("bitmap-backing-fs-reclaim")!,
      [findInvariant("lock-order")!],
      settings,
      counter,
    );
    expect(r?.status).toBe("fail");
    expect(r?.counterexample?.message).toMatch(
      /^lock-order cycle .*fs_lock.*pcpu_alloc_mutex.*fs_reclaim/,
    );
    expect(counter.commands).toBeGreaterThan(0);
  });

  it("writes a race's failure as a file whose threads run the same sections again", () => {
    const target = findTarget("bitmap-unlocked-watermark")!;
    const counter = { commands: 0, shrinkMs: 0 };
    const [r] = checkInterleave(target, [findInvariant("data-race")!], settings, counter);
    expect(r?.status).toBe("fail");
    const file = counterexampleSchema.parse(JSON.parse(JSON.stringify(toFile(target, r!, true))));
    expect(file.commands).toEqual([]);
    const il = file.interleave!;
    expect(il.threads.length).toBeLessThanOrEqual(3);
    expect(il.schedule.length).toBeLessThanOrEqual(12);
    const again = judgeMaterialized(
      target,
      {
        config: topologyFromJson(file.topology),
        setup: il.setup,
        ptrs: [],
        threads: threadsFromJson(il),
        schedule: il.schedule,
      },
      new Set(["data-race"]),
    );
    expect(again.findings.map((f) => f.message)).toEqual([file.message]);
    expect(il.sections.length).toBe(again.run.trace.length);
    // The same seed, the same failure.
    const [twice] = checkInterleave(target, [findInvariant("data-race")!], settings, counter);
    expect(twice?.counterexample?.interleave).toEqual(r?.counterexample?.interleave);
  });
});
