/**
 * A concurrent round's runs (issue 17, docs/interleavings.md): a set-up run to completion, then
 * threads of calls run interleaved under a schedule, all three drawn by fast-check as one value
 * so that a failure shrinks in all of them at once (fewer set-up allocations, fewer threads and
 * calls, smaller sizes, a schedule closer to the sequential one).
 *
 *   boot ─ set-up: alloc s1 · alloc s2 · … (to completion) ─ concurrently() ─┐
 *     T1 caller   alloc 8 · free #1           ┐                               │
 *     T2 caller   alloc 4096 atomic           ├ interleaved by the schedule ──┘
 *     T3 worker   balance                     ┘
 *
 * A free names a set-up allocation by index (`#1`): the pointer is known once the set-up ran,
 * and each is freed by one call at most. The sequential specification that linearizability
 * holds a run to is the target itself: the same calls drained one after the other on a fresh
 * allocator with the same set-up (results compared by pointer or error code, the final state by
 * its stats and inspect view, the pages held left out: see observeFinal).
 */
import fc from "fast-check";
import type { BootConfig, PercpuAllocator, Ptr } from "../../impl/allocator.ts";
import {
  callLabel,
  drain,
  fs_lock,
  type ConcurrentAllocator,
  type ConcurrentCall,
  type ConcurrentResult,
  type ConcurrentSystem,
} from "../../impl/sections/index.ts";
import type { SequentialSpec, System, ThreadSpec } from "../interleave/index.ts";

/** A call as drawn: a free names a set-up allocation by its index. */
export type DrawnCall =
  | {
      readonly op: "alloc";
      readonly size: number;
      readonly align: number;
      readonly atomic: boolean;
      /** GFP_NOFS, from a caller holding a filesystem's lock. */
      readonly nofs?: boolean;
    }
  | { readonly op: "free"; readonly index: number }
  | { readonly op: "balance" };

export interface Scenario {
  /**
   * Allocations run to completion before the threads start (size, alignment), then the frees
   * of those marked `freed`, in order; the work they schedule stays queued for the worker.
   */
  readonly setup: readonly {
    readonly size: number;
    readonly align: number;
    readonly freed?: boolean;
  }[];
  /** The callers' calls, one list per thread. */
  readonly callers: readonly (readonly DrawnCall[])[];
  /** The balance worker's thread: how many times it runs pcpu_balance_workfn (0: no worker). */
  readonly worker: number;
  /** The schedule: thread choices (properties/interleave/run.ts). */
  readonly schedule: readonly number[];
}

/** The set-up's sizes: small areas, a page, areas of several pages, and a whole 32 KiB unit. */
const SETUP_SIZES = [4, 16, 256, 2048, 4096, 8192, 12288, 16384, 32768] as const;
/** The callers' sizes: within one page, one page, and across pages. */
const CALL_SIZES = [4, 8, 64, 1024, 4096, 6144] as const;
const ALIGNS = [4, 8, 64, 4096] as const;

const drawnCall: fc.Arbitrary<DrawnCall> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        op: fc.constant("alloc" as const),
        size: fc.constantFrom(...CALL_SIZES),
        align: fc.constantFrom(...ALIGNS),
        atomic: fc.boolean(),
        nofs: fc.boolean(),
      },
      { requiredKeys: ["op", "size", "align", "atomic"] },
    ),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("free" as const), index: fc.nat(7) }) },
);

/** Scenarios of at most `maxThreads` threads (2 to 4) and `maxSchedule` choices. */
export function scenarioArbitrary(maxThreads: number, maxSchedule: number): fc.Arbitrary<Scenario> {
  if (!Number.isInteger(maxThreads) || maxThreads < 2 || maxThreads > 4) {
    throw new RangeError(`scenarioArbitrary: expected 2 to 4 threads, got ${maxThreads}`);
  }
  return fc
    .record({
      setup: fc.array(
        fc.record(
          {
            size: fc.constantFrom(...SETUP_SIZES),
            align: fc.constantFrom(4, 4096),
            freed: fc.boolean(),
          },
          { requiredKeys: ["size", "align"] },
        ),
        { maxLength: 6 },
      ),
      callers: fc.array(fc.array(drawnCall, { minLength: 1, maxLength: 2 }), {
        minLength: 1,
        maxLength: maxThreads - 1,
      }),
      worker: fc.nat(1),
      schedule: fc.array(fc.nat(maxThreads - 1), { maxLength: maxSchedule }),
    })
    .filter((s) => s.callers.length + (s.worker > 0 ? 1 : 0) >= 2);
}

/** A scenario made concrete on one target: the threads' calls, pointers resolved. */
export interface Materialized {
  readonly config: BootConfig;
  readonly setup: Scenario["setup"];
  /** The set-up's pointers, in the order made (a failed allocation has none). */
  readonly ptrs: readonly Ptr[];
  readonly threads: readonly ThreadSpec<ConcurrentCall>[];
  readonly schedule: readonly number[];
}

/** A booted allocator with the set-up run, switched to concurrent calls. */
export interface Started {
  readonly allocator: PercpuAllocator;
  readonly system: ConcurrentSystem;
  readonly ptrs: readonly Ptr[];
}

export type ConcurrentTarget = () => PercpuAllocator;

/** Whether an allocator offers the `threads` capability's calls. */
export function isConcurrent(a: PercpuAllocator): a is PercpuAllocator & ConcurrentAllocator {
  return typeof (a as Partial<ConcurrentAllocator>).concurrently === "function";
}

/** Boots a fresh allocator, runs the set-up to completion, and switches it to sections. */
export function start(
  create: ConcurrentTarget,
  config: BootConfig,
  setup: Scenario["setup"],
): Started {
  const allocator = create();
  if (!isConcurrent(allocator)) {
    throw new Error(`${allocator.hello().name}: no concurrent calls (the threads capability)`);
  }
  const booted = allocator.boot(config);
  if (!booted.ok) throw new Error(`boot refused: ${booted.error} ${booted.message}`);
  // Concurrent from the start: the work the set-up schedules is queued for the worker.
  const system = allocator.concurrently();
  const made: { ptr: Ptr; freed: boolean }[] = [];
  for (const { size, align, freed } of setup) {
    const r = allocator.alloc(size, align);
    if (r.ok) made.push({ ptr: r.value, freed: freed === true });
  }
  for (const m of made) if (m.freed) allocator.free(m.ptr);
  return { allocator, system, ptrs: made.filter((m) => !m.freed).map((m) => m.ptr) };
}

/** The scenario's threads on the set-up's live pointers: a free of a missing or freed one is left out. */
export function materialize(
  create: ConcurrentTarget,
  config: BootConfig,
  scenario: Scenario,
): Materialized {
  const { ptrs } = start(create, config, scenario.setup);
  const freed = new Set<number>();
  const resolve = (c: DrawnCall): ConcurrentCall | undefined => {
    // An atomic request is not GFP_NOFS (nofs names a sleepable one).
    if (c.op === "alloc") return c.atomic && c.nofs === true ? { ...c, nofs: false } : c;
    if (c.op !== "free") return c;
    if (ptrs.length === 0) return undefined;
    const i = c.index % ptrs.length;
    if (freed.has(i)) return undefined;
    freed.add(i);
    return { op: "free", ptr: ptrs[i] as Ptr };
  };
  const threads: ThreadSpec<ConcurrentCall>[] = [];
  for (const calls of scenario.callers) {
    const resolved = calls.map(resolve).filter((c): c is ConcurrentCall => c !== undefined);
    if (resolved.length === 0) continue;
    // A caller that only allocates atomically or frees may be in atomic context: it is.
    const atomic = resolved.every((c) => (c.op === "alloc" && c.atomic) || c.op === "free");
    // A GFP_NOFS caller is inside a filesystem: it holds the filesystem's lock throughout.
    const inFs = resolved.some((c) => c.op === "alloc" && c.nofs === true);
    threads.push({
      name: `T${threads.length + 1}`,
      calls: resolved,
      ...(atomic ? { atomic: true } : {}),
      ...(inFs ? { context: [fs_lock] } : {}),
    });
  }
  if (scenario.worker > 0) {
    const calls = Array.from({ length: scenario.worker }, () => ({ op: "balance" as const }));
    threads.push({ name: `T${threads.length + 1}`, calls });
  }
  return { config, setup: scenario.setup, ptrs, threads, schedule: scenario.schedule };
}

/** The interleaved run's system: the calls' sections, labelled as the trace prints them. */
export function systemOf(s: Started): System<ConcurrentCall, ConcurrentResult> {
  return { start: (call) => s.system.start(call), label: callLabel };
}

/**
 * What the final-state check compares: the inspect view (chunks, live objects; no detail) and
 * the stats but for the pages held and the metadata bytes (which grow with the pages
 * populated in bitmap-2017-kernel). They are left out on purpose: the balance worker's
 * populating is best effort and re-reads pcpu_nr_empty_pop_pages each time it retakes
 * pcpu_lock (pcpu_balance_populated's `retry_pop`), so how many pages it leaves populated
 * depends on what ran while it had dropped the lock. A free during its chunk creation leaves
 * a new chunk it then finds no need to fill: a state no order of the two calls makes (the free
 * first makes no chunk; the worker first fills it), and one the kernel accepts.
 */
export function observeFinal(a: PercpuAllocator): string {
  const stats = a.stats();
  const view = a.inspect();
  const s = stats.ok
    ? {
        unit: stats.value.unitBytes,
        vm: stats.value.vmBytes,
      }
    : stats.error;
  // The objects by pointer: the order the calls returned in is not state.
  const objects = view.ok ? [...(view.value.objects ?? [])].sort((x, y) => x.ptr - y.ptr) : [];
  // The chunks by id: the order of the slot lists is not what the comparison is about (see above).
  const blocks = view.ok ? [...view.value.blocks].sort((x, y) => x.id - y.id) : [];
  const v = view.ok ? { blocks, objects } : view.error;
  return JSON.stringify({ stats: s, view: v });
}

/** A result as linearizability compares it: the pointer, or the error code (not its text). */
function resultKey(r: ConcurrentResult): string {
  return r.ok ? `ok ${String(r.value)}` : r.error;
}

/**
 * The sequential specification: the target itself, the calls so far drained one after the other
 * on a fresh allocator with the same set-up (each sequence replayed once, then remembered).
 */
export function sequentialSpec(
  create: ConcurrentTarget,
  m: Materialized,
): SequentialSpec<readonly ConcurrentCall[], ConcurrentCall, ConcurrentResult, string> {
  const replays = new Map<string, { result: ConcurrentResult; final: string }>();
  const replay = (calls: readonly ConcurrentCall[]) => {
    const key = JSON.stringify(calls);
    let r = replays.get(key);
    if (r === undefined) {
      const s = start(create, m.config, m.setup);
      let result: ConcurrentResult = { ok: true, value: undefined };
      for (const c of calls) result = drain(s.system.start(c));
      r = { result, final: observeFinal(s.allocator) };
      replays.set(key, r);
    }
    return r;
  };
  return {
    init: [],
    step(state, call) {
      const calls = [...state, call];
      return { result: replay(calls).result, state: calls };
    },
    key: (state) => JSON.stringify(state),
    same: (a, b) => resultKey(a) === resultKey(b),
    final(state, observed) {
      const expected = replay(state).final;
      return expected === observed
        ? undefined
        : `the state after the run is not the state after that order: ${firstDifference(observed, expected)}`;
    },
  };
}

/** Where two JSON texts first differ, with a little context. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 40);
  return `run …${a.slice(from, i + 40)}… vs order …${b.slice(from, i + 40)}…`;
}
