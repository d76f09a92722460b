/**
 * The in-process engine's throughput, BENCHMARKS §6's table in one run (`npx tsx
 * bench/checkSpeedEngine.ts [repeats] [targets...]`): for kiran-2005-09 and bitmap-2017 at 4 and
 * 64 possible CPUs, 100 runs of up to 60 commands at seed 20051 with every invariant the target
 * keeps, the same commands with none, and the null system (the harness's own ceiling). Each
 * figure is the median of `repeats` rounds (default 3) after one warm-up, in commands per
 * second of this process's CPU time (user + system), with wall time beside it: on a shared
 * machine the CPU time is what the round costs, the wall time what other jobs left of it. No
 * test asserts these times.
 *
 * `--profile` runs `repeats` rounds of the first target only, for `node --cpu-prof`
 * (PCPU_CPUS: the possible CPUs, default 4; PCPU_ROUND: all, none or null).
 */
import os from "node:os";
import { perSecond } from "./measure.ts";
import {
  fixedTopology,
  keptInvariants,
  nullTarget,
  round,
  target,
  type Throughput,
} from "./throughput.ts";

const args = process.argv.slice(2);
const profile = args.includes("--profile");
const rest = args.filter((a) => a !== "--profile");
const repeats = /^\d+$/.test(rest[0] ?? "") ? Number(rest.shift()) : 3;
const ids = rest.length > 0 ? rest : ["kiran-2005-09", "bitmap-2017"];
const out = (line = "") => process.stdout.write(`${line}\n`);

if (profile) {
  const t = target(ids[0] as string);
  const possible = Number(process.env.PCPU_CPUS ?? 4);
  const which = process.env.PCPU_ROUND ?? "all";
  const config = fixedTopology(possible);
  const subject = which === "null" ? nullTarget(t) : t;
  const inv = which === "all" ? keptInvariants(t) : [];
  for (let i = 0; i < repeats; i++) {
    const r = round(subject, config, inv);
    out(`${t.id} ${which} ${possible}: ${r.commands} commands, ${r.ms.toFixed(0)} ms`);
  }
} else {
  out(
    `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}; median of ${repeats}, commands per second of this process's CPU time (wall time in parentheses)`,
  );
  out(
    "| target | possible CPUs | commands | all: commands/s | none: commands/s | null system: commands/s | all / none | null / all |",
  );
  out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const id of ids) {
    const t = target(id);
    for (const possible of [4, 64]) {
      const config = fixedTopology(possible);
      const kept = keptInvariants(t);
      const all = timed(() => round(t, config, kept));
      const none = timed(() => round(t, config, []));
      const ceiling = timed(() => round(nullTarget(t), config, []));
      const rate = (x: Timed) =>
        `${perSecond(x.commands, x.cpuMs).toLocaleString("en-US")} (${perSecond(x.commands, x.ms).toLocaleString("en-US")})`;
      out(
        `| ${id} | ${possible} | ${all.commands.toLocaleString("en-US")} | ${rate(all)} | ${rate(none)} | ${rate(ceiling)} | ${(all.cpuMs / none.cpuMs).toFixed(2)}× | ${(perSecond(ceiling.commands, ceiling.cpuMs) / perSecond(all.commands, all.cpuMs)).toFixed(2)}× |`,
      );
    }
  }
  out(`load after ${os.loadavg()[0]?.toFixed(2)}`);
}

interface Timed {
  readonly commands: number;
  /** Median wall time and median CPU time (user + system) of one round. */
  readonly ms: number;
  readonly cpuMs: number;
}

/** One warm-up round, then the medians of `repeats`. */
function timed(fn: () => Throughput): Timed {
  fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  let commands = 0;
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const r = fn();
    const c = process.cpuUsage(c0);
    walls.push(r.ms);
    cpus.push((c.user + c.system) / 1000);
    commands = r.commands;
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { commands, ms: median(walls), cpuMs: median(cpus) };
}
