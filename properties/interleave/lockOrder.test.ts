/**
 * Lock order across runs, the 2026 cycle in miniature. No single run closes it:
 *
 *   run 1  T1 in a filesystem (holding fs_lock) allocates, GFP_NOFS:       fs_lock → pcpu_alloc_mutex
 *          T2 in reclaim (fs_reclaim) writes back through the filesystem:  fs_reclaim → fs_lock
 *   run 2  T1 allocates with GFP_KERNEL: populating under the mutex may
 *          enter reclaim (fs_reclaim taken and dropped):                  pcpu_alloc_mutex → fs_reclaim
 *
 *   pcpu_alloc_mutex ──► fs_reclaim ──► fs_lock ──► pcpu_alloc_mutex
 *
 * Expect neither run alone to show a cycle, the two together to give a lock-order finding that
 * names the three edges and the run and step where each was first seen, and the same runs with
 * the populate never entering FS reclaim under the mutex (the 2026 series' rule) to give none.
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  fs_reclaim,
  LockOrder,
  pcpu_alloc_mutex,
  pcpu_lock,
  pseudoLock,
  runInterleaved,
  type Operation,
  type System,
  type ThreadSpec,
} from "./index.ts";

const fs_lock = pseudoLock("fs_lock");

/** GFP_KERNEL, or GFP_NOFS as a filesystem allocates (its populate never enters FS reclaim). */
type Call = "alloc" | "alloc nofs" | "writeback";

function system(mayReclaim: boolean): System<Call, string> {
  return {
    label: (call) => call,
    *start(call): Operation<string> {
      if (call === "writeback") {
        yield { section: "reclaim picks a dirty page", touch: [fs_lock] };
        return "written";
      }
      yield { section: "request accepted", acquire: [pcpu_alloc_mutex] };
      yield { section: "area reserved at chunk 1 off 0x40, lock dropped", acquire: [pcpu_lock] };
      yield { section: "area found", release: [pcpu_lock] };
      yield {
        section: "pages populated",
        sleeps: true,
        ...(mayReclaim && call === "alloc" ? { touch: [fs_reclaim] } : {}),
        release: [pcpu_alloc_mutex],
      };
      return "0x40";
    },
  };
}

const run1: ThreadSpec<Call>[] = [
  { name: "T1", calls: ["alloc nofs"], context: [fs_lock] },
  { name: "T2", calls: ["writeback"], context: [fs_reclaim] },
];
const run2: ThreadSpec<Call>[] = [{ name: "T1", calls: ["alloc"] }];

function order(mayReclaim: boolean, runs: ThreadSpec<Call>[][]): LockOrder {
  const graph = new LockOrder();
  runs.forEach((threads, i) => {
    const run = runInterleaved({ threads, system: system(mayReclaim), schedule: [] });
    expect(run.findings).toEqual([]);
    graph.record(run.edges, `run ${i + 1}`);
  });
  return graph;
}

describe("lock order across runs", () => {
  it("neither run alone has a cycle", () => {
    expect(order(true, [run1]).cycle()).toBeUndefined();
    expect(order(true, [run2]).cycle()).toBeUndefined();
  });

  it("the two runs together close pcpu_alloc_mutex → fs_reclaim → fs_lock → pcpu_alloc_mutex", () => {
    const finding = order(true, [run1, run2]).cycle();
    expect(finding?.invariant).toBe("lock-order");
    const message = finding?.message ?? "";
    expect(message).toContain("lock-order cycle fs_lock → pcpu_alloc_mutex → fs_reclaim → fs_lock");
    expect(message).toContain(
      'fs_lock → pcpu_alloc_mutex (first seen run 1, step 1: T1 alloc nofs takes pcpu_alloc_mutex holding fs_lock, after "request accepted")',
    );
    expect(message).toContain(
      'pcpu_alloc_mutex → fs_reclaim (first seen run 2, step 3: T1 alloc takes fs_reclaim holding pcpu_alloc_mutex, after "pages populated")',
    );
    expect(message).toContain("fs_reclaim → fs_lock (first seen run 1, step ");
  });

  it("with backing allocations that avoid FS reclaim there is no cycle", () => {
    expect(order(false, [run1, run2]).cycle()).toBeUndefined();
  });

  it("a declared edge closes a cycle the runs leave open", () => {
    const graph = order(true, [run2]);
    graph.declare("fs_reclaim", "fs_lock", "reclaim writes back through the filesystem");
    expect(graph.cycle()).toBeUndefined();
    graph.declare("fs_lock", "pcpu_alloc_mutex", "a filesystem allocating percpu counters");
    expect(graph.cycle()?.message).toContain(
      "(first seen reclaim writes back through the filesystem)",
    );
  });

  it("checkInterleavings feeds every run's edges to the graph", () => {
    const graph = new LockOrder();
    for (const threads of [run1, run2]) {
      const setup = () => ({ system: system(true) });
      expect(
        checkInterleavings({ threads, setup, seed: 26, numRuns: 20, lockOrder: graph }).ok,
      ).toBe(true);
    }
    // The three of the cycle, and pcpu_lock taken under pcpu_alloc_mutex and under fs_lock.
    expect(graph.edgeCount).toBe(5);
    expect(graph.cycle()?.invariant).toBe("lock-order");
  });
});
