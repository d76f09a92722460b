/**
 * A data race in the shape of the 2024 KCSAN report "data-race in pcpu_alloc_noprof /
 * pcpu_balance_workfn": the allocation reads pcpu_nr_empty_pop_pages, to decide whether to
 * schedule the balance work, after dropping pcpu_lock; the balance worker updates it under
 * pcpu_lock.
 *
 *   T1 alloc    [pcpu_lock] area reserved, lock dropped │ watermark read (no lock) │ return
 *   T2 balance  [mutex, pcpu_lock] page populated, count raised, locks dropped │ return
 *
 * Expect a data-race finding on pcpu_nr_empty_pop_pages naming both sections (T1's unlocked
 * read, T2's write under pcpu_lock), under any schedule; and none once the read is made under
 * pcpu_lock, or for a field not declared shared.
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  findRaces,
  pcpu_alloc_mutex,
  pcpu_lock,
  runInterleaved,
  type Operation,
  type SharedField,
  type System,
  type ThreadSpec,
} from "./index.ts";

interface Pool {
  nrEmptyPopPages: number;
  scheduled: boolean;
}

const LOW = 2;
const shared: SharedField[] = [{ field: "pcpu_nr_empty_pop_pages", protectedBy: pcpu_lock }];

type Call = "alloc" | "balance";

function system(pool: Pool, readUnderLock: boolean): System<Call, string> {
  return {
    label: (call) => (call === "alloc" ? "alloc 8" : "balance"),
    *start(call): Operation<string> {
      if (call === "balance") {
        yield { section: "balance work runs", acquire: [pcpu_alloc_mutex, pcpu_lock] };
        pool.nrEmptyPopPages++;
        yield {
          section: "page populated, count raised, locks dropped",
          writes: ["pcpu_nr_empty_pop_pages"],
          release: [pcpu_lock, pcpu_alloc_mutex],
        };
        return "balanced";
      }
      yield { section: "request accepted", acquire: [pcpu_lock] };
      if (readUnderLock) {
        pool.scheduled = pool.nrEmptyPopPages < LOW;
        yield {
          section: "area reserved, watermark read, lock dropped",
          reads: ["pcpu_nr_empty_pop_pages"],
          release: [pcpu_lock],
        };
        return "0x40";
      }
      yield { section: "area reserved, lock dropped", release: [pcpu_lock] };
      pool.scheduled = pool.nrEmptyPopPages < LOW;
      yield { section: "watermark read", reads: ["pcpu_nr_empty_pop_pages"] };
      return "0x40";
    },
  };
}

const threads: ThreadSpec<Call>[] = [
  { name: "T1", calls: ["alloc"] },
  { name: "T2", calls: ["balance"] },
];

const run = (readUnderLock: boolean, schedule: number[], fields = shared) =>
  runInterleaved({
    threads,
    system: system({ nrEmptyPopPages: 0, scheduled: false }, readUnderLock),
    schedule,
    shared: fields,
  });

describe("data races", () => {
  it("an unlocked read racing a locked write is reported with both sections", () => {
    const { findings } = run(false, []);
    expect(findings).toEqual([
      {
        invariant: "data-race",
        message:
          "data-race on pcpu_nr_empty_pop_pages (protected by pcpu_lock): " +
          'T1 reads it in "alloc 8: watermark read" (step 2, holding nothing) and ' +
          'T2 writes it in "balance: page populated, count raised, locks dropped" (step 5, holding pcpu_alloc_mutex, pcpu_lock), ' +
          "with no lock held in common",
      },
    ]);
  });

  it("is reported whichever thread runs first", () => {
    expect(run(false, [1, 1, 1, 0, 0]).findings.map((f) => f.invariant)).toEqual(["data-race"]);
    const result = checkInterleavings({
      threads,
      setup: () => ({ system: system({ nrEmptyPopPages: 0, scheduled: false }, false) }),
      shared,
      seed: 2024,
    });
    expect(result.findings.map((f) => f.invariant)).toEqual(["data-race"]);
    expect(result.lines.join("\n")).toMatch(/T1 reads it in "alloc 8: watermark read"/);
  });

  it("the read made under pcpu_lock is no race", () => {
    const result = checkInterleavings({
      threads,
      setup: () => ({ system: system({ nrEmptyPopPages: 0, scheduled: false }, true) }),
      shared,
      seed: 2024,
    });
    expect(result.ok).toBe(true);
  });

  it("only fields declared shared are judged, and two reads never race", () => {
    expect(run(false, [], []).findings).toEqual([]);
    const read = { thread: "T1", section: "a", field: "f", write: false, held: [], step: 0 };
    expect(
      findRaces(
        [read, { ...read, thread: "T2", step: 1 }],
        [{ field: "f", protectedBy: pcpu_lock }],
      ),
    ).toEqual([]);
  });
});
