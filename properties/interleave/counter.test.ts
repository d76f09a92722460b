/**
 * A toy counter whose increment drops its lock between reading and writing the value, as an
 * allocation drops pcpu_lock to populate:
 *
 *   racy:     [take lock] read v, drop lock │ [take lock] write v+1, drop lock │ return v+1
 *   correct:  [take lock] v+1 written, drop lock │ return
 *
 *   T1 ├─ read 0 ─────────── write 1 ─┤ → 1
 *   T2        ├─ read 0 ── write 1 ─┤    → 1     no sequential order of two increments gives 1, 1
 *
 * Expect the racy increment, three threads each incrementing once, to fail linearizability with
 * a shrunk schedule of a few choices whose trace has two threads reading 0; and the correct one
 * to pass every schedule drawn.
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  checkLinearizable,
  formatTrace,
  mutex,
  runInterleaved,
  scheduleArbitrary,
  type Operation,
  type SequentialSpec,
  type System,
  type ThreadSpec,
} from "./index.ts";

const counter_lock = mutex("counter_lock");

interface Counter {
  value: number;
}

function* racyIncrement(c: Counter): Operation<number> {
  yield { section: "entered", acquire: [counter_lock] };
  const v = c.value;
  yield {
    section: `read ${v}, lock dropped`,
    reads: ["value"],
    release: [counter_lock],
    acquire: [counter_lock],
  };
  c.value = v + 1;
  yield { section: `wrote ${v + 1}, lock dropped`, writes: ["value"], release: [counter_lock] };
  return v + 1;
}

function* increment(c: Counter): Operation<number> {
  yield { section: "entered", acquire: [counter_lock] };
  const v = ++c.value;
  yield {
    section: `wrote ${v}, lock dropped`,
    reads: ["value"],
    writes: ["value"],
    release: [counter_lock],
  };
  return v;
}

type Call = "incr";

const spec: SequentialSpec<number, Call, number, number> = {
  init: 0,
  step: (n) => ({ result: n + 1, state: n + 1 }),
  final: (n, observed) =>
    n === observed ? undefined : `the counter holds ${observed}, the model ${n}`,
};

const threads: ThreadSpec<Call>[] = ["T1", "T2", "T3"].map((name) => ({ name, calls: ["incr"] }));

function setup(op: (c: Counter) => Operation<number>) {
  return () => {
    const c: Counter = { value: 0 };
    const system: System<Call, number> = { start: () => op(c), label: (call) => call };
    return { system, observe: () => c.value };
  };
}

describe("a counter whose increment drops its lock", () => {
  it("is not linearizable, found with a shrunk schedule", () => {
    const result = checkInterleavings({ threads, setup: setup(racyIncrement), spec, seed: 17 });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.invariant)).toEqual(["linearizability"]);
    expect(result.findings[0]?.message).toMatch(/returned 1, the model says 2/);
    const schedule = result.schedule ?? [];
    expect(schedule.length).toBeLessThanOrEqual(3);
    expect(result.run?.trace.length).toBeLessThanOrEqual(12);
    const trace = result.lines.join("\n");
    expect(trace).toMatch(/T\d incr: read 0, lock dropped[\s\S]*T\d incr: read 0, lock dropped/);
    // The shrunk schedule replays to the same failure, and every shorter prefix of it passes.
    const replay = setup(racyIncrement)();
    const run = runInterleaved({ threads, system: replay.system, schedule });
    expect(checkLinearizable(run.calls, spec, replay.observe()).ok).toBe(false);
    for (let k = 0; k < schedule.length; k++) {
      const again = setup(racyIncrement)();
      const shorter = runInterleaved({
        threads,
        system: again.system,
        schedule: schedule.slice(0, k),
      });
      expect(checkLinearizable(shorter.calls, spec, again.observe()).ok).toBe(true);
    }
  });

  it("the same seed finds the same schedule and lines", () => {
    const again = () =>
      checkInterleavings({ threads, setup: setup(racyIncrement), spec, seed: 17 });
    expect(again().lines).toEqual(again().lines);
  });

  it("a schedule of no threads is refused before any run", () => {
    expect(() => scheduleArbitrary(0, 4)).toThrow(/expected a positive number of threads, got 0/);
    expect(() =>
      runInterleaved({ threads: [], system: setup(increment)().system, schedule: [] }),
    ).toThrow(/expected at least one thread/);
  });

  it("prints each section as it ran", () => {
    const { system } = setup(racyIncrement)();
    const run = runInterleaved({ threads: threads.slice(0, 2), system, schedule: [0, 0, 1, 1] });
    expect(formatTrace(run)).toEqual([
      "T1 incr: entered",
      "T1 incr: read 0, lock dropped",
      "T2 incr: entered",
      "T2 incr: read 0, lock dropped",
      "T1 incr: wrote 1, lock dropped",
      "T1 incr: returned 1",
      "T2 incr: wrote 1, lock dropped",
      "T2 incr: returned 1",
    ]);
  });

  it("the final-state check fails even where the results alone could be explained", () => {
    // One call's result is not looked at: two increments of which only one is recorded.
    const { system, observe } = setup(racyIncrement)();
    const run = runInterleaved({ threads: threads.slice(0, 2), system, schedule: [0, 0, 1, 1] });
    const lenient: SequentialSpec<number, Call, number, number> = { ...spec, same: () => true };
    const verdict = checkLinearizable(run.calls, lenient, observe());
    expect(verdict).toEqual({
      ok: false,
      explanation: expect.stringMatching(/final state: the counter holds 1, the model 2/),
    });
  });
});

describe("a counter whose increment holds its lock", () => {
  it("is linearizable under every schedule drawn", () => {
    const result = checkInterleavings({
      threads,
      setup: setup(increment),
      spec,
      seed: 17,
      numRuns: 300,
    });
    expect(result).toEqual({ ok: true, findings: [], lines: [] });
  });
});
