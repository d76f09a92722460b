/**
 * Benchmarks (`npm run bench`): figures go to BENCHMARKS.md with the machine and the command.
 *
 * 1. allocator operations per second on each revision (alloc + write + free, no checks), at 4
 *    and 64 possible CPUs;
 * 2. the property runner: commands per second with every invariant judged, and the same runs
 *    with no invariant judged (the same seed makes the same commands): the checking overhead;
 * 3. memory loads per per_cpu_ptr, counted by the simulated machine;
 * 4. the state-machine model: building its graph, and a model-driven round (shortest paths and
 *    transition tour) per revision with every invariant it keeps;
 * 5. throughput on a fixed topology at 4 and 64 possible CPUs: every invariant, none, and a
 *    system that does nothing (the harness's ceiling), with both ratios;
 * 6. cost per command at 10 and 10,000 live objects, incremental checks alone and with the
 *    default audit every 16 steps;
 * 7. time to catch each mutant and the part spent shrinking (median of 3);
 * 8. the exhaustive ENOMEM sweep on each revision (bench/sweep.ts).
 */
import os from "node:os";
import { LegacyAllocator, KiranAllocator, unwrap, type PercpuAllocator } from "../impl/index.ts";
import { performance } from "node:perf_hooks";
import { buildSystemGraph } from "../model/systemGraph.ts";
import {
  capabilitiesOf,
  findTarget,
  applicable,
  INVARIANTS,
  killRow,
  MUTANT_TARGETS,
  modelWalks,
  runModelPaths,
  runRound,
} from "../properties/index.ts";
import { measure, perSecond } from "./measure.ts";
import { costPerCommand } from "./scaling.ts";
import { logSweepTable } from "./sweep.ts";
import {
  fixedTopology,
  keptInvariants,
  nullTarget,
  round,
  target as benchTarget,
  type Throughput,
} from "./throughput.ts";

/** Targets of the throughput table (bitmap-2017 when this build has it). */
const THROUGHPUT_TARGETS = ["kiran-2005-09", "bitmap-2017"];

function topology(possible: number) {
  const nrCpus = possible <= 8 ? 8 : 64;
  return {
    nrCpus,
    possible: Array.from({ length: possible }, (_, i) => i),
    present: Array.from({ length: possible }, (_, i) => i),
    online: Array.from({ length: possible }, (_, i) => i),
    cpuToNode: Array.from({ length: nrCpus }, (_, i) => i % 2),
    nrNodes: 2,
    pageSize: 4096,
  };
}

const OPS = 2000;

function churn(make: () => PercpuAllocator, possible: number): void {
  const a = make();
  unwrap(a.boot(topology(possible)));
  const live: number[] = [];
  let x = 12345;
  for (let i = 0; i < OPS; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    if (live.length > 0 && x % 3 === 0) {
      unwrap(a.free(live.splice(x % live.length, 1)[0] as number));
    } else {
      const p = unwrap(a.alloc(4 + (x % 252), 4));
      unwrap(a.write(unwrap(a.ptr(p, 0)), new Uint8Array([1])));
      live.push(p);
    }
  }
}

const rows: string[] = [];
const log = (line: string) => {
  rows.push(line);
  console.log(line);
};

log(`machine: ${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}, node ${process.version}`);
log("");
log("1. allocator operations per second (alloc/write/free mix, no checks, median of 5)");
log("| revision | possible CPUs | ops/s |");
log("|---|---|---|");
for (const [name, make] of [
  ["legacy-2.6.10", () => new LegacyAllocator()],
  ["kiran-2005-09", () => new KiranAllocator()],
] as const) {
  for (const possible of [4, 64]) {
    const m = measure(() => churn(make, possible));
    log(`| ${name} | ${possible} | ${perSecond(OPS, m.medianMs)} |`);
  }
}

log("");
log("2. property runner: commands per second, every invariant vs none (same seed, same commands)");
log("| target | invariants | commands | median ms | commands/s | overhead |");
log("|---|---|---|---|---|---|");
for (const id of ["legacy-2.6.10", "kiran-2005-09"]) {
  const target = findTarget(id)!;
  const settings = { seed: 20051, runs: 100, maxCommands: 60 };
  const judged = applicable(INVARIANTS, target).filter((i) => !i.relational);
  const caps = capabilitiesOf(target);
  const round = (invariants: typeof judged) => {
    const counter = { commands: 0, shrinkMs: 0 };
    const details = runRound(target, caps, invariants, settings, counter);
    if (details.failed) throw new Error(`${id}: a round failed: ${String(details.errorInstance)}`);
    return counter.commands;
  };
  let withCount = 0;
  let withoutCount = 0;
  const withChecks = measure(() => {
    withCount = round(judged);
  }, 3);
  const without = measure(() => {
    withoutCount = round([]);
  }, 3);
  log(
    `| ${id} | all but relational | ${withCount} | ${withChecks.medianMs.toFixed(0)} | ${perSecond(withCount, withChecks.medianMs)} | ${(withChecks.medianMs / without.medianMs).toFixed(2)}x |`,
  );
  log(
    `| ${id} | none | ${withoutCount} | ${without.medianMs.toFixed(0)} | ${perSecond(withoutCount, without.medianMs)} | 1x |`,
  );
}

log("");
log("3. memory loads per per_cpu_ptr (counted by the machine)");
for (const [name, make] of [
  ["legacy-2.6.10", () => new LegacyAllocator()],
  ["kiran-2005-09", () => new KiranAllocator()],
] as const) {
  const a = make();
  unwrap(a.boot(topology(4)));
  const p = unwrap(a.alloc(8, 8));
  const machine = a.machineForInspection!;
  const before = machine.loads;
  for (let cpu = 0; cpu < 4; cpu++) unwrap(a.ptr(p, cpu));
  log(`  ${name}: ${(machine.loads - before) / 4}`);
}

log("");
log(
  "4. the state-machine model: graph, paths, and a model-driven round per revision (median of 3)",
);
{
  let graphMs = 0;
  const g = measure(() => {
    const t0 = performance.now();
    buildSystemGraph();
    graphMs = performance.now() - t0;
  }, 3);
  void graphMs;
  const { graph, walks } = modelWalks();
  const events = walks.reduce((n, w) => n + w.length, 0);
  log(
    `  graph: ${graph.states.size} states, ${graph.edgeCount} transitions, built in ${g.medianMs.toFixed(0)} ms`,
  );
  log(`  walks: ${walks.length} (shortest paths + tour), ${events} events`);
  log("| revision | protocol steps | median ms | steps/s |");
  log("|---|---|---|---|");
  for (const id of ["legacy-2.6.10", "kiran-2005-09"]) {
    const target = findTarget(id)!;
    const caps = capabilitiesOf(target);
    const invariants = applicable(INVARIANTS, target).filter(
      (i) => target.knownViolations[i.id] === undefined && i.needs.every((c) => caps.has(c)),
    );
    let steps = 0;
    const m = measure(() => {
      steps = runModelPaths(target, invariants).commands;
    }, 3);
    log(`| ${id} | ${steps} | ${m.medianMs.toFixed(0)} | ${perSecond(steps, m.medianMs)} |`);
  }
}

log("");
log(
  "5. throughput on a fixed topology (100 runs of up to 60 commands, seed 20051, median of 3): every invariant the target keeps, none, and the null system",
);
log(
  "| target | possible CPUs | commands | all: commands/s | none: commands/s | null system: commands/s | all / none | all / null |",
);
log("|---|---|---|---|---|---|---|---|");
for (const id of THROUGHPUT_TARGETS.filter((t) => findTarget(t) !== undefined)) {
  const t = benchTarget(id);
  for (const possible of [4, 64]) {
    const config = fixedTopology(possible);
    const kept = keptInvariants(t);
    const time = (fn: () => Throughput) => {
      let last: Throughput = { commands: 0, ms: 0 };
      const m = measure(() => {
        last = fn();
      }, 3);
      return { commands: last.commands, ms: m.medianMs };
    };
    const all = time(() => round(t, config, kept));
    const none = time(() => round(t, config, []));
    const ceiling = time(() => round(nullTarget(t), config, []));
    const rate = (x: Throughput) => perSecond(x.commands, x.ms);
    log(
      `| ${id} | ${possible} | ${all.commands} | ${rate(all)} | ${rate(none)} | ${rate(ceiling)} | ${(all.ms / none.ms).toFixed(2)}x | ${(rate(ceiling) / rate(all)).toFixed(2)}x |`,
    );
  }
}

log("");
log(
  "6. cost per command as live objects grow (kiran-2005-09, 4 possible CPUs, 8-byte objects, 3000 commands, median of 3)",
);
log("| live objects | incremental only (us/command) | audit every 16 (us/command) |");
log("|---|---|---|");
for (const live of [10, 10_000]) {
  const incremental = costPerCommand("kiran-2005-09", live, 3000, Number.MAX_SAFE_INTEGER);
  const audited = costPerCommand("kiran-2005-09", live, 3000, 16);
  log(`| ${live} | ${incremental.toFixed(0)} | ${audited.toFixed(0)} |`);
}

log("");
log("7. time to catch each mutant (the kill matrix, median of 3) and time spent shrinking");
log("| mutant | caught by | steps | median ms | shrinking ms |");
log("|---|---|---|---|---|");
{
  const medians: number[] = [];
  for (const m of MUTANT_TARGETS) {
    const rows = [killRow(m), killRow(m), killRow(m)].sort((a, b) => a.ms - b.ms);
    const mid = rows[1] as (typeof rows)[number];
    medians.push(mid.ms);
    log(
      `| ${m.id} | ${mid.caughtBy.join(", ")} | ${mid.length ?? "-"} | ${mid.ms.toFixed(0)} | ${mid.shrinkMs.toFixed(0)} |`,
    );
  }
  medians.sort((a, b) => a - b);
  log(
    `  median over mutants: ${(medians[Math.floor(medians.length / 2)] ?? 0).toFixed(0)} ms; slowest ${(medians[medians.length - 1] ?? 0).toFixed(0)} ms`,
  );
}

log("");
logSweepTable(log);
