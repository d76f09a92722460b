/**
 * The capability `threads` of a harness as a `ConcurrentSystem` (impl/sections/concurrent.ts),
 * so that properties/interleave's scheduler drives the real code with the same schedules as
 * the models: each call is one harness thread (`thread_start`), each `next()` of its operation
 * one `thread_step`, and each answer a `Boundary`.
 *
 *   start({ op: "alloc", size: 8, ... })  ── thread_start 1 alloc ──  (the thread has not run)
 *   next()  ── thread_step 1 ──>  { section, release, acquire, reads, writes, sleeps }
 *   …
 *   next()  ── thread_step 1 ──>  done: the last section (yielded if it did anything but
 *                                 return), then the call's result
 *
 * The harness yields just before a thread takes a lock (`acquire`: the scheduler takes it
 * before it runs the next section, and skips the thread while another holds it) and just after
 * it drops one (`release`), so the scheduler's locks and the harness's agree at every step; a
 * step the harness refuses (the thread waits for a lock the scheduler thought free) is thrown,
 * which runInterleaved reports as an `oops` finding naming the answer.
 */
import type { Ptr } from "../allocator.ts";
import { err, ok } from "../result.ts";
import {
  pcpu_alloc_mutex,
  pcpu_lock,
  type Boundary,
  type ConcurrentCall,
  type ConcurrentResult,
  type ConcurrentSystem,
  type Lock,
  type Operation,
  type SharedField,
} from "../sections/index.ts";
import type { ExternalAllocator } from "./externalAllocator.ts";
import { threadStepAnswer } from "./protocolSchemas.ts";

/** The harness's threads: a call runs on the lowest free one. */
export const HARNESS_THREADS = 4;

/** The fields whose accesses the harness reports (its stubs route every use of the name). */
export const HARNESS_SHARED: readonly SharedField[] = [
  { field: "pcpu_nr_empty_pop_pages", protectedBy: pcpu_lock },
];

const LOCKS: ReadonlyMap<string, Lock> = new Map([
  [pcpu_alloc_mutex.name, pcpu_alloc_mutex],
  [pcpu_lock.name, pcpu_lock],
]);

function locks(names: readonly string[], where: string): readonly Lock[] {
  return names.map((name) => {
    const lock = LOCKS.get(name);
    if (lock === undefined) {
      throw new Error(
        `${where}: the harness names the lock ${name}; expected pcpu_alloc_mutex or pcpu_lock`,
      );
    }
    return lock;
  });
}

/** The call as thread_start's fields. */
function startFields(call: ConcurrentCall): Record<string, unknown> {
  switch (call.op) {
    case "alloc":
      return {
        call: "alloc",
        size: call.size,
        align: call.align,
        ...(call.atomic ? { atomic: true } : {}),
      };
    case "free":
      return { call: "free", ptr: `0x${call.ptr.toString(16)}` };
    case "balance":
      return { call: "balance" };
  }
}

export interface HarnessThreadsOptions {
  /**
   * Threads also stop before each allocation that may sleep (thread_start's `sleep_points`):
   * where the kernel may schedule inside a lock-free stretch, such as between the page
   * allocations of pcpu_populate_chunk. Off, the sections are the stretches between locks.
   */
  readonly sleepPoints?: boolean;
}

/**
 * The harness behind `allocator` (booted, the set-up's calls done) as a ConcurrentSystem;
 * an Error where its hello did not offer `threads`.
 */
export function harnessThreads(
  allocator: ExternalAllocator,
  options: HarnessThreadsOptions = {},
): ConcurrentSystem {
  if (!allocator.hello().capabilities.includes("threads")) {
    throw new Error(
      `harnessThreads: the harness does not offer threads (not in its hello capabilities: ${allocator.hello().capabilities.join(", ")})`,
    );
  }
  const busy = new Set<number>();

  function* operation(call: ConcurrentCall): Operation<ConcurrentResult> {
    let thread = 1;
    while (busy.has(thread)) thread++;
    if (thread > HARNESS_THREADS) {
      throw new Error(
        `harnessThreads: a ${HARNESS_THREADS + 1}th call at once; the harness runs at most ${HARNESS_THREADS} threads`,
      );
    }
    busy.add(thread);
    try {
      const started = allocator.threadRequest(
        "thread_start",
        { thread, ...startFields(call), ...(options.sleepPoints ? { sleep_points: true } : {}) },
        undefined,
      );
      // A refused start (a free of a pointer never handed out): the call's one section's error.
      if (!started.ok) return started;
      for (;;) {
        const stepped = allocator.threadRequest("thread_step", { thread }, threadStepAnswer);
        if (!stepped.ok) {
          throw new Error(`thread_step ${thread}: ${stepped.error} ${stepped.message}`);
        }
        const a = stepped.value;
        const where = `thread ${thread}: "${a.section}"`;
        const boundary: Boundary = {
          section: a.section,
          ...(a.release.length > 0 ? { release: locks(a.release, where) } : {}),
          ...(a.acquire.length > 0 ? { acquire: locks(a.acquire, where) } : {}),
          ...(a.sleeps ? { sleeps: true } : {}),
          ...(a.reads.length > 0 ? { reads: a.reads } : {}),
          ...(a.writes.length > 0 ? { writes: a.writes } : {}),
        };
        if (a.state === "boundary") {
          yield boundary;
          continue;
        }
        // The last section ran before the harness answered done: it is a section of its own
        // (its accesses judged with the locks then held) unless it only returned.
        if (!a.section.startsWith("returned")) yield boundary;
        const r = a.result;
        if (!r.ok) return err(r.error, r.message);
        if (call.op !== "alloc") return ok(undefined);
        if (r.ptr === undefined) {
          throw new Error(`${where}: an allocation done without its ptr`);
        }
        const ptr: Ptr = Number(BigInt(r.ptr));
        return ok(ptr);
      }
    } finally {
      busy.delete(thread);
    }
  }

  return { start: (call) => operation(call), shared: HARNESS_SHARED };
}
