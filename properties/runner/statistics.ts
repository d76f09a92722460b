/**
 * The distribution of generated runs, with fc.statistics: how long runs are, which commands
 * they are made of, and how deep they reach (full blocks, a second block, CPUs offline, ENOMEM),
 * so that a budget can be judged by what it explores and not only by how many runs it makes.
 */
import fc from "fast-check";
import type { BootConfig } from "../../impl/index.ts";
import { topologyArbitrary } from "../arbitraries/topology.ts";
import { commandsArbitrary } from "../commands/index.ts";
import { DepthMeter, type DepthJson, type RunDepth } from "../depth/index.ts";
import { Session } from "../engine/session.ts";
import type { Target } from "../engine/target.ts";
import { applicable, INVARIANTS } from "../invariants/index.ts";
import { familyCounts } from "../review/familyCounts.ts";
import { capabilitiesOf } from "./checkTarget.ts";

export interface StatisticsSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
}

/**
 * Per dimension, label -> share of runs (0..1), in order: run lengths shortest first, command
 * kinds most frequent first, depth in the order of its labels (0, 1, 2, 3+ blocks or chunks
 * at most, then the rarer states).
 */
export type Distribution = Record<string, Record<string, number>>;

function lengthLabel(n: number): string {
  const lo = Math.floor(n / 10) * 10;
  return `${lo}..${lo + 9} steps`;
}

/** The lower end of a run-length label ("10..19 steps" -> 10). */
const lengthFrom = (label: string) => Number(label.split("..")[0]);

/** "1 chunk at most", "3+ blocks at most". */
function groupsLabel(n: number, word: "blocks" | "chunks"): string {
  const shown = Math.min(n, 3);
  const noun = shown === 1 && n < 3 ? word.slice(0, -1) : word;
  return `${shown}${n >= 3 ? "+" : ""} ${noun} at most`;
}

/** One line per label, the shares aligned: "run length: 0..9 steps....25.00%". */
export function distributionLines(distribution: Distribution): string[] {
  return Object.entries(distribution).flatMap(([name, shares]) => {
    const width = Math.max(0, ...Object.keys(shares).map((l) => l.length)) + 2;
    return Object.entries(shares).map(([label, share]) => {
      const pct = `${(share * 100).toFixed(2)}%`;
      return `${name}: ${label}${".".repeat(width - label.length + 7 - pct.length)}${pct}`;
    });
  });
}

/**
 * The distributions of `settings.runs` generated runs; `log` gets them as lines, `onDepth` the
 * runs' depth as `check` reports it (properties/depth).
 */
export function runStatistics(
  target: Target,
  settings: StatisticsSettings,
  log: (line: string) => void = () => {},
  onDepth?: (depth: DepthJson) => void,
): Distribution {
  const capabilities = capabilitiesOf(target);
  // A run judged by every invariant but the relational one (its twin doubles the cost).
  const invariants = applicable(INVARIANTS, target).filter((i) => !i.relational);
  const arb = fc.tuple(
    topologyArbitrary({ densePossible: target.densePossible !== undefined }),
    commandsArbitrary(target, capabilities, settings.maxCommands),
  );
  const meter = new DepthMeter(target, capabilities);
  let measured = 0;
  const runOne = (
    [config, commands]: [BootConfig, Iterable<fc.Command<Session, Session>>],
    probe?: RunDepth,
  ): Session => {
    const session = new Session({
      target,
      config,
      invariants,
      ...(probe !== undefined ? { onStep: probe.step } : {}),
    });
    try {
      fc.modelRun(() => ({ model: session, real: session }), commands);
    } catch {
      // A failing run still has a length and a mix; `check` is where failures are judged.
    }
    return session;
  };
  const out: Distribution = {};
  const dimension = (
    name: string,
    classify: (s: Session, d: RunDepth | undefined) => string | string[],
    order: (a: [string, number], b: [string, number]) => number = (a, b) => b[1] - a[1],
    measure = false,
  ): void => {
    const counts: Record<string, number> = {};
    fc.statistics(
      arb,
      (value) => {
        const probe = measure ? meter.run(measured++, value[0]) : undefined;
        const labels = classify(runOne(value, probe), probe);
        for (const l of Array.isArray(labels) ? labels : [labels]) counts[l] = (counts[l] ?? 0) + 1;
        return labels;
      },
      // The lines are ours (distributionLines), in order; fast-check's are by frequency.
      { seed: settings.seed, numRuns: settings.runs, logger: () => {} },
    );
    const sorted = Object.entries(counts).sort(order);
    out[name] = Object.fromEntries(sorted.map(([k, v]) => [k, v / settings.runs]));
  };
  const grouping = familyCounts(target.design).grouping;
  dimension(
    "run length",
    (s) => lengthLabel(s.trace.length),
    (a, b) => lengthFrom(a[0]) - lengthFrom(b[0]),
  );
  dimension("command kinds", (s) => [
    ...new Set(s.log.map((e) => (e.valid ? e.op : `bad ${e.op}`))),
  ]);
  // Depth in the order of its labels: how many groups, then the rarer states.
  const full = `a full ${(grouping ?? "blocks").slice(0, -1)}`;
  const depthOrder = [
    ...(grouping !== undefined ? [0, 1, 2, 3].map((n) => groupsLabel(n, grouping)) : []),
    full,
    "10+ live objects",
    "a CPU offline",
    "4+ CPUs offline",
    "an ENOMEM",
  ];
  const depthRank = (label: string) => depthOrder.indexOf(label);
  dimension(
    "depth",
    (_s, probe) => {
      const d = (probe as RunDepth).figures;
      // A design without blocks or chunks (legacy) has no such depth.
      const labels = grouping !== undefined ? [groupsLabel(d.chunksMax, grouping)] : [];
      if (d.fullChunks > 0) labels.push(full);
      if (d.liveMax >= 10) labels.push("10+ live objects");
      if (d.offlineMax >= 1) labels.push("a CPU offline");
      if (d.offlineMax >= 4) labels.push("4+ CPUs offline");
      if (d.enomem.size > 0) labels.push("an ENOMEM");
      return labels;
    },
    (a, b) => depthRank(a[0]) - depthRank(b[0]),
    true,
  );
  for (const line of distributionLines(out)) log(line);
  onDepth?.(meter.summary());
  return out;
}
