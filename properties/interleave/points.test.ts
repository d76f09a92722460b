/**
 * Invariants judged between sections, where no thread holds their locks. A pair of counters
 * that must agree outside pcpu_lock (as a chunk's free bytes and its bitmap must), updated in
 * two sections:
 *
 *   held:     [pcpu_lock] a++ │ work scheduled, still holding │ b++, lock dropped
 *   dropped:  [pcpu_lock] a++, lock dropped │ [pcpu_lock] b++, lock dropped
 *
 * Expect "a = b" judged where pcpu_lock is free to hold for the first and to fail for the second
 * (naming the section after which it broke); judged everywhere, to fail for both. Also: a thread
 * that retries forever is a progress finding, one that throws an oops, and a failing check gives a counterexample that
 * records the threads, their calls and the schedule, and replays to the same sections.
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  formatTrace,
  pcpu_lock,
  runInterleaved,
  type Lock,
  type Operation,
  type PointInvariant,
  type System,
  type ThreadSpec,
} from "./index.ts";

interface Pair {
  a: number;
  b: number;
}

function* held(p: Pair): Operation<number> {
  yield { section: "entered", acquire: [pcpu_lock] };
  p.a++;
  yield { section: "a raised, work scheduled" };
  p.b++;
  yield { section: "b raised, lock dropped", release: [pcpu_lock] };
  return p.b;
}

function* dropped(p: Pair): Operation<number> {
  yield { section: "entered", acquire: [pcpu_lock] };
  p.a++;
  yield { section: "a raised, lock dropped", release: [pcpu_lock], acquire: [pcpu_lock] };
  p.b++;
  yield { section: "b raised, lock dropped", release: [pcpu_lock] };
  return p.b;
}

type Call = "raise";
const threads: ThreadSpec<Call>[] = [
  { name: "T1", calls: ["raise"] },
  { name: "T2", calls: ["raise"] },
];

function setup(op: (p: Pair) => Operation<number>, unlessHeld: readonly Lock[]) {
  return () => {
    const p: Pair = { a: 0, b: 0 };
    const system: System<Call, number> = { start: () => op(p), label: (c) => c };
    const points: PointInvariant[] = [
      {
        id: "pair-agrees",
        unlessHeld,
        check: () => (p.a === p.b ? undefined : `a = ${p.a}, b = ${p.b}`),
      },
    ];
    return { system, points };
  };
}

describe("invariants between sections", () => {
  it("judged where pcpu_lock is free, they hold when the update keeps the lock", () => {
    expect(checkInterleavings({ threads, setup: setup(held, [pcpu_lock]), seed: 3 }).ok).toBe(true);
  });

  it("and fail when the update drops it half-way", () => {
    const result = checkInterleavings({ threads, setup: setup(dropped, [pcpu_lock]), seed: 3 });
    expect(result.findings).toEqual([
      {
        invariant: "pair-agrees",
        message: "after step 1 (T1 raise: a raised, lock dropped): a = 1, b = 0",
      },
    ]);
  });

  it("judged everywhere, they fail even inside the lock", () => {
    const result = checkInterleavings({ threads, setup: setup(held, []), seed: 3 });
    expect(result.findings.map((f) => f.invariant)).toEqual(["pair-agrees"]);
  });
});

describe("progress and counterexamples", () => {
  it("a thread that retries forever is a progress finding", () => {
    const system: System<Call, number> = {
      label: () => "alloc",
      *start() {
        for (;;) yield { section: "no block fits, block added, retry" };
      },
    };
    const run = runInterleaved({
      threads: threads.slice(0, 1),
      system,
      schedule: [],
      maxSteps: 50,
    });
    expect(run.findings).toEqual([
      {
        invariant: "progress",
        message: "the threads had not finished after 50 sections (a livelock?)",
      },
    ]);
    expect(run.trace).toHaveLength(50);
  });

  it("a section that throws is an oops finding naming where it was", () => {
    const system: System<Call, number> = {
      label: () => "free",
      *start() {
        yield { section: "chunk looked up" };
        throw new Error("no chunk at 0x40");
      },
    };
    const run = runInterleaved({ threads: threads.slice(0, 1), system, schedule: [] });
    expect(run.findings).toEqual([
      { invariant: "oops", message: 'T1 free threw after "chunk looked up": no chunk at 0x40' },
    ]);
    expect(run.completed).toBe(false);
  });

  it("a counterexample records threads, calls and schedule, and replays to the same sections", () => {
    const result = checkInterleavings({ threads, setup: setup(dropped, [pcpu_lock]), seed: 3 });
    const cx = result.counterexample;
    expect(cx).toBeDefined();
    if (cx === undefined) return;
    const copy = JSON.parse(JSON.stringify(cx)) as typeof cx;
    expect(copy.threads.map((t) => [t.name, t.calls])).toEqual([
      ["T1", ["raise"]],
      ["T2", ["raise"]],
    ]);
    const again = setup(dropped, [pcpu_lock])();
    const replay = runInterleaved({ threads: copy.threads, schedule: copy.schedule, ...again });
    expect(formatTrace(replay)).toEqual(copy.sections);
    expect(replay.findings).toEqual(copy.findings);
  });
});
