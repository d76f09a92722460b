/**
 * Model-driven runs: the system machine's events run against a target, with every invariant
 * and refinement judged after each. The machine is advanced with xstate's pure `transition`;
 * each event becomes a protocol step (`ModelDriver.toStep`), and the machine's abstract state
 * is what refinement compares the implementation with.
 *
 *   machine event ──transition──> next snapshot ──abstractState──> session.machineState
 *        └──toStep──> protocol step ──session.execute──> invariants (refinement among them)
 *
 * Three sources of event sequences: the shortest paths to every state (createTestModel), a
 * transition tour that takes every transition, and long random runs (fast-check) whose model is
 * the machine itself. Coverage of states, transitions, guard outcomes and transition pairs is
 * counted over everything that ran.
 */
import { throwIfStopped } from "../../impl/stop.ts";
import fc from "fast-check";
import type { SnapshotFrom } from "xstate";
import { inertTransition } from "../../model/inertTransition.ts";
import type { BootConfig } from "../../impl/index.ts";
import {
  buildSystemGraph,
  systemTestModel,
  transitionTour,
  type SystemGraph,
} from "../../model/systemGraph.ts";
import {
  abstractState,
  type AbstractState,
  MENU,
  SYSTEM_SCOPE,
  systemEvents,
  systemMachine,
  type BlockKind,
  type SystemContext,
  type SystemEvent,
} from "../../model/systemMachine.ts";
import { OPS } from "../engine/ops/index.ts";
import { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { Violation } from "../engine/violation.ts";
import type { Invariant } from "../invariants/index.ts";
import { WalkMemo } from "./walkMemo.ts";
import {
  CoverageCounter,
  coverageKeys,
  type CoverageKeys,
  type ModelCoverage,
} from "./modelCoverage.ts";

export {
  CoverageCounter,
  guardOutcomes,
  type Fraction,
  type ModelCoverage,
} from "./modelCoverage.ts";

/** The topology of the model's scope, as the implementation boots. */
export const SCOPE_CONFIG: BootConfig = {
  nrCpus: SYSTEM_SCOPE.nrCpus,
  possible: [...SYSTEM_SCOPE.possible],
  present: [...SYSTEM_SCOPE.present],
  online: [...SYSTEM_SCOPE.online],
  cpuToNode: [...SYSTEM_SCOPE.cpuToNode],
  nrNodes: SYSTEM_SCOPE.nrNodes,
  pageSize: 4096,
  vmallocBytes: 2 ** 31,
};

type SystemSnapshot = SnapshotFrom<typeof systemMachine>;

/** The system machine's transition function, on a shared inert scope (model/inertTransition.ts). */
const systemStep = inertTransition(systemMachine);

function initialSnapshot(): SystemSnapshot {
  return systemMachine.resolveState({
    value: "running",
    context: systemMachine.config.context as SystemContext,
  });
}

/** The machine's side of one event: what `ModelDriver.run` computes before the step runs. */
interface Moved {
  readonly next: SystemSnapshot;
  readonly keys: CoverageKeys;
  readonly abstract: AbstractState;
}

type SystemWalkMemo = WalkMemo<SystemSnapshot, SystemEvent, Moved>;

function newWalkMemo(): SystemWalkMemo {
  return new WalkMemo<SystemSnapshot, SystemEvent, Moved>(initialSnapshot(), (before, event) => {
    const next = systemStep(before, event);
    return {
      next,
      keys: coverageKeys(before.context, event, next.context),
      abstract: abstractState(next.context),
    };
  });
}

/** Runs machine events against one fresh session of a target. */
export class ModelDriver {
  readonly session: Session;
  snapshot: SystemSnapshot;
  private previous: number | undefined;
  private readonly coverage: CoverageCounter | undefined;
  /** The machine events run so far. */
  readonly events: SystemEvent[] = [];

  /** `walkMemo`: the machine's side of the walks' events, shared by the targets (walkMemo.ts). */
  constructor(
    target: Target,
    invariants: readonly Invariant[],
    coverage?: CoverageCounter,
    private readonly walkMemo?: SystemWalkMemo,
  ) {
    // Each path and random run starts here: a stop request (impl/stop.ts) ends the model round.
    throwIfStopped();
    this.session = new Session({ target, config: SCOPE_CONFIG, invariants });
    this.snapshot = walkMemo?.initial ?? initialSnapshot();
    this.coverage = coverage;
  }

  get context(): SystemContext {
    return this.snapshot.context;
  }

  /** Advances the machine by `event` and runs the matching step; throws `Violation`. */
  run(event: SystemEvent): void {
    const moved = this.walkMemo?.get(this.snapshot, event);
    const from = this.snapshot.context;
    const next = moved?.next ?? systemStep(this.snapshot, event);
    const step = this.toStep(event);
    this.snapshot = next;
    this.events.push(event);
    if (this.coverage) {
      const keys = moved?.keys ?? coverageKeys(from, event, next.context);
      this.previous = this.coverage.recordKeys(keys, this.previous);
    }
    this.session.machineState = moved?.abstract ?? abstractState(next.context);
    if (step !== undefined) this.session.execute(step);
  }

  /** The protocol step for a machine event: the operation that stands for it makes it. */
  toStep(event: SystemEvent): Step | undefined {
    const op = OPS.find((o) => o.machineEvents?.includes(event.type));
    const view = {
      model: this.session.model,
      objectIn: (k: BlockKind, at?: number) => this.objectIn(k, at),
    };
    return op?.fromMachineEvent?.(event, view);
  }

  /**
   * A live object in a block of this kind: by the implementation's own map of objects to
   * blocks where `inspect` gives one (with `at`, in the at-th block of the kind in the order
   * `inspect` lists them: the list order, where the firstnotfull pointer's place depends on
   * which partial block is freed), else any live object of the kind's size.
   */
  private objectIn(kind: BlockKind, at?: number): string | undefined {
    const live = this.session.model.liveObjects();
    const size = kind === "fullWhole" ? MENU["whole@8"].size : MENU["half@8"].size;
    if (this.session.capabilities.has("inspect")) {
      const view = this.session.allocator.inspect();
      if (view.ok && view.value.objects !== undefined) {
        const kindOf = (b: { state: string; live: number }): BlockKind =>
          b.state === "partial" ? "partial" : b.live === 2 ? "fullHalves" : "fullWhole";
        const ofKind = view.value.blocks.filter((b) => kindOf(b) === kind);
        const chosen = at === undefined ? ofKind : ofKind.slice(at, at + 1);
        const ids = new Set(chosen.map((b) => b.id));
        const inKind = new Set(
          view.value.objects.filter((o) => ids.has(o.block)).map((o) => o.ptr),
        );
        const found = live.find((o) => inKind.has(o.ptr));
        if (found !== undefined) return found.name;
      }
    }
    return live.find((o) => o.size === size)?.name;
  }
}

export interface ModelFinding {
  readonly violation: Violation;
  /** The machine events up to the violation. */
  readonly events: readonly SystemEvent[];
  /** The protocol steps that ran. */
  readonly steps: readonly Step[];
}

export interface ModelRunReport {
  readonly finding: ModelFinding | undefined;
  readonly coverage: ModelCoverage;
  readonly missingGuards: readonly string[];
  /** Protocol steps executed. */
  readonly commands: number;
  readonly walks: number;
  /** The deadline passed before every walk ran: coverage and verdicts are of the walks run. */
  readonly interrupted?: true;
}

let cachedGraph: SystemGraph | undefined;
let cachedShortest: SystemEvent[][] | undefined;
let cachedWalks: SystemEvent[][] | undefined;
let cachedWalkMemo: SystemWalkMemo | undefined;

/** The shortest path (breadth-first) to every state of the system machine, made once. */
export function shortestWalks(): readonly SystemEvent[][] {
  cachedShortest ??= systemTestModel()
    .getShortestPaths()
    .map((p) =>
      p.steps.map((s) => s.event as SystemEvent).filter((e) => !e.type.startsWith("xstate.")),
    )
    .filter((w) => w.length > 0);
  return cachedShortest;
}

/** The system graph and its event sequences (shortest paths, then the tour), made once. */
export function modelWalks(): { graph: SystemGraph; walks: readonly SystemEvent[][] } {
  cachedGraph ??= buildSystemGraph();
  cachedWalks ??= [...shortestWalks(), ...transitionTour(cachedGraph)];
  return { graph: cachedGraph, walks: cachedWalks };
}

/**
 * The shortest failing path the model's breadth-first paths give: the shortest paths to every
 * state, by length, each run until an invariant breaks; the answer is the fewest protocol steps
 * that ran before a break (the end-of-run teardown counts as no step), or undefined when no
 * path breaks one (the bug lies outside the model's scope).
 */
export function shortestModelFailure(
  target: Target,
  invariants: readonly Invariant[],
): { steps: number; invariant: string } | undefined {
  const walks = [...shortestWalks()].sort((a, b) => a.length - b.length);
  let best: { steps: number; invariant: string } | undefined;
  for (const walk of walks) {
    if (best !== undefined && walk.length >= best.steps) break;
    const driver = new ModelDriver(target, invariants);
    try {
      for (const event of walk) driver.run(event);
      driver.session.finish();
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
      const steps = driver.session.trace.length;
      if (best === undefined || steps < best.steps) best = { steps, invariant: e.invariant };
    }
  }
  return best;
}

/** Runs the shortest paths and the transition tour against a target; stops at a violation. */
export function runModelPaths(
  target: Target,
  invariants: readonly Invariant[],
  deadline?: number,
): ModelRunReport {
  const { graph, walks } = modelWalks();
  const counter = new CoverageCounter(graph);
  let commands = 0;
  let ran = 0;
  for (const walk of walks) {
    // A time limit stops the round between walks (`check --time-limit`), as between runs.
    if (deadline !== undefined && Date.now() > deadline) {
      return {
        finding: undefined,
        coverage: counter.coverage(),
        missingGuards: counter.missingGuards(),
        commands,
        walks: ran,
        interrupted: true,
      };
    }
    const driver = new ModelDriver(target, invariants, counter, (cachedWalkMemo ??= newWalkMemo()));
    ran++;
    try {
      for (const event of walk) driver.run(event);
      driver.session.finish();
    } catch (e) {
      if (!(e instanceof Violation)) throw e;
      commands += driver.session.trace.length;
      return {
        finding: { violation: e, events: driver.events, steps: driver.session.trace },
        coverage: counter.coverage(),
        missingGuards: counter.missingGuards(),
        commands,
        walks: ran,
      };
    }
    commands += driver.session.trace.length;
  }
  return {
    finding: undefined,
    coverage: counter.coverage(),
    missingGuards: counter.missingGuards(),
    commands,
    walks: ran,
  };
}

/** A fast-check command: the pick-th event the machine offers in the current state. */
class MachineEventCommand implements fc.Command<ModelDriver, ModelDriver> {
  private event: SystemEvent | undefined;
  constructor(readonly pick: number) {}
  check(driver: Readonly<ModelDriver>): boolean {
    if (!driver.session.running) return false;
    const events = systemEvents(driver.context);
    this.event = events[this.pick % events.length];
    return this.event !== undefined;
  }
  run(driver: ModelDriver): void {
    if (this.event) driver.run(this.event);
  }
  toString(): string {
    return this.event ? JSON.stringify(this.event) : `event #${this.pick}`;
  }
}

/**
 * Long random runs over the machine's events (fast-check; the model is the machine itself).
 * Returns the shrunk finding, if any, with the machine events that make it.
 */
export function runModelRandom(
  target: Target,
  invariants: readonly Invariant[],
  settings: { seed: number; runs: number; maxCommands: number; deadline?: number },
  counter?: CoverageCounter,
): { finding: ModelFinding | undefined; commands: number; interrupted?: true } {
  let commands = 0;
  const details = fc.check(
    fc.property(
      fc.commands([fc.nat({ max: 1023 }).map((p) => new MachineEventCommand(p))], {
        maxCommands: settings.maxCommands,
        size: "max",
      }),
      (cmds) => {
        const driver = new ModelDriver(target, invariants, counter);
        try {
          fc.modelRun(() => ({ model: driver, real: driver }), cmds);
          driver.session.finish();
        } finally {
          commands += driver.session.trace.length;
        }
      },
    ),
    {
      seed: settings.seed,
      numRuns: settings.runs,
      ...(settings.deadline !== undefined
        ? { interruptAfterTimeLimit: Math.max(1, settings.deadline - Date.now()) }
        : {}),
    },
  );
  if (!details.failed) {
    return { finding: undefined, commands, ...(details.interrupted ? { interrupted: true } : {}) };
  }
  const error = details.errorInstance;
  if (!(error instanceof Violation) || details.counterexample === null) throw error;
  const driver = new ModelDriver(target, invariants);
  try {
    fc.modelRun(() => ({ model: driver, real: driver }), details.counterexample[0]);
    driver.session.finish();
  } catch (e) {
    if (!(e instanceof Violation)) throw e;
    return {
      finding: { violation: e, events: driver.events, steps: driver.session.trace },
      commands,
    };
  }
  return {
    finding: { violation: error, events: driver.events, steps: driver.session.trace },
    commands,
  };
}
