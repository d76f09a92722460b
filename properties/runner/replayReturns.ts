/**
 * What each step of a replay returned, as the kernel would print it: the pointer of an
 * allocation or of per_cpu_ptr (`0x200000000000`), `0` for a call that succeeds with no value,
 * the negated error code of a refusal (`-ENOMEM`, `-EINVAL`, `-EFAULT`).
 *
 * The session keeps no answers (its log has the error code only, and no entry for the step that
 * broke an invariant), so the replay records them where they are made: a target whose
 * allocators note the answer of each call a step makes. Only a replay asks for this; checks and
 * minimisation run on the target as it is.
 */
import { formatAddr, type PercpuAllocator, type Result } from "../../impl/index.ts";
import { describeValue, type Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";

type Method = keyof PercpuAllocator;

/** The allocator calls that carry a step's answer, by op (the first one made is the answer). */
const ANSWERED_BY: Readonly<Record<Step["op"], readonly Method[]>> = {
  alloc: ["alloc"],
  free: ["free"],
  // A write to an object's copy asks per_cpu_ptr first: if that fails, its answer is the step's.
  write: ["write", "ptr"],
  ptr: ["ptr"],
  read: ["read", "ptr"],
  cpu_add: ["cpuAdd"],
  cpu_remove: ["cpuRemove"],
  cpu_up: ["cpuUp"],
  cpu_down: ["cpuDown"],
  fail_page_alloc: ["failPageAlloc"],
  reclaim: ["reclaim"],
};

const RECORDED: ReadonlySet<string> = new Set(Object.values(ANSWERED_BY).flat());

type Answer = { readonly result: Result<unknown> } | { readonly threw: unknown };

interface Call {
  readonly method: Method;
  readonly answer: Answer;
}

/**
 * A result as the kernel would print it; the value as the step's op prints it (the session's
 * log uses the same `describeValue`), an address when the answer is per_cpu_ptr's.
 */
export function formatReturned(result: Result<unknown>, step?: Step, method?: Method): string {
  if (!result.ok) return `-${result.error}`;
  if (step !== undefined && method !== "ptr") return describeValue(step, result.value);
  return typeof result.value === "number" ? formatAddr(result.value) : "0";
}

function formatAnswer(answer: Answer, step: Step, method: Method): string {
  if ("result" in answer) return formatReturned(answer.result, step, method);
  const e = answer.threw;
  return `raised ${e instanceof Error ? e.name : "an exception"}`;
}

/**
 * Wraps a target so that its allocators record what each call answered. Call `reset` before a
 * step and `take` after it.
 */
export class ReturnRecorder {
  private readonly calls = new Map<PercpuAllocator, Call[]>();

  /** The target, with allocators that record their answers (everything else is the target's). */
  wrap(target: Target): Target {
    return Object.create(target, {
      create: { value: () => this.recording(target.create()) },
    }) as Target;
  }

  private recording(allocator: PercpuAllocator): PercpuAllocator {
    const calls: Call[] = [];
    const proxy = new Proxy(allocator, {
      get: (inner, prop) => {
        const value: unknown = Reflect.get(inner, prop, inner);
        if (typeof value !== "function") return value;
        const fn = value as (...args: unknown[]) => unknown;
        if (typeof prop !== "string" || !RECORDED.has(prop)) return fn.bind(inner);
        const method = prop as Method;
        return (...args: unknown[]) => {
          try {
            const result = fn.apply(inner, args) as Result<unknown>;
            calls.push({ method, answer: { result } });
            return result;
          } catch (e) {
            calls.push({ method, answer: { threw: e } });
            throw e;
          }
        };
      },
    });
    this.calls.set(proxy, calls);
    return proxy;
  }

  /** Forgets the calls made so far: the next step's are the ones `take` reads. */
  reset(): void {
    for (const calls of this.calls.values()) calls.length = 0;
  }

  /**
   * What `step` returned on `allocator` (the session's own, not its twin), from the calls since
   * the last `reset`; undefined if it made no call that answers it.
   */
  take(step: Step, allocator: PercpuAllocator): string | undefined {
    const calls = this.calls.get(allocator) ?? [];
    for (const method of ANSWERED_BY[step.op]) {
      const call = calls.find((c) => c.method === method);
      if (call !== undefined) return formatAnswer(call.answer, step, method);
    }
    return undefined;
  }
}
