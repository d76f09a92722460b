/**
 * Replays a counterexample file: its protocol steps on a fresh allocator, or, for a failure
 * judged against the model (refinement), its machine events with the model beside the
 * allocator; for a failure judged on churn rounds (utilization-after-churn), its workload, on
 * a session of no steps. Either way the answer is that of `replaySteps`: the violation, the session, and
 * the indices of the file's `commands` that ran.
 */
import type { Session } from "../engine/session.ts";
import type { Target } from "../engine/target.ts";
import { findInvariant, runChurn, type Invariant } from "../invariants/index.ts";
import { Violation } from "../engine/violation.ts";
import type { SystemEvent } from "../../model/systemMachine.ts";
import {
  CounterexampleFileError,
  topologyFromJson,
  type CounterexampleFile,
} from "./counterexampleFile.ts";
import { notModelPath, replayEvents } from "./modelCheck.ts";
import { replaySteps, type ReplayResult } from "./replay.ts";

export function replayCounterexample(
  ce: CounterexampleFile,
  target: Target,
  invariant: Invariant,
  onStep?: (index: number, session: Session) => void,
  file?: string,
): ReplayResult {
  if (ce.churn !== undefined) {
    const outcome = runChurn(target, ce.churn.workload, ce.churn.threshold);
    const empty = replaySteps(target, topologyFromJson(ce.topology), [], []);
    const broken = outcome.violation;
    return {
      ...empty,
      violation:
        broken === undefined ? undefined : new Violation(invariant.id, broken, -1, undefined),
    };
  }
  if (ce.machine_events === undefined) {
    const config = topologyFromJson(ce.topology);
    const observers = (ce.observers ?? []).map((id) => {
      const inv = findInvariant(id);
      if (inv === undefined)
        throw new CounterexampleFileError(
          file ?? "counterexample",
          `field observers: no invariant ${id}`,
        );
      return inv;
    });
    return replaySteps(target, config, ce.commands, [invariant, ...observers], onStep);
  }
  const events = ce.machine_events as SystemEvent[];
  const why = notModelPath(events);
  if (why !== undefined) {
    throw new CounterexampleFileError(file ?? "counterexample", `field machine_events: ${why}`);
  }
  let seen = 0;
  const r = replayEvents(target, events, [invariant], (_, driver) => {
    const trace = driver.session.trace;
    for (; seen < trace.length; seen++) onStep?.(seen, driver.session);
  });
  const session = r.driver.session;
  // Every step of the trace ran: its index is its own.
  const ran = session.trace.map((_, i) => i);
  return { violation: r.violation, session, ran, returned: session.returnedByStep() };
}
