/**
 * bitmap-2017's pcpu_alloc and free_percpu as atomic sections (impl/sections/): the sequential
 * path drains them, an interleaved run (properties/interleave) runs other threads in between.
 *
 *   T1 alloc 8 (GFP_KERNEL)            T2 alloc 8 (GFP_ATOMIC)
 *   [mutex, lock] scan: no chunk
 *   lock dropped; create chunk 1 (sleeps)
 *   [lock] area at chunk 1 off 0x0,
 *   lock dropped ──────────────────────> [lock] scan: chunk 1 has no populated page
 *                                        lock dropped: ENOMEM, balance work scheduled
 *   populate page 0 (sleeps), [lock] mark, lock dropped, mutex dropped, zero the copies
 *
 * Expect the sequential sections of a first allocation in that order; the atomic allocation
 * that runs while T1 populates to fail with ENOMEM (only populated space serves it), the same
 * request after T1 returned to succeed; two GFP_KERNEL allocations kept apart by the mutex;
 * and no lock misuse on any path.
 */
import { describe, expect, it } from "vitest";
import type { Ptr } from "../../allocator.ts";
import type { Result } from "../../result.ts";
import { drain, sectionText, type Boundary } from "../../sections/index.ts";
import { runInterleaved, type System } from "../../../properties/interleave/index.ts";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { BitmapAllocator } from "./bitmapAllocator.ts";
import type { BitmapDetail } from "./bitmapDetail.ts";
import { BitmapKernelAllocator } from "./bitmapKernelAllocator.ts";

type Call = { readonly op: "alloc"; readonly size: number; readonly atomic?: boolean };

function systemOf(a: BitmapAllocator): System<Call, Result<Ptr>> {
  return {
    start: (c) => a.allocOperation(c.size, 8, c.atomic === true ? { atomic: true } : undefined),
    label: (c) => `alloc ${c.size}${c.atomic === true ? " atomic" : ""}`,
  };
}

describe("bitmap-2017 as sections", () => {
  it("drains a first allocation's sections in pcpu_alloc's order, and returns its pointer", () => {
    const a = booted(new BitmapAllocator());
    const sections: string[] = [];
    const r = drain(a.allocOperation(8, 8), (b: Boundary) => sections.push(sectionText(b)));
    expect(r.ok).toBe(true);
    expect(sections).toEqual([
      "request made",
      "no chunk fits, lock dropped",
      expect.stringMatching(/^chunk \d+ created$/),
      expect.stringMatching(/^area found at chunk \d+ off 0x0, lock dropped$/),
      "pages 0..1 populated",
      "pages 0..1 marked, lock dropped",
      "mutex dropped",
    ]);
    // The same request through alloc: the same pointer a fresh allocator gives.
    const b = booted(new BitmapAllocator());
    expect(b.alloc(8, 8)).toEqual(r);
  });

  it("fails an atomic allocation that runs while a sleeping one populates, not after it", () => {
    // T1 runs up to "area found, lock dropped" (4 sections), then T2 runs to its end.
    const during = runInterleaved({
      threads: [
        { name: "T1", calls: [{ op: "alloc", size: 8 }] },
        { name: "T2", calls: [{ op: "alloc", size: 8, atomic: true }], atomic: true },
      ],
      system: systemOf(booted(new BitmapAllocator())),
      schedule: [0, 0, 0, 0, 1, 1, 1],
    });
    expect(during.findings).toEqual([]);
    expect(during.completed).toBe(true);
    const [t1, t2] = during.calls;
    expect(t1?.result?.ok).toBe(true);
    expect(t2?.result).toMatchObject({ ok: false, error: "ENOMEM" });
    expect(during.trace.map((l) => `${l.thread} ${l.section}`)).toContain(
      "T2 no populated space, balance work scheduled",
    );

    // The empty schedule runs T1 to its end first: the page is populated, T2's request served.
    const after = runInterleaved({
      threads: [
        { name: "T1", calls: [{ op: "alloc", size: 8 }] },
        { name: "T2", calls: [{ op: "alloc", size: 8, atomic: true }], atomic: true },
      ],
      system: systemOf(booted(new BitmapAllocator())),
      schedule: [],
    });
    expect(after.findings).toEqual([]);
    expect(after.calls.map((c) => c.result?.ok)).toEqual([true, true]);
  });

  it("keeps two sleeping allocations apart: the second waits for the mutex", () => {
    const run = runInterleaved({
      threads: [
        { name: "T1", calls: [{ op: "alloc", size: 8 }] },
        { name: "T2", calls: [{ op: "alloc", size: 8 }] },
      ],
      system: systemOf(booted(new BitmapAllocator())),
      // Alternate as often as the locks allow.
      schedule: Array.from({ length: 40 }, (_, k) => k % 2),
    });
    expect(run.findings).toEqual([]);
    expect(run.calls.map((c) => c.result?.ok)).toEqual([true, true]);
    // Past its request (the call's entry, before any lock), T2 runs only after T1 returned:
    // T1 took the mutex first.
    const lines = run.trace.map((l) => `${l.thread} ${l.section}`);
    const t2 = lines.flatMap((l, k) => (l.startsWith("T2") ? [k] : []));
    expect(lines[t2[0] ?? -1]).toBe("T2 request made");
    const t1 = lines.flatMap((l, k) => (l.startsWith("T1") ? [k] : []));
    expect(t1.at(-1)).toBeLessThan(t2[1] ?? -1);
  });

  /*
   *   set-up (bitmap-2017-kernel, whose balance work is queued, not run in place):
   *     two 20 KiB objects and o3 (8 bytes) allocated, the two big ones freed: work queued
   *   T1 worker: [mutex, lock] ... pages to go, lock dropped │ depopulate, cond_resched ...
   *   T2 free(o3), atomic:                                  [lock] area freed, lock dropped
   *
   * Expect the free to run where the worker holds only the mutex (after a section of it that
   * dropped pcpu_lock, before the one that has it again), both to complete with no finding,
   * and the empty-page count afterwards to be the sum of the chunks' (the accounting the free
   * and the worker share under pcpu_lock).
   */
  it("runs a free inside the balance worker's window with the lock dropped, and the counts agree", () => {
    const a = booted(new BitmapKernelAllocator());
    const big = [unwrap(a.alloc(20480, 4)), unwrap(a.alloc(20480, 4))];
    const small = unwrap(a.alloc(8, 8));
    for (const p of big) unwrap(a.free(p));
    expect(a.balanceWorkPending).toBe(true);
    type Job = { readonly op: "work" } | { readonly op: "free"; readonly ptr: Ptr };
    const system: System<Job, unknown> = {
      start: (j) => (j.op === "work" ? a.balanceOperation() : a.freeOperation(j.ptr)),
      label: (j) => j.op,
    };
    const run = runInterleaved({
      threads: [
        { name: "T1", calls: [{ op: "work" }] },
        { name: "T2", calls: [{ op: "free", ptr: small }], atomic: true },
      ],
      system,
      // The worker to its first lock drop (3 sections), then the free, then the worker on.
      schedule: [0, 0, 0, 1, 1, 1],
    });
    expect(run.findings).toEqual([]);
    expect(run.completed).toBe(true);
    const lines = run.trace.map((l) => `${l.thread} ${l.section}`);
    const freed = lines.findIndex((l) => l.startsWith("T2 area at chunk"));
    const before = lines.slice(0, freed).filter((l) => l.startsWith("T1"));
    // T1's last section before the free dropped the lock or slept without it; it holds the
    // mutex, not pcpu_lock, and has not finished.
    expect(before.at(-1)).toMatch(/(lock dropped|cond_resched)$/);
    expect(before.at(-1)).not.toMatch(/locks dropped$/);
    expect(lines.slice(freed).some((l) => l.startsWith("T1"))).toBe(true);
    const d = unwrap(a.inspect()).detail as BitmapDetail;
    expect(d.nrEmptyPopPages).toBe(
      d.chunks.filter((c) => !c.isolated && !c.reserved).reduce((n, c) => n + c.nrEmptyPopPages, 0),
    );
  });
});
