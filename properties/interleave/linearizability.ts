/**
 * linearizability: a concurrent run's results are explained by some sequential order of the
 * same calls that respects their real-time order (a call that returned before another was
 * invoked comes first), run on a sequential specification, and the specification's final state
 * agrees with the system's. The search is Wing & Gong's, with the memo of Lowe's "Testing for
 * linearizability" (2017) and qcheck-lin: a (set of calls linearized, state) pair seen once and
 * failed is not searched again.
 *
 *   T1 ├──incr→1──┤
 *   T2      ├──incr→1──┤      no order of two increments from 0 returns 1 twice
 */
import { show, type CallRecord } from "./run.ts";

/** A pure sequential model: state → call → (result, state). */
export interface SequentialSpec<S, C, R, O = unknown> {
  readonly init: S;
  step(state: S, call: C): { readonly result: R; readonly state: S };
  /** A key for the memo: equal states, equal keys (JSON of the state when absent). */
  key?(state: S): string;
  /** Whether the system's result matches the model's (JSON equality when absent). */
  same?(actual: R, expected: R): boolean;
  /**
   * The final-state check: a message when the model's final state disagrees with what was
   * observed of the system's at the end of the run.
   */
  final?(state: S, observed: O): string | undefined;
}

export type Linearization<C, R> =
  | { readonly ok: true; readonly order: readonly CallRecord<C, R>[] }
  | { readonly ok: false; readonly explanation: string };

/**
 * Decides whether the completed calls of a run are linearizable; a pending call (a run that
 * did not finish) is rejected before any search, since its result is unknown.
 */
export function checkLinearizable<S, C, R, O>(
  calls: readonly CallRecord<C, R>[],
  spec: SequentialSpec<S, C, R, O>,
  observed?: O,
): Linearization<C, R> {
  const pending = calls.find((c) => c.response === undefined);
  if (pending !== undefined) {
    throw new Error(
      `checkLinearizable: call ${pending.thread} ${pending.label} has not returned; expected a completed run`,
    );
  }
  const n = calls.length;
  const key = spec.key ?? ((s: S) => JSON.stringify(s));
  const same = spec.same ?? ((a: R, b: R) => JSON.stringify(a) === JSON.stringify(b));
  const failed = new Set<string>();
  const done = new Array<boolean>(n).fill(false);
  const order: CallRecord<C, R>[] = [];
  // The deepest point the search reached, for the explanation.
  let best: { prefix: CallRecord<C, R>[]; why: string[] } = { prefix: [], why: [] };

  const search = (state: S): boolean => {
    if (order.length === n) {
      const wrong = spec.final?.(state, observed as O);
      if (wrong === undefined) return true;
      note([`final state: ${wrong}`]);
      return false;
    }
    const memo = `${done.map((d) => (d ? 1 : 0)).join("")}|${key(state)}`;
    if (failed.has(memo)) return false;
    // A call may go next if no call still to be placed returned before it was invoked.
    let firstResponse = Infinity;
    for (let i = 0; i < n; i++) {
      if (!done[i])
        firstResponse = Math.min(firstResponse, (calls[i] as CallRecord<C, R>).response as number);
    }
    const why: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = calls[i] as CallRecord<C, R>;
      if (done[i] || c.invoke > firstResponse) continue;
      const next = spec.step(state, c.call);
      if (!same(c.result as R, next.result)) {
        why.push(
          `${c.thread} ${c.label} returned ${show(c.result)}, the model says ${show(next.result)}`,
        );
        continue;
      }
      done[i] = true;
      order.push(c);
      if (search(next.state)) return true;
      order.pop();
      done[i] = false;
    }
    note(why);
    failed.add(memo);
    return false;
  };
  const note = (why: string[]) => {
    if (
      order.length > best.prefix.length ||
      (order.length === best.prefix.length && best.why.length === 0)
    ) {
      best = { prefix: [...order], why };
    }
  };

  if (search(spec.init)) return { ok: true, order: [...order] };
  const prefix =
    best.prefix.length === 0
      ? "from the initial state"
      : `after ${best.prefix.map((c) => `${c.thread} ${c.label} → ${show(c.result)}`).join(", ")}`;
  const detail = best.why.length === 0 ? "no call may go next" : best.why.join("; ");
  return {
    ok: false,
    explanation: `no sequential order explains the results: ${prefix}, ${detail}`,
  };
}
