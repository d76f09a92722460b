/**
 * Locks enforced: two threads take two locks in opposite orders.
 *
 *   T1  [A] took A │ [B] took B, both dropped
 *   T2  [B] took B │ [A] took A, both dropped
 *
 *   T1 holds A, wants B;  T2 holds B, wants A  →  every thread waits
 *
 * Expect the schedule [0, 1] (each takes its first lock) to end in a deadlock finding naming
 * both waits, the sequential schedule to finish, fast-check to find the deadlock from a fixed
 * seed with a schedule of at most two choices, and the scheduler to report a release of a lock
 * not held, a mutex taken under a spinlock, and sleeping in atomic context.
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  mutex,
  pcpu_alloc_mutex,
  pcpu_lock,
  runInterleaved,
  type Lock,
  type Operation,
  type System,
  type ThreadSpec,
} from "./index.ts";

const A = mutex("lock_a");
const B = mutex("lock_b");

function* inOrder(first: Lock, second: Lock): Operation<string> {
  yield { section: `taking ${first.name}`, acquire: [first] };
  yield { section: `took ${first.name}`, acquire: [second] };
  yield { section: `took ${second.name}, both dropped`, release: [second, first] };
  return "done";
}

type Call = "ab" | "ba";
const system = (): System<Call, string> => ({
  start: (call) => (call === "ab" ? inOrder(A, B) : inOrder(B, A)),
  label: (call) => call,
});
const threads: ThreadSpec<Call>[] = [
  { name: "T1", calls: ["ab"] },
  { name: "T2", calls: ["ba"] },
];

describe("lock enforcement", () => {
  it("an AB/BA schedule deadlocks, and the finding names both waits", () => {
    const run = runInterleaved({ threads, system: system(), schedule: [0, 1, 0, 1] });
    expect(run.completed).toBe(false);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.invariant).toBe("deadlock");
    expect(run.findings[0]?.message).toContain("T1 ab waits for lock_b (held by T2)");
    expect(run.findings[0]?.message).toContain("T2 ba waits for lock_a (held by T1)");
  });

  it("the sequential schedule finishes", () => {
    const run = runInterleaved({ threads, system: system(), schedule: [] });
    expect(run.completed).toBe(true);
    expect(run.findings).toEqual([]);
  });

  it("a waiting thread is skipped: the choice goes to the next runnable one", () => {
    // T1 holds lock_a; T3 (also a then b) is chosen when it wants lock_a, so T1 runs instead.
    const three = [...threads, { name: "T3", calls: ["ab"] as Call[] }];
    const run = runInterleaved({ threads: three, system: system(), schedule: [0, 0, 2, 2] });
    expect(run.ran.slice(0, 4)).toEqual([0, 0, 2, 0]);
    expect(run.trace[3]).toMatchObject({ thread: "T1", section: "took lock_b, both dropped" });
    expect(run.completed).toBe(true);
    expect(run.findings).toEqual([]);
  });

  it("fast-check finds the deadlock with a short schedule", () => {
    const result = checkInterleavings({ threads, setup: () => ({ system: system() }), seed: 5 });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.invariant)).toEqual(["deadlock"]);
    expect(result.schedule?.length).toBeLessThanOrEqual(2);
  });
});

describe("lock misuse", () => {
  const one = (op: () => Operation<string>, atomic = false) =>
    runInterleaved({
      threads: [{ name: "T1", calls: ["x"], atomic }],
      system: { start: op, label: () => "alloc" },
      schedule: [],
    });

  it("releasing a lock not held is a finding, naming the section", () => {
    const run = one(function* () {
      yield { section: "area found, lock dropped", release: [pcpu_lock] };
      return "x";
    });
    expect(run.findings).toEqual([
      {
        invariant: "lock-misuse",
        message:
          'T1 alloc releases pcpu_lock, which it does not hold (held by no one): "area found, lock dropped"',
      },
    ]);
  });

  it("taking the mutex under the spinlock is sleeping in atomic context", () => {
    const run = one(function* () {
      yield { section: "entered", acquire: [pcpu_lock] };
      yield { section: "chunk chosen", acquire: [pcpu_alloc_mutex] };
      yield { section: "done", release: [pcpu_alloc_mutex, pcpu_lock] };
      return "x";
    });
    expect(run.findings.map((f) => f.invariant)).toEqual(["sleep-in-atomic"]);
    expect(run.findings[0]?.message).toContain(
      "takes the mutex pcpu_alloc_mutex in atomic context",
    );
  });

  it("a section that sleeps from an atomic caller is a finding", () => {
    const run = one(function* () {
      yield { section: "pages populated", sleeps: true };
      return "x";
    }, true);
    expect(run.findings.map((f) => f.invariant)).toEqual(["sleep-in-atomic"]);
  });

  it("returning with a lock held is a finding", () => {
    const run = one(function* () {
      yield { section: "entered", acquire: [pcpu_lock] };
      return "x";
    });
    expect(run.findings).toEqual([
      { invariant: "lock-misuse", message: "T1 alloc returned holding pcpu_lock" },
    ]);
  });
});
