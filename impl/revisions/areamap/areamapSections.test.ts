/**
 * areamap-2009's pcpu_alloc, free_percpu and pcpu_reclaim as atomic sections (impl/sections/):
 * the sequential path drains them, an interleaved run (properties/interleave) runs other
 * threads in between. 2.6.30's two locks: pcpu_alloc_mutex over the whole allocation (populate
 * included) and the reclaim, pcpu_lock over the index; free_percpu takes pcpu_lock only.
 *
 *   set-up: two 32 KiB objects (chunks 1 and 2, all 8 pages of each populated), both freed:
 *           chunks 2 (head) and 1 fully free on the last slot, pcpu_reclaim_work queued
 *
 *   T1 balance   [mutex, lock] chunk 1 taken off, lock dropped ┐ (the mutant: locks dropped)
 *   T2 alloc 8                     [mutex, lock] map extended, area found at chunk 0 off 0x4000,
 *                                  lock dropped, page 4 populated (chunk->page), mutex dropped
 *   T1 balance   chunk 1 depopulated (chunk->page) and freed, mutex dropped
 *
 * Expect the drained sections of a first allocation in 2.6.30's order; two GFP_KERNEL
 * allocations kept apart by the mutex; a free waiting for pcpu_lock while an allocation scans,
 * and running while it populates (it holds only the mutex); an in-flight area in the detail;
 * and, under the schedule above, a data-race finding on chunk->page naming both sections for
 * the mutant areamap-reclaim-unlocked and no finding for the revision, which fast-check finds
 * from a fixed seed and shrinks.
 */
import { describe, expect, it } from "vitest";
import type { Ptr } from "../../allocator.ts";
import { unwrap } from "../../result.ts";
import { callLabel, drain, sectionText, type ConcurrentCall } from "../../sections/index.ts";
import {
  checkInterleavings,
  formatTrace,
  runInterleaved,
  type System,
  type ThreadSpec,
} from "../../../properties/interleave/index.ts";
import type { ConcurrentResult } from "../../sections/index.ts";
import { areamapReclaimUnlocked } from "../../mutants/areamapReclaimUnlocked.ts";
import { booted } from "../testing.ts";
import { AreamapAllocator, type AreamapDetail } from "./areamapAllocator.ts";

function systemOf(a: AreamapAllocator): {
  system: System<ConcurrentCall, ConcurrentResult>;
  shared: ReturnType<AreamapAllocator["concurrently"]>["shared"];
} {
  const c = a.concurrently();
  return { system: { start: (call) => c.start(call), label: callLabel }, shared: c.shared };
}

const alloc = (size: number): ConcurrentCall => ({ op: "alloc", size, align: 8, atomic: false });

/** Two whole-unit chunks made, populated and freed: chunk 1 to reclaim, the work queued. */
function withReclaimQueued(a: AreamapAllocator): AreamapAllocator {
  booted(a);
  const p = [unwrap(a.alloc(32768, 8)), unwrap(a.alloc(32768, 8))];
  for (const ptr of p) unwrap(a.free(ptr));
  expect((unwrap(a.inspect()).detail as AreamapDetail).reclaimPending).toBe(true);
  return a;
}

const RACE_THREADS: readonly ThreadSpec<ConcurrentCall>[] = [
  { name: "T1", calls: [{ op: "balance" }] },
  { name: "T2", calls: [alloc(8)] },
];
/** T1 to its lock drop (2 sections), T2 to its end (6), T1 on. */
const RACE_SCHEDULE = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0];

function raceRun(a: AreamapAllocator) {
  const { system, shared } = systemOf(withReclaimQueued(a));
  return runInterleaved({ threads: RACE_THREADS, system, shared, schedule: RACE_SCHEDULE });
}

describe("areamap-2009 as sections", () => {
  it("drains a first allocation's sections in pcpu_alloc's order, and returns its pointer", () => {
    const a = booted(new AreamapAllocator());
    const sections: string[] = [];
    const note = (b: Parameters<NonNullable<Parameters<typeof drain>[1]>>[0]) =>
      sections.push(sectionText(b));
    const small = drain(a.allocOperation(8, 8), note);
    const big = drain(a.allocOperation(20000, 8), note);
    expect(sections).toEqual([
      // alloc 8: the first chunk's static dmap[2] extended, then its dynamic area
      "request made",
      "chunk 0's map to extend, lock dropped",
      "pcpu_mem_alloc: a longer map allocated",
      "area found at chunk 0 off 0x4000, lock dropped",
      "pages populated, mutex dropped",
      // alloc 20000: no chunk fits, a new chunk, the walk restarted
      "request made",
      "no chunk fits, lock dropped",
      "alloc_pcpu_chunk: struct, map and vm area allocated",
      "area found at chunk 1 off 0x0, lock dropped",
      "pages populated, mutex dropped",
    ]);
    // The same requests through alloc: the same pointers a fresh allocator gives.
    const b = booted(new AreamapAllocator());
    expect([b.alloc(8, 8), b.alloc(20000, 8)]).toEqual([small, big]);
  });

  it("keeps two sleeping allocations apart: the second waits for the mutex", () => {
    const { system, shared } = systemOf(booted(new AreamapAllocator()));
    const run = runInterleaved({
      threads: [
        { name: "T1", calls: [alloc(8)] },
        { name: "T2", calls: [alloc(8)] },
      ],
      system,
      shared,
      // Alternate as often as the locks allow.
      schedule: Array.from({ length: 40 }, (_, k) => k % 2),
    });
    expect(run.findings).toEqual([]);
    expect(run.calls.map((c) => c.result?.ok)).toEqual([true, true]);
    const lines = run.trace.map((l) => `${l.thread} ${l.section}`);
    const t2 = lines.flatMap((l, k) => (l.startsWith("T2") ? [k] : []));
    expect(lines[t2[0] ?? -1]).toBe("T2 request made");
    // Past its request (the call's entry, before any lock), T2 runs only after T1 returned.
    const t1 = lines.flatMap((l, k) => (l.startsWith("T1") ? [k] : []));
    expect(t1.at(-1)).toBeLessThan(t2[1] ?? -1);
  });

  it("runs a free, which takes only pcpu_lock, while an allocation populates under the mutex", () => {
    const a = booted(new AreamapAllocator());
    const old: Ptr = unwrap(a.alloc(8, 8));
    const { system, shared } = systemOf(a);
    const threads: ThreadSpec<ConcurrentCall>[] = [
      { name: "T1", calls: [alloc(16)] },
      { name: "T2", calls: [{ op: "free", ptr: old }] },
    ];
    // T1 to "area found, lock dropped" (2 sections), then T2 to its end, then T1.
    const run = runInterleaved({ threads, system, shared, schedule: [0, 0, 1, 1, 1, 0, 0] });
    expect(run.findings).toEqual([]);
    expect(run.calls.map((c) => c.result?.ok)).toEqual([true, true]);
    const free = `free 0x${old.toString(16)}`;
    expect(formatTrace(run)).toEqual([
      "T1 alloc 16 align 8: request made",
      "T1 alloc 16 align 8: area found at chunk 0 off 0x4008, lock dropped",
      `T2 ${free}: free requested`,
      `T2 ${free}: area at chunk 0 off 0x4000 freed, lock dropped`,
      `T2 ${free}: returned {"ok":true}`,
      "T1 alloc 16 align 8: pages populated, mutex dropped",
      expect.stringMatching(/^T1 alloc 16 align 8: returned /),
    ]);
  });

  it("makes the reclaim work wait for the mutex an allocation holds while it populates", () => {
    const { system, shared } = systemOf(withReclaimQueued(new AreamapAllocator()));
    const run = runInterleaved({
      threads: [
        { name: "T1", calls: [alloc(8)] },
        { name: "T2", calls: [{ op: "balance" }] },
      ],
      system,
      shared,
      // T1 to "area found, lock dropped" (4 sections), then T2 as often as it can run.
      schedule: [0, 0, 0, 0, 1, 1, 1, 1, 1],
    });
    expect(run.findings).toEqual([]);
    const lines = formatTrace(run);
    const populated = lines.indexOf("T1 alloc 8 align 8: pages populated, mutex dropped");
    const starts = lines.indexOf("T2 balance: reclaim work starts");
    const takenOff = lines.indexOf("T2 balance: chunks taken off: 1, lock dropped");
    expect(starts).toBeLessThan(populated);
    expect(takenOff).toBeGreaterThan(populated);
  });

  it("shows an area an allocation in flight has reserved in the detail, allocated in the map", () => {
    const a = booted(new AreamapAllocator());
    const op = a.allocOperation(8, 8);
    let detail = unwrap(a.inspect()).detail as AreamapDetail;
    for (let s = op.next(); s.done !== true; s = op.next()) {
      detail = unwrap(a.inspect()).detail as AreamapDetail;
      if (sectionText(s.value).startsWith("area found")) break;
    }
    expect(detail.inFlight).toEqual([{ chunk: 0, off: 0x4000, size: 8 }]);
    expect(detail.chunks[0]?.map).toContain(-8);
    expect(detail.chunks[0]?.live).toBe(0);
    for (let s = op.next(); s.done !== true; s = op.next());
    const after = unwrap(a.inspect()).detail as AreamapDetail;
    expect(after.inFlight).toEqual([]);
    expect(after.chunks[0]?.live).toBe(1);
  });

  it("refuses an atomic allocation: 2.6.30 has no GFP_ATOMIC percpu allocation", () => {
    const { system } = systemOf(booted(new AreamapAllocator()));
    const r = drain(system.start({ op: "alloc", size: 8, align: 8, atomic: true }));
    expect(r).toMatchObject({ ok: false, error: "EINVAL" });
  });

  it("catches areamap-reclaim-unlocked's depopulation without the mutex as a data race on chunk->page", () => {
    const mutant = raceRun(areamapReclaimUnlocked.create() as AreamapAllocator);
    expect(mutant.completed).toBe(true);
    expect(mutant.trace.length).toBeLessThanOrEqual(12);
    expect(formatTrace(mutant)).toEqual([
      "T1 balance: reclaim work starts",
      "T1 balance: chunks taken off: 1, locks dropped",
      "T2 alloc 8 align 8: request made",
      "T2 alloc 8 align 8: chunk 0's map to extend, lock dropped",
      "T2 alloc 8 align 8: pcpu_mem_alloc: a longer map allocated",
      "T2 alloc 8 align 8: area found at chunk 0 off 0x4000, lock dropped",
      "T2 alloc 8 align 8: pages populated, mutex dropped",
      expect.stringMatching(/^T2 alloc 8 align 8: returned /),
      "T1 balance: chunk 1 depopulated and freed",
      expect.stringMatching(/^T1 balance: returned /),
    ]);
    expect(mutant.findings.map((f) => f.invariant)).toEqual(["data-race"]);
    const message = mutant.findings[0]?.message ?? "";
    expect(message).toContain("data-race on chunk->page (protected by pcpu_alloc_mutex)");
    expect(message).toContain('"alloc 8 align 8: pages populated, mutex dropped"');
    expect(message).toContain('"balance: chunk 1 depopulated and freed"');

    // The revision keeps the mutex: T2 waits for it, and nothing is found.
    const revision = raceRun(new AreamapAllocator());
    expect(revision.completed).toBe(true);
    expect(revision.findings).toEqual([]);
    expect(formatTrace(revision)).toContain(
      "T1 balance: chunk 1 depopulated and freed, mutex dropped",
    );
  });

  it("finds and shrinks the race with fast-check on the mutant, and nothing on the revision", () => {
    const check = (make: () => AreamapAllocator) =>
      checkInterleavings({
        threads: RACE_THREADS,
        setup: () => ({ system: systemOf(withReclaimQueued(make())).system }),
        shared: make().concurrently().shared,
        seed: 2009,
        numRuns: 100,
        maxSchedule: 12,
      });
    const mutant = check(() => areamapReclaimUnlocked.create() as AreamapAllocator);
    expect(mutant.ok).toBe(false);
    expect(mutant.findings.map((f) => f.invariant)).toEqual(["data-race"]);
    // Locksets need no overlap in time: the race shows in any order, and shrinking reaches the
    // empty schedule (T1 to its end, then T2).
    expect(mutant.schedule).toEqual([]);
    expect(mutant.lines[0]).toBe("schedule []");
    expect(check(() => new AreamapAllocator()).ok).toBe(true);
  });
});
