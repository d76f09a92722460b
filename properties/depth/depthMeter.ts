/**
 * A check's depth for one target: each generated run measured (runDepth.ts) and the runs put
 * together. A round after a failure makes the same runs again from the same seed (with fewer
 * invariants, so a run that stopped at a failure now goes on): the meter keeps one measure per
 * run, the last, so nothing is counted twice. Maxima are over the runs, counts are totals.
 *
 *   round 1:  run 0  run 1 (fails at step 9)  run 2 ...     shrinking: not measured
 *   round 2:  run 0  run 1 (goes on to 60)    run 2 ...     -> run 1's measure replaced
 */
import type { BootConfig, Capability } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import { depthGoals, type DepthKind } from "./depthGoals.ts";
import { RunDepth, type RunFigures } from "./runDepth.ts";

/** A check's depth for one target, as `check --json` gives it under `depth.<target>`. */
export interface DepthJson {
  /** What chunks are called ("blocks" in the 2005 design), null for a design without. */
  grouping: "blocks" | "chunks" | null;
  /** Where chunks were counted from: the target's `inspect`, the vm ranges of the copies, none. */
  source: "inspect" | "vm-ranges" | null;
  /** Runs measured. */
  runs: number;
  /** Most chunks (blocks) held at once; with vm-ranges, in use (holding an object). */
  chunks_max: number;
  /** Most chunks (blocks) holding a live object at once. */
  chunks_in_use_max: number;
  live_max: number;
  /** Most pages held at once (every node, metadata included). */
  pages_max: number;
  /** The furthest end of an object inside its unit, over the unit (0..1); null: no units. */
  unit_offset_max: number | null;
  /** Runs in which an object reached into the last page of its unit. */
  runs_last_page: number;
  /** Chunks seen full; null where chunks are not seen (no inspect). */
  full_chunks: number | null;
  /** Chunks that held objects and were emptied; null where chunks are not seen. */
  emptied: number | null;
  released: number;
  /** Released chunks that had been full; null where chunks are not seen. */
  full_released: number | null;
  /** Steps after which fewer pages were held and no chunk was released; null without chunks. */
  depopulations: number | null;
  /** The distinct chunk slots seen at the audits (designs whose detail names them). */
  slots: number[];
  /** Most possible CPUs in a run. */
  cpus_max: number;
  /** Most possible CPUs offline at once. */
  offline_max: number;
  /** ENOMEM answers, by the chunks held when each came ("0": none, or no chunks). */
  enomem: Record<string, number>;
  goals: Record<string, boolean>;
  goals_met: boolean;
}

export class DepthMeter {
  readonly kind: DepthKind;
  private readonly units: boolean;
  private readonly unitBytes: number | undefined;
  /** Its detail may name slots: the chunk designs and a harness (the 2005 detail has none). */
  private readonly slots: boolean;
  private readonly runs: RunDepth[] = [];

  constructor(target: Target, capabilities: ReadonlySet<Capability>) {
    const external = target.kind === "external";
    this.units = target.design !== "legacy";
    this.unitBytes = target.unitBytes;
    this.slots = external || target.design === "areamap-2009" || target.design === "bitmap-2017";
    this.kind = {
      grouping: !this.units ? undefined : target.design === "kiran-2005" ? "blocks" : "chunks",
      design: target.design,
      external,
      inspect: capabilities.has("inspect"),
    };
  }

  /** The measure of the run `index` of a round (replacing an earlier round's). */
  run(index: number, config: BootConfig): RunDepth {
    const run = new RunDepth({
      possible: config.possible,
      pageSize: config.pageSize,
      units: this.units,
      inspect: this.kind.inspect,
      external: this.kind.external,
      ...(this.unitBytes !== undefined ? { unitBytes: this.unitBytes } : {}),
      slots: this.slots,
    });
    this.runs[index] = run;
    return run;
  }

  summary(): DepthJson {
    return depthSummary(
      this.kind,
      this.runs.filter((r) => r !== undefined).map((r) => r.figures),
    );
  }
}

/** The runs' figures put together, with the goals of the kind judged. */
export function depthSummary(kind: DepthKind, runs: readonly RunFigures[]): DepthJson {
  const max = (pick: (f: RunFigures) => number) => Math.max(0, ...runs.map(pick));
  const total = (pick: (f: RunFigures) => number) => runs.reduce((a, f) => a + pick(f), 0);
  const seen = kind.inspect && kind.grouping !== undefined;
  const slots = new Set<number>();
  const enomem = new Map<number, number>();
  for (const f of runs) {
    for (const s of f.slots) slots.add(s);
    for (const [chunks, n] of f.enomem) enomem.set(chunks, (enomem.get(chunks) ?? 0) + n);
  }
  const d: DepthJson = {
    grouping: kind.grouping ?? null,
    source: kind.grouping === undefined ? null : kind.inspect ? "inspect" : "vm-ranges",
    runs: runs.length,
    chunks_max: max((f) => f.chunksMax),
    chunks_in_use_max: max((f) => f.inUseMax),
    live_max: max((f) => f.liveMax),
    pages_max: max((f) => f.pagesMax),
    unit_offset_max:
      kind.grouping === undefined ? null : Math.round(max((f) => f.unitOffsetMax) * 1e4) / 1e4,
    runs_last_page: runs.filter((f) => f.lastPage).length,
    full_chunks: seen ? total((f) => f.fullChunks) : null,
    emptied: seen ? total((f) => f.emptied) : null,
    released: total((f) => f.released),
    full_released: seen ? total((f) => f.fullReleased) : null,
    depopulations: kind.grouping === undefined ? null : total((f) => f.depopulations),
    slots: [...slots].sort((a, b) => a - b),
    cpus_max: max((f) => f.cpus),
    offline_max: max((f) => f.offlineMax),
    enomem: Object.fromEntries(
      [...enomem].sort((a, b) => a[0] - b[0]).map(([k, n]) => [String(k), n]),
    ),
    goals: {},
    goals_met: true,
  };
  for (const goal of depthGoals(kind)) d.goals[goal.id] = goal.met(d);
  d.goals_met = Object.values(d.goals).every((m) => m);
  return d;
}
