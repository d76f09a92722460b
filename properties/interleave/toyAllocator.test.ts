/**
 * A toy allocator of four slots, written once as sections with mm/percpu.c's shape: the
 * allocation takes pcpu_alloc_mutex, finds and reserves a slot under pcpu_lock, drops the lock
 * to populate the slot's page (which sleeps), retakes it to mark the page populated, and drops
 * both; a free runs under pcpu_lock only, from atomic context.
 *
 *   alloc  [mutex] │ [lock] find + reserve, drop │ populate (sleeps) │ [lock] mark, drop both │ ret
 *   free   [lock] clear slot, drop │ ret
 *
 * The sequential path is `drain` over the same generators. A variant that reserves the slot
 * only after populating (find under the lock, mark after the lock was dropped) is the kind of
 * bug interleavings catch: two allocations get the same slot.
 *
 * Expect the sequential path to hand out the lowest free slot and to reject a double free, and
 * the interleaved correct allocator to be linearizable against a model of a set of slots, while
 * the late-reserving variant is not (without the mutex, so two allocations can interleave).
 */
import { describe, expect, it } from "vitest";
import {
  checkInterleavings,
  drain,
  LockMisuse,
  pcpu_alloc_mutex,
  pcpu_lock,
  type Boundary,
  type Operation,
  type SequentialSpec,
  type System,
  type ThreadSpec,
} from "./index.ts";

const SLOTS = 4;

interface Toy {
  used: boolean[];
  populated: boolean[];
  /** Take the mutex (the correct design); without it, allocations meet at the populate. */
  readonly withMutex: boolean;
  /** Reserve the slot only after populating it: the bug. */
  readonly reserveLate: boolean;
}

type Result = number | "ENOMEM" | "EINVAL";

function* allocSections(toy: Toy): Operation<Result> {
  const outer = toy.withMutex ? [pcpu_alloc_mutex] : [];
  yield { section: "request accepted", acquire: [...outer, pcpu_lock] };
  const slot = toy.used.indexOf(false);
  if (slot < 0) {
    yield { section: "no free slot, locks dropped", release: [pcpu_lock, ...outer] };
    return "ENOMEM";
  }
  if (!toy.reserveLate) toy.used[slot] = true;
  yield { section: `slot ${slot} found, lock dropped`, release: [pcpu_lock] };
  const populate: Boundary = {
    section: `slot ${slot} page populated`,
    sleeps: true,
    acquire: [pcpu_lock],
  };
  yield populate;
  if (toy.reserveLate) toy.used[slot] = true;
  toy.populated[slot] = true;
  yield { section: `slot ${slot} marked, locks dropped`, release: [pcpu_lock, ...outer] };
  return slot;
}

function* freeSections(toy: Toy, slot: number): Operation<Result> {
  yield { section: `free slot ${slot}`, acquire: [pcpu_lock] };
  const ok = toy.used[slot] === true;
  if (ok) toy.used[slot] = false;
  yield {
    section: ok ? `slot ${slot} cleared, lock dropped` : `slot ${slot} not in use, lock dropped`,
    release: [pcpu_lock],
  };
  return ok ? slot : "EINVAL";
}

function newToy(options: Partial<Pick<Toy, "withMutex" | "reserveLate">> = {}): Toy {
  return {
    used: new Array<boolean>(SLOTS).fill(false),
    populated: new Array<boolean>(SLOTS).fill(false),
    withMutex: options.withMutex ?? true,
    reserveLate: options.reserveLate ?? false,
  };
}

/** The sequential interface: the same sections, drained. */
const alloc = (toy: Toy) => drain(allocSections(toy));
const free = (toy: Toy, slot: number) => drain(freeSections(toy, slot));

type Call = { op: "alloc" } | { op: "free"; slot: number };

/** The model: the set of slots in use, the lowest free one handed out. */
const spec: SequentialSpec<readonly boolean[], Call, Result, readonly boolean[]> = {
  init: [true, false, false, false],
  step(used, call) {
    if (call.op === "alloc") {
      const slot = used.indexOf(false);
      if (slot < 0) return { result: "ENOMEM", state: used };
      return { result: slot, state: used.map((u, i) => u || i === slot) };
    }
    if (used[call.slot] !== true) return { result: "EINVAL", state: used };
    return { result: call.slot, state: used.map((u, i) => u && i !== call.slot) };
  },
  final: (model, observed) =>
    JSON.stringify(model) === JSON.stringify(observed)
      ? undefined
      : `slots in use ${JSON.stringify(observed)}, the model ${JSON.stringify(model)}`,
};

function setup(options: Partial<Pick<Toy, "withMutex" | "reserveLate">>) {
  return () => {
    const toy = newToy(options);
    alloc(toy); // slot 0, which T3 frees
    const system: System<Call, Result> = {
      start: (call) => (call.op === "alloc" ? allocSections(toy) : freeSections(toy, call.slot)),
      label: (call) => (call.op === "alloc" ? "alloc" : `free ${call.slot}`),
    };
    return { system, observe: () => [...toy.used] };
  };
}

const threads: ThreadSpec<Call>[] = [
  { name: "T1", calls: [{ op: "alloc" }] },
  { name: "T2", calls: [{ op: "alloc" }] },
  { name: "T3", calls: [{ op: "free", slot: 0 }], atomic: true },
];

describe("a toy allocator written as sections", () => {
  it("runs sequentially by draining the same generators", () => {
    const toy = newToy();
    expect([alloc(toy), alloc(toy), alloc(toy)]).toEqual([0, 1, 2]);
    expect(free(toy, 1)).toBe(1);
    expect(free(toy, 1)).toBe("EINVAL");
    expect([alloc(toy), alloc(toy), alloc(toy)]).toEqual([1, 3, "ENOMEM"]);
    expect(toy.populated).toEqual([true, true, true, true]);
  });

  it("drain rejects a section that releases a lock it does not hold", () => {
    function* bad(): Operation<void> {
      yield { section: "dropping a lock never taken", release: [pcpu_lock] };
    }
    expect(() => drain(bad())).toThrow(LockMisuse);
    expect(() => drain(bad())).toThrow(/releases pcpu_lock, which it does not hold/);
  });

  it("is linearizable interleaved with a free from atomic context", () => {
    const result = checkInterleavings({
      threads,
      setup: setup({}),
      spec,
      seed: 2017,
      numRuns: 300,
    });
    expect(result.lines).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("reserving the slot only after populating hands one slot out twice", () => {
    const result = checkInterleavings({
      threads,
      setup: setup({ withMutex: false, reserveLate: true }),
      spec,
      seed: 2017,
    });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => f.invariant)).toEqual(["linearizability"]);
    const lines = result.lines.join("\n");
    expect(lines).toMatch(
      /T1 alloc: slot (\d) found[\s\S]*T2 alloc: slot \1 found|T2 alloc: slot (\d) found[\s\S]*T1 alloc: slot \2 found/,
    );
    expect(result.schedule?.length).toBeLessThanOrEqual(3);
  });
});
