/**
 * Runs threads of atomic sections under a schedule. The schedule is any array of numbers: at each
 * point the next choice, taken modulo the number of threads, names the thread to run; a choice
 * of a thread that waits for a lock or has finished goes to the next runnable thread after it
 * (cyclically), and once the array is used up the lowest runnable thread runs. So every array
 * is a valid schedule, the empty one runs the threads one after the other, and shrinking an array
 * moves the run towards the sequential one.
 *
 *   schedule [1, 0, 1]   T2 s1 │ T1 s1 │ T2 s2 │ T1 s2 … (then lowest runnable first)
 *
 * Locks are enforced: a thread whose next section needs a lock another thread holds is skipped;
 * when every unfinished thread waits, the run ends with a deadlock finding.
 */
import {
  excludes,
  sectionText,
  type Boundary,
  type Lock,
  type Operation,
} from "../../impl/sections/index.ts";
import { findRaces, type Access, type SharedField } from "./races.ts";
import type { Finding } from "./finding.ts";

export interface ThreadSpec<C> {
  /** As the trace prints it: "T1". */
  readonly name: string;
  /** The calls the thread makes, one after the other. */
  readonly calls: readonly C[];
  /**
   * Locks the caller holds for the whole thread (a filesystem's lock, fs_reclaim for a thread
   * in reclaim): they exclude nothing here and only feed the lock order.
   */
  readonly context?: readonly Lock[];
  /** The caller is in atomic context (GFP_ATOMIC, a free from an interrupt): it may not sleep. */
  readonly atomic?: boolean;
}

/** The system under test: how a call starts as sections on the shared state. */
export interface System<C, R> {
  start(call: C): Operation<R>;
  /** The call's name in the trace ("alloc 8"). */
  label(call: C): string;
}

export interface RunOptions<C, R> {
  readonly threads: readonly ThreadSpec<C>[];
  readonly system: System<C, R>;
  readonly schedule: readonly number[];
  /** Shared fields and the lock that protects each, for the data-race check. */
  readonly shared?: readonly SharedField[];
  /** Sections after which a run that has not finished is a progress finding (a livelock). */
  readonly maxSteps?: number;
  /** Invariants judged between sections, where no thread holds their locks. */
  readonly points?: readonly PointInvariant[];
}

/**
 * An invariant judged on the shared state between sections: after every section at which no
 * thread holds any of `unlessHeld` (pcpu_lock for the structural invariants, which hold only
 * outside it; none for state read without the lock, which must be consistent everywhere).
 */
export interface PointInvariant {
  readonly id: string;
  readonly unlessHeld: readonly Lock[];
  /** The violation as a message, or undefined. */
  check(): string | undefined;
}

export interface CallRecord<C, R> {
  readonly id: number;
  readonly thread: string;
  readonly call: C;
  readonly label: string;
  /** The step at which its first section ran. */
  readonly invoke: number;
  /** The step at which it returned; undefined while pending. */
  response?: number;
  result?: R;
}

export interface TraceLine {
  readonly step: number;
  readonly thread: string;
  readonly label: string;
  readonly section: string;
}

/** "B taken while A held", with where it happened. */
export interface LockEdge {
  readonly from: string;
  readonly to: string;
  readonly where: string;
}

export interface Run<C, R> {
  readonly trace: readonly TraceLine[];
  readonly calls: readonly CallRecord<C, R>[];
  readonly accesses: readonly Access[];
  readonly edges: readonly LockEdge[];
  readonly findings: readonly Finding[];
  /** Every call returned. */
  readonly completed: boolean;
  /** The thread index that ran at each step: the schedule as interpreted. */
  readonly ran: readonly number[];
}

interface ThreadState<C, R> {
  readonly spec: ThreadSpec<C>;
  next: number;
  op?: Operation<R>;
  record?: CallRecord<C, R>;
  pending: readonly Lock[];
  /** Locks held, context first, in the order taken. */
  held: Lock[];
  last: string;
  done: boolean;
}

const DEFAULT_MAX_STEPS = 10_000;

/** Runs the threads under the schedule; deterministic for the same system, threads and schedule. */
export function runInterleaved<C, R>(options: RunOptions<C, R>): Run<C, R> {
  const { system, schedule } = options;
  if (options.threads.length === 0) throw new Error("runInterleaved: expected at least one thread");
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const threads: ThreadState<C, R>[] = options.threads.map((spec) => ({
    spec,
    next: 0,
    pending: [],
    held: [...(spec.context ?? [])],
    last: "start",
    done: spec.calls.length === 0,
  }));
  const holder = new Map<string, ThreadState<C, R>>();
  const trace: TraceLine[] = [];
  const calls: CallRecord<C, R>[] = [];
  const accesses: Access[] = [];
  const edges: LockEdge[] = [];
  const findings: Finding[] = [];
  const ran: number[] = [];
  let stopped = false;

  const who = (t: ThreadState<C, R>) => `${t.spec.name} ${t.record?.label ?? "(idle)"}`;
  const runnable = (t: ThreadState<C, R>) =>
    !t.done && t.pending.every((l) => !excludes(l) || !holder.has(l.name));
  const inAtomic = (t: ThreadState<C, R>) =>
    t.spec.atomic === true || t.held.some((l) => l.kind === "spinlock");

  const take = (t: ThreadState<C, R>, lock: Lock, step: number) => {
    if (lock.kind === "mutex" && inAtomic(t)) {
      findings.push({
        invariant: "sleep-in-atomic",
        message: `${who(t)} takes the mutex ${lock.name} in atomic context (holding ${names(t.held)}), after "${t.last}"`,
      });
    }
    for (const h of t.held) {
      edges.push({
        from: h.name,
        to: lock.name,
        where: `step ${step}: ${who(t)} takes ${lock.name} holding ${h.name}, after "${t.last}"`,
      });
    }
  };

  const judgePoint = (step: number): boolean => {
    for (const p of options.points ?? []) {
      if (p.unlessHeld.some((l) => threads.some((t) => t.held.some((h) => h.name === l.name)))) {
        continue;
      }
      const wrong = p.check();
      if (wrong === undefined) continue;
      const line = trace[trace.length - 1];
      const after = line ? `${line.thread} ${line.label}: ${line.section}` : "start";
      findings.push({ invariant: p.id, message: `after step ${step} (${after}): ${wrong}` });
      return true;
    }
    return false;
  };

  for (let step = 0; !stopped && threads.some((t) => !t.done); step++) {
    if (step >= maxSteps) {
      findings.push({
        invariant: "progress",
        message: `the threads had not finished after ${maxSteps} sections (a livelock?)`,
      });
      break;
    }
    const index = pick(threads, schedule[step] ?? 0, runnable);
    if (index === undefined) {
      const waits = threads
        .filter((t) => !t.done)
        .map((t) => {
          const lock = t.pending.find((l) => excludes(l) && holder.has(l.name));
          const by = lock ? holder.get(lock.name)?.spec.name : undefined;
          return `${who(t)} waits for ${lock?.name} (held by ${by}) after "${t.last}"`;
        });
      findings.push({ invariant: "deadlock", message: `every thread waits: ${waits.join("; ")}` });
      break;
    }
    const t = threads[index] as ThreadState<C, R>;
    ran.push(index);
    for (const lock of t.pending) {
      take(t, lock, step);
      t.held.push(lock);
      if (excludes(lock)) holder.set(lock.name, t);
    }
    t.pending = [];
    if (t.op === undefined || t.record === undefined) {
      const call = t.spec.calls[t.next] as C;
      t.record = {
        id: calls.length,
        thread: t.spec.name,
        call,
        label: system.label(call),
        invoke: step,
      };
      calls.push(t.record);
      t.op = system.start(call);
    }
    const record = t.record;
    let result: IteratorResult<Boundary, R>;
    try {
      result = t.op.next();
    } catch (error) {
      findings.push({
        invariant: "oops",
        message: `${who(t)} threw after "${t.last}": ${error instanceof Error ? error.message : String(error)}`,
      });
      trace.push({ step, thread: t.spec.name, label: record.label, section: "oops" });
      break;
    }
    if (result.done) {
      record.response = step;
      record.result = result.value;
      trace.push({
        step,
        thread: t.spec.name,
        label: record.label,
        section: `returned ${show(result.value)}`,
      });
      const context = new Set((t.spec.context ?? []).map((l) => l.name));
      const kept = t.held.filter((l) => !context.has(l.name));
      if (kept.length > 0) {
        findings.push({
          invariant: "lock-misuse",
          message: `${who(t)} returned holding ${names(kept)}`,
        });
        stopped = true;
      }
      t.op = undefined;
      t.record = undefined;
      t.last = "start";
      t.next++;
      t.done = t.next >= t.spec.calls.length;
    } else {
      const b = result.value;
      const section = sectionText(b);
      trace.push({ step, thread: t.spec.name, label: record.label, section });
      const lockset = t.held.filter(excludes).map((l) => l.name);
      for (const field of b.reads ?? []) {
        accesses.push({
          step,
          thread: t.spec.name,
          section: `${record.label}: ${section}`,
          field,
          write: false,
          held: lockset,
        });
      }
      for (const field of b.writes ?? []) {
        accesses.push({
          step,
          thread: t.spec.name,
          section: `${record.label}: ${section}`,
          field,
          write: true,
          held: lockset,
        });
      }
      t.last = section;
      if (b.sleeps === true && inAtomic(t)) {
        findings.push({
          invariant: "sleep-in-atomic",
          message: `${who(t)} sleeps in atomic context (holding ${names(t.held)}): "${section}"`,
        });
      }
      for (const lock of b.touch ?? []) take(t, lock, step);
      for (const lock of b.release ?? []) {
        const at = t.held.findIndex((l) => l.name === lock.name);
        if (at < 0) {
          const by = holder.get(lock.name)?.spec.name;
          findings.push({
            invariant: "lock-misuse",
            message: `${who(t)} releases ${lock.name}, which it does not hold (${by ? `held by ${by}` : "held by no one"}): "${section}"`,
          });
          stopped = true;
          break;
        }
        t.held.splice(at, 1);
        if (holder.get(lock.name) === t) holder.delete(lock.name);
      }
      for (const lock of b.acquire ?? []) {
        if (excludes(lock) && holder.get(lock.name) === t) {
          findings.push({
            invariant: "deadlock",
            message: `${who(t)} takes ${lock.name} again while holding it (recursive locking): "${section}"`,
          });
          stopped = true;
        }
      }
      t.pending = b.acquire ?? [];
    }
    if (!stopped) stopped = judgePoint(step);
  }
  if (options.shared !== undefined) findings.push(...findRaces(accesses, options.shared));
  return {
    trace,
    calls,
    accesses,
    edges,
    findings,
    completed:
      calls.length === totalCalls(options.threads) && calls.every((c) => c.response !== undefined),
    ran,
  };
}

function pick<T>(
  threads: readonly T[],
  choice: number,
  runnable: (t: T) => boolean,
): number | undefined {
  const n = threads.length;
  const start = ((Math.trunc(choice) % n) + n) % n;
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (runnable(threads[i] as T)) return i;
  }
  return undefined;
}

function totalCalls<C>(threads: readonly ThreadSpec<C>[]): number {
  return threads.reduce((sum, t) => sum + t.calls.length, 0);
}

function names(locks: readonly Lock[]): string {
  return locks.length === 0 ? "nothing" : locks.map((l) => l.name).join(", ");
}

/** A result as the trace prints it. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return `0x${value.toString(16)}`;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The trace as lines: "T1 incr: read 0, lock dropped". */
export function formatTrace(run: Pick<Run<unknown, unknown>, "trace">): string[] {
  return run.trace.map((l) => `${l.thread} ${l.label}: ${l.section}`);
}
