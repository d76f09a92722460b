/**
 * Replays a counterexample file: its protocol steps on a fresh allocator, or, for a failure
 * judged against the model (refinement), its machine events with the model beside the
 * allocator. Either way the answer is that of `replaySteps`: the violation, the session, and
 * the indices of the file's `commands` that ran.
 */
import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import type { Invariant } from "../invariants/index.ts";
import type { SystemEvent } from "../../model/systemMachine.ts";
import {
  CounterexampleFileError,
  topologyFromJson,
  type CounterexampleFile,
} from "./counterexampleFile.ts";
import { notModelPath, replayEvents } from "./modelCheck.ts";
import { replaySteps, type ReplayResult, type ReplayStepsOptions } from "./replay.ts";
import { ReturnRecorder } from "./replayReturns.ts";

export function replayCounterexample(
  ce: CounterexampleFile,
  target: Target,
  invariant: Invariant,
  onStep?: (index: number, session: Session) => void,
  file?: string,
  options: ReplayStepsOptions = {},
): ReplayResult {
  if (ce.machine_events === undefined) {
    const config = topologyFromJson(ce.topology);
    return replaySteps(target, config, ce.commands, [invariant], onStep, options);
  }
  const events = ce.machine_events as SystemEvent[];
  const why = notModelPath(events);
  if (why !== undefined) {
    throw new CounterexampleFileError(file ?? "counterexample", `field machine_events: ${why}`);
  }
  // An event runs at most one step: the calls between two events are that step's.
  const recorder = options.returns ? new ReturnRecorder() : undefined;
  const returned = new Map<number, string>();
  const note = (session: Session, from: number) => {
    const trace = session.trace;
    for (let i = from; i < trace.length; i++) {
      const answer = recorder?.take(trace[i] as Step, session.allocator);
      if (answer !== undefined) returned.set(i, answer);
    }
    recorder?.reset();
  };
  let seen = 0;
  const r = replayEvents(recorder?.wrap(target) ?? target, events, [invariant], (_, driver) => {
    note(driver.session, seen);
    const trace = driver.session.trace;
    for (; seen < trace.length; seen++) onStep?.(seen, driver.session);
  });
  // The step that broke an invariant never reached the callback.
  if (r.violation !== undefined) note(r.driver.session, seen);
  const ran = r.driver.session.trace.map((_, i) => i);
  return {
    violation: r.violation,
    session: r.driver.session,
    ran,
    ...(recorder !== undefined ? { returned } : {}),
  };
}
