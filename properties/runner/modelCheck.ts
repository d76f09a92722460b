/**
 * The model-driven part of a check: the system machine's shortest paths and transition tour,
 * then long random runs over its events, against one target. Each failure is made minimal: a
 * refinement failure as a list of machine events (it needs the model beside the allocator to
 * be judged), any other as protocol steps like the random rounds' counterexamples.
 */
import type { SystemEvent } from "../../model/systemMachine.ts";
import { systemTestModel } from "../../model/systemGraph.ts";
import { transition } from "xstate";
import { INITIAL_SYSTEM, systemEvents, systemMachine } from "../../model/systemMachine.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import type { Invariant } from "../invariants/index.ts";
import { minimizeSteps } from "./minimize.ts";
import {
  CoverageCounter,
  ModelDriver,
  modelWalks,
  runModelPaths,
  runModelRandom,
  SCOPE_CONFIG,
  type ModelCoverage,
  type ModelFinding,
} from "./modelPaths.ts";
import { replaySteps } from "./replay.ts";

export interface ModelCounterexample {
  readonly invariant: string;
  readonly message: string;
  readonly steps: readonly Step[];
  /** The machine events, for a failure that needs the model to be judged (refinement). */
  readonly events: readonly SystemEvent[] | undefined;
}

export interface ModelCheckReport {
  readonly failures: ReadonlyMap<string, ModelCounterexample>;
  readonly coverage: ModelCoverage;
  readonly commands: number;
  /** A time limit ended the round before every path and run: what passed is not judged whole. */
  readonly interrupted?: true;
}

/**
 * Replays machine events on a fresh session; an event the machine does not offer in the
 * current state is skipped (as a removed allocation takes its free with it). The list is first
 * checked against the model with xstate/graph's getPathsFromEvents.
 */
export function replayEvents(
  target: Target,
  events: readonly SystemEvent[],
  invariants: readonly Invariant[],
  onEvent?: (index: number, driver: ModelDriver) => void,
): { violation: Violation | undefined; driver: ModelDriver; ran: SystemEvent[] } {
  const driver = new ModelDriver(target, invariants);
  const ran: SystemEvent[] = [];
  try {
    events.forEach((event, i) => {
      const offered = systemEvents(driver.context).some(
        (e) => JSON.stringify(e) === JSON.stringify(event),
      );
      if (!offered || !driver.session.running) return;
      ran.push(event);
      driver.run(event);
      onEvent?.(i, driver);
    });
    driver.session.finish();
  } catch (e) {
    if (!(e instanceof Violation)) throw e;
    return { violation: e, driver, ran };
  }
  return { violation: undefined, driver, ran };
}

/**
 * Why the events are not a path of the model, or undefined if they are: each must be one the
 * machine offers in the state it meets (`systemEvents`, walked with xstate's `transition`), and
 * xstate/graph's getPathsFromEvents must find the path over the model's own graph.
 */
export function notModelPath(events: readonly SystemEvent[]): string | undefined {
  let snapshot = systemMachine.resolveState({ value: "running", context: INITIAL_SYSTEM });
  for (let i = 0; i < events.length; i++) {
    const key = JSON.stringify(events[i]);
    if (!systemEvents(snapshot.context).some((e) => JSON.stringify(e) === key)) {
      return `event ${i} (${key}) is not offered in the state it meets`;
    }
    [snapshot] = transition(systemMachine, snapshot, events[i] as SystemEvent);
  }
  const paths = systemTestModel().getPathsFromEvents([...events], {
    filterEvents: (state, event) =>
      systemEvents(state.context).some((e) => JSON.stringify(e) === JSON.stringify(event)),
  });
  return paths.length > 0 ? undefined : "getPathsFromEvents found no path";
}

/** Delta debugging over events: drop chunks, then single events, while the violation stays. */
export function minimizeEvents(
  target: Target,
  events: readonly SystemEvent[],
  invariant: Invariant,
): SystemEvent[] {
  const fails = (list: readonly SystemEvent[]) => {
    const r = replayEvents(target, list, [invariant]);
    return r.violation?.invariant === invariant.id ? r.ran : undefined;
  };
  let current = fails(events) ?? [...events];
  for (let chunk = Math.max(1, current.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let removed = true; removed;) {
      removed = false;
      for (let at = 0; at < current.length; at += chunk) {
        const candidate = [...current.slice(0, at), ...current.slice(at + chunk)];
        const ran = fails(candidate);
        if (ran !== undefined) {
          current = ran;
          removed = true;
          break;
        }
      }
    }
  }
  return current;
}

function toCounterexample(
  target: Target,
  finding: ModelFinding,
  invariant: Invariant,
): ModelCounterexample {
  if (invariant.id === "refinement") {
    const events = minimizeEvents(target, finding.events, invariant);
    const again = replayEvents(target, events, [invariant]);
    return {
      invariant: invariant.id,
      message: again.violation?.detail ?? finding.violation.detail,
      steps: again.driver.session.trace,
      events,
    };
  }
  const steps = minimizeSteps(target, SCOPE_CONFIG, finding.steps, invariant);
  const again = replaySteps(target, SCOPE_CONFIG, steps, [invariant]);
  return {
    invariant: invariant.id,
    message: again.violation?.detail ?? finding.violation.detail,
    steps,
    events: undefined,
  };
}

/**
 * Runs the model's paths, then random runs over its events, judging `enabled`. A failing
 * invariant is recorded and set aside; the runs go on with the rest.
 */
export function checkModel(
  target: Target,
  enabled: readonly Invariant[],
  settings: { seed: number; runs: number; deadline?: number },
): ModelCheckReport {
  const failures = new Map<string, ModelCounterexample>();
  let remaining = [...enabled];
  let commands = 0;
  let coverage: ModelCoverage | undefined;
  let interrupted = false;
  const record = (finding: ModelFinding) => {
    const inv = remaining.find((i) => i.id === finding.violation.invariant) as Invariant;
    failures.set(inv.id, toCounterexample(target, finding, inv));
    remaining = remaining.filter((i) => i !== inv);
  };
  while (remaining.length > 0) {
    const r = runModelPaths(target, remaining, settings.deadline);
    commands += r.commands;
    // A round that stopped at a failure covered only part of the paths; a later full round
    // (with that invariant set aside) reports the whole.
    coverage = r.coverage;
    if (r.interrupted) interrupted = true;
    if (r.finding === undefined) break;
    record(r.finding);
  }
  coverage ??= new CoverageCounter(modelWalks().graph).coverage();
  while (remaining.length > 0 && !interrupted) {
    const r = runModelRandom(target, remaining, {
      seed: settings.seed,
      runs: settings.runs,
      maxCommands: 150,
      ...(settings.deadline !== undefined ? { deadline: settings.deadline } : {}),
    });
    commands += r.commands;
    if (r.interrupted) interrupted = true;
    if (r.finding === undefined) break;
    record(r.finding);
  }
  return { failures, coverage, commands, ...(interrupted ? { interrupted: true } : {}) };
}
