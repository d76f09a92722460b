/**
 * `diff BASE HEAD`: the same generated runs on two targets (one seed; the check's topologies
 * and command generators, for the capabilities both have), compared after every step
 * (diffSession.ts). The first run that differs is shrunk by fast-check, replayed to its resolved
 * steps, and made 1-minimal (runner/minimize.ts) with "the sides still differ in the same
 * aspect" as the failure; its first differing field is named.
 *
 * A harness that fails as a process ends the diff at once, with the steps sent so far: it is
 * not a difference of the allocators.
 */
import fc from "fast-check";
import { HarnessFailure } from "../../impl/external/index.ts";
import type { BootConfig } from "../../impl/index.ts";
import { topologyArbitrary, type TopologyShape } from "../arbitraries/topology.ts";
import { commandsArbitrary } from "../commands/index.ts";
import type { Session } from "../engine/session.ts";
import type { Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { capabilitiesOf } from "../runner/checkTarget.ts";
import { minimizeWith } from "../runner/minimize.ts";
import type { CompareAspect, FieldDifference } from "./compareViews.ts";
import { DiffFound, DiffSession, type DiffStepViews } from "./diffSession.ts";

export interface DiffSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
  readonly aspects: ReadonlySet<CompareAspect>;
  /** Possible CPUs or nodes held fixed (`--cpus`, `--nodes`). */
  readonly shape?: TopologyShape;
}

/**
 * What the compared runs reached (the generated runs, shrinking and minimising not counted):
 * steps by operation, reserved and atomic allocations, ENOMEM answers (the same on both sides
 * wherever outcomes are compared), and the most possible CPUs and nodes of a run.
 */
export interface DiffReach {
  readonly byOp: Readonly<Record<string, number>>;
  readonly reservedAllocs: number;
  readonly atomicAllocs: number;
  readonly enomem: number;
  readonly maxPossible: number;
  readonly maxNodes: number;
}

/** A difference, 1-minimal: the topology, the steps, the field that differs first. */
export interface DiffCounterexample {
  readonly config: BootConfig;
  readonly steps: readonly Step[];
  readonly difference: FieldDifference;
  /** Index in `steps` of the step after which the sides differ. */
  readonly stepIndex: number;
  readonly message: string;
  readonly seed: number;
  readonly path: string | undefined;
}

export interface DiffReport {
  /** Runs made (fast-check's, shrinking not counted). */
  readonly runs: number;
  /** Steps compared on both sides (shrinking and minimising included). */
  readonly steps: number;
  /** Runs ended early where the sides parted in an aspect not compared. */
  readonly cut: number;
  readonly reach: DiffReach;
  readonly counterexample?: DiffCounterexample;
  /** A harness that failed as a process, with the run so far. */
  readonly harnessFailure?: { readonly failure: HarnessFailure; readonly steps: readonly Step[] };
}

/** The result of replaying steps on both sides. */
export interface DiffReplay {
  readonly found: DiffFound | undefined;
  /** Index in the steps given of each step that ran (on either side). */
  readonly ran: readonly number[];
  readonly session: DiffSession;
}

/** Replays steps on fresh sides; `onStep` sees both views after each step that ran. */
export function replayDiff(
  base: Target,
  head: Target,
  config: BootConfig,
  steps: readonly Step[],
  aspects: ReadonlySet<CompareAspect>,
  options: { readonly teardown?: boolean; readonly onStep?: (views: DiffStepViews) => void } = {},
): DiffReplay {
  const { teardown = false, onStep } = options;
  const session = new DiffSession({ base, head, config, aspects, onStep });
  const ran: number[] = [];
  try {
    steps.forEach((step, i) => {
      // A step that differs throws after it ran: it counts as run.
      ran.push(i);
      if (!session.execute(step)) ran.pop();
    });
    if (teardown) session.finish();
  } catch (e) {
    if (!(e instanceof DiffFound)) throw e;
    return { found: e, ran, session };
  }
  return { found: undefined, ran, session };
}

export function runDiff(base: Target, head: Target, settings: DiffSettings): DiffReport {
  const headCaps = capabilitiesOf(head);
  const capabilities = new Set([...capabilitiesOf(base)].filter((c) => headCaps.has(c)));
  let steps = 0;
  let cut = 0;
  let harness: DiffReport["harnessFailure"];
  const byOp: Record<string, number> = {};
  const tally = { reservedAllocs: 0, atomicAllocs: 0, enomem: 0, maxPossible: 0, maxNodes: 0 };
  let shrinking = false;
  const count = ({ step, base: view }: DiffStepViews) => {
    if (shrinking) return;
    byOp[step.op] = (byOp[step.op] ?? 0) + 1;
    if (step.op === "alloc" && step.reserved === true) tally.reservedAllocs++;
    if (step.op === "alloc" && step.atomic === true) tally.atomicAllocs++;
    if (view.outcome === "-ENOMEM") tally.enomem++;
  };
  const property = fc.property(
    topologyArbitrary({
      densePossible: base.densePossible !== undefined || head.densePossible !== undefined,
      ...(settings.shape !== undefined ? { shape: settings.shape } : {}),
    }),
    commandsArbitrary(base, capabilities, settings.maxCommands),
    (config, commands) => {
      if (harness !== undefined) return;
      let session: DiffSession | undefined;
      if (!shrinking) {
        tally.maxPossible = Math.max(tally.maxPossible, config.possible.length);
        tally.maxNodes = Math.max(tally.maxNodes, config.nrNodes);
      }
      try {
        session = new DiffSession({
          base,
          head,
          config,
          aspects: settings.aspects,
          onStep: count,
        });
        const s = session as unknown as Session;
        fc.modelRun(() => ({ model: s, real: s }), commands);
        session.finish();
        if (session.cut) cut++;
      } catch (e) {
        if (e instanceof DiffFound) shrinking = true;
        if (!(e instanceof HarnessFailure)) throw e;
        harness = { failure: e, steps: session?.trace ?? [] };
      } finally {
        steps += session?.trace.length ?? 0;
      }
    },
  );
  const details = fc.check(property, { seed: settings.seed, numRuns: settings.runs });
  // Counted over the generated runs only: shrinking's and minimising's steps are not new ground.
  const reach: DiffReach = { byOp: { ...byOp }, ...tally };
  const done = { runs: details.numRuns, steps, cut, reach };
  if (harness !== undefined) return { ...done, harnessFailure: harness };
  if (!details.failed) return done;
  const error = details.errorInstance;
  if (!(error instanceof DiffFound) || details.counterexample === null) throw error;
  const [config, commands] = details.counterexample;
  // The shrunk run's resolved steps, then 1-minimal.
  const shrunk = new DiffSession({ base, head, config, aspects: settings.aspects });
  try {
    const s = shrunk as unknown as Session;
    fc.modelRun(() => ({ model: s, real: s }), commands);
    shrunk.finish();
  } catch (e) {
    if (!(e instanceof DiffFound)) throw e;
  }
  const aspect = error.difference.aspect;
  const minimize = (from: readonly Step[], teardown: boolean) =>
    minimizeWith(from, (candidate) => {
      const r = replayDiff(base, head, config, candidate, settings.aspects, { teardown });
      steps += r.session.trace.length;
      return {
        reproduces: r.found?.difference.aspect === aspect,
        ran: r.ran,
        stepIndex: r.found?.stepIndex ?? -1,
      };
    });
  // With the end-of-run frees first (a difference may show only there), then with those frees
  // made steps of their own, so that the file says every step and no step of it can go.
  const withTeardown = minimize(shrunk.trace, true);
  const explicit = replayDiff(base, head, config, withTeardown, settings.aspects, {
    teardown: true,
  });
  const upTo =
    explicit.found === undefined
      ? []
      : explicit.session.trace.slice(0, explicit.found.stepIndex + 1);
  const minimal = minimize(upTo, false);
  const final = replayDiff(base, head, config, minimal, settings.aspects);
  if (final.found === undefined || final.found.difference.aspect !== aspect) {
    throw new Error(
      `diff ${base.id} ${head.id}: the minimised difference does not reproduce (a bug of the runner)`,
    );
  }
  steps += shrunk.trace.length + final.session.trace.length;
  return {
    runs: details.numRuns,
    steps,
    cut,
    reach,
    counterexample: {
      config,
      steps: final.session.trace.slice(0, final.found.stepIndex + 1),
      difference: final.found.difference,
      stepIndex: final.found.stepIndex,
      message: final.found.message,
      seed: settings.seed,
      path: details.counterexamplePath ?? undefined,
    },
  };
}
