/**
 * The distribution of generated runs, with fc.statistics: how long runs are, which commands
 * they are made of, and how deep they reach (full blocks, a second block, CPUs offline, ENOMEM),
 * so that a budget can be judged by what it explores and not only by how many runs it makes.
 */
import fc from "fast-check";
import type { BootConfig } from "../../impl/index.ts";
import { topologyArbitrary } from "../arbitraries/topology.ts";
import { commandsArbitrary } from "../commands/index.ts";
import { Session } from "../engine/session.ts";
import type { Target } from "../engine/target.ts";
import { applicable, INVARIANTS } from "../invariants/index.ts";
import { capabilitiesOf } from "./checkTarget.ts";

export interface StatisticsSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxCommands: number;
}

/** Per dimension, label -> share of runs (0..1). */
export type Distribution = Record<string, Record<string, number>>;

function lengthLabel(n: number): string {
  const lo = Math.floor(n / 10) * 10;
  return `${String(lo).padStart(3)}..${String(lo + 9).padStart(3)} steps`;
}

export function runStatistics(
  target: Target,
  settings: StatisticsSettings,
  log: (line: string) => void = () => {},
): Distribution {
  const capabilities = capabilitiesOf(target);
  // A run judged by every invariant but the relational one (its twin doubles the cost).
  const invariants = applicable(INVARIANTS, target).filter((i) => !i.relational);
  const arb = fc.tuple(
    topologyArbitrary(),
    commandsArbitrary(target, capabilities, settings.maxCommands),
  );
  const runOne = ([config, commands]: [
    BootConfig,
    Iterable<fc.Command<Session, Session>>,
  ]): Session => {
    const session = new Session({ target, config, invariants, trackDepth: true });
    try {
      fc.modelRun(() => ({ model: session, real: session }), commands);
    } catch {
      // A failing run still has a length and a mix; `check` is where failures are judged.
    }
    return session;
  };
  const out: Distribution = {};
  const dimension = (name: string, classify: (s: Session) => string | string[]): void => {
    const counts: Record<string, number> = {};
    fc.statistics(
      arb,
      (value) => {
        const labels = classify(runOne(value));
        for (const l of Array.isArray(labels) ? labels : [labels]) counts[l] = (counts[l] ?? 0) + 1;
        return labels;
      },
      { seed: settings.seed, numRuns: settings.runs, logger: (line) => log(`${name}: ${line}`) },
    );
    out[name] = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / settings.runs]));
  };
  dimension("run length", (s) => lengthLabel(s.trace.length));
  dimension("command kinds", (s) => [
    ...new Set(s.log.map((e) => (e.valid ? e.op : `bad ${e.op}`))),
  ]);
  dimension("depth", (s) => {
    const d = s.depth;
    const labels = [`${Math.min(d.maxBlocks, 3)}${d.maxBlocks >= 3 ? "+" : ""} blocks at most`];
    if (d.fullBlock) labels.push("a full block");
    if (d.maxLive >= 10) labels.push("10+ live objects");
    if (d.maxOffline >= 1) labels.push("a CPU offline");
    if (d.maxOffline >= 4) labels.push("4+ CPUs offline");
    if (d.enomem > 0) labels.push("an ENOMEM");
    return labels;
  });
  return out;
}
