/**
 * The linearizability search on hand-written histories of a register (write v, read → v):
 *
 *   T1 ├── write 1 ──────┤
 *   T2     ├─ read→0 ─┤            linearizable: the read goes before the write
 *
 *   T1 ├─ write 1 ─┤
 *   T2               ├─ read→0 ─┤  not: the write returned before the read began
 *
 * Expect the first to give the order [read, write], the second a counterexample naming the read
 * and what the model says it returns, a pending call to be rejected before any search, and the
 * memo to keep a failing search over ten overlapping calls to at most one step per
 * (set of calls placed, state) pair and call.
 */
import { describe, expect, it } from "vitest";
import { checkLinearizable, type CallRecord, type SequentialSpec } from "./index.ts";

type Call = { op: "write"; value: number } | { op: "read" } | { op: "add" };

const register: SequentialSpec<number, Call, number | undefined> = {
  init: 0,
  step: (v, call) =>
    call.op === "write" ? { result: undefined, state: call.value } : { result: v, state: v },
};

let nextId = 0;
function record(
  thread: string,
  call: Call,
  invoke: number,
  response: number | undefined,
  result?: number,
): CallRecord<Call, number | undefined> {
  const label = call.op === "write" ? `write ${call.value}` : call.op;
  return { id: nextId++, thread, call, label, invoke, response, result };
}

describe("checkLinearizable", () => {
  it("orders a read that overlaps a write before it", () => {
    const write = record("T1", { op: "write", value: 1 }, 0, 3);
    const read = record("T2", { op: "read" }, 1, 2, 0);
    const verdict = checkLinearizable([write, read], register);
    expect(verdict).toEqual({ ok: true, order: [read, write] });
  });

  it("respects real-time order: a read begun after the write returned must see it", () => {
    const write = record("T1", { op: "write", value: 1 }, 0, 1);
    const read = record("T2", { op: "read" }, 2, 3, 0);
    expect(checkLinearizable([write, read], register)).toEqual({
      ok: false,
      explanation:
        "no sequential order explains the results: after T1 write 1 → nothing, T2 read returned 0, the model says 1",
    });
  });

  it("rejects a call that has not returned", () => {
    const write = record("T1", { op: "write", value: 1 }, 0, undefined);
    expect(() => checkLinearizable([write], register)).toThrow(/T1 write 1 has not returned/);
  });

  it("memoises (calls placed, state): ten overlapping adds with a wrong final state", () => {
    let steps = 0;
    const counter: SequentialSpec<number, Call, number | undefined, number> = {
      init: 0,
      step: (n) => {
        steps++;
        return { result: undefined, state: n + 1 };
      },
      final: (n, observed) => (n === observed ? undefined : `${observed}, the model ${n}`),
    };
    const n = 10;
    const calls = Array.from({ length: n }, (_, i) => record(`T${i + 1}`, { op: "add" }, i, n + i));
    const verdict = checkLinearizable(calls, counter, n - 1);
    expect(verdict).toEqual({
      ok: false,
      explanation: expect.stringContaining(`final state: ${n - 1}, the model ${n}`),
    });
    // Without the memo the search would try all 10! orders; with it, each subset once.
    expect(steps).toBeLessThanOrEqual(n * 2 ** n);
    expect(checkLinearizable(calls, counter, n).ok).toBe(true);
  });
});
