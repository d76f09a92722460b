/**
 * Steps per second of a default check (`npx tsx bench/checkSpeed.ts [repeats] [runs]`): the
 * linux harness of each tree that is built (harnesses/linux/build/6.12, build/6.1), the C
 * example harness (examples/c-harness, `make -C examples/c-harness`) and the bitmap-2017
 * revision, in the same run, one after the other.
 *
 * Each is `checkTarget` with check's defaults (seed 20051, 200 runs of up to 60 commands,
 * every invariant that applies) and no model round: a harness's default check runs none, and
 * bitmap-2017 is run the same way so that the three execute the same kind of random runs (its
 * own default check adds the model's ~100,000 steps). Steps are the commands executed,
 * shrinking included; the figure is the median of `repeats` runs (default 3) of wall time, each
 * with a fresh harness process, and the load average is printed beside each row.
 *
 * Prints a Markdown table for BENCHMARKS.md. No test asserts these times.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { DEFAULT_MAX_COMMANDS, DEFAULT_RUNS, DEFAULT_SEED } from "../cli/index.ts";
import { C_HARNESS } from "../impl/external/testing.ts";
import {
  asExternal,
  checkTarget,
  externalTarget,
  findTarget,
  type Target,
} from "../properties/index.ts";

const repeats = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? DEFAULT_RUNS);
const out = (line = "") => process.stdout.write(`${line}\n`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");

interface Subject {
  readonly name: string;
  readonly make: () => Target;
}
const linux = ["6.12", "6.1"]
  .map((v) => ({ v, bin: `harnesses/linux/build/${v}/pcpu-linux` }))
  .filter(({ bin }) => existsSync(bin));
if (!existsSync(C_HARNESS)) throw new Error(`no ${C_HARNESS}: make -C examples/c-harness`);
const subjects: Subject[] = [
  ...linux.map(({ v, bin }) => ({ name: `linux ${v} (${bin})`, make: () => externalTarget(bin) })),
  { name: "C example harness", make: () => externalTarget(C_HARNESS) },
  {
    name: "bitmap-2017 (in-process, no model round)",
    make: () => findTarget("bitmap-2017") ?? missing("bitmap-2017"),
  },
];
function missing(id: string): never {
  throw new Error(`no target ${id}`);
}

out(
  `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
out(
  `check defaults: seed ${DEFAULT_SEED}, ${runs} runs of up to ${DEFAULT_MAX_COMMANDS} commands, no model round; median of ${repeats}`,
);
out();
out(
  "| target | invariants | steps | median s | steps/s | samples s | load average before → after |",
);
out("| --- | ---: | ---: | ---: | ---: | --- | --- |");
for (const s of subjects) {
  const before = load();
  const samples: { ms: number; steps: number; invariants: number; failed: number }[] = [];
  for (let i = 0; i < repeats; i++) {
    const target = s.make();
    const t0 = performance.now();
    try {
      const r = checkTarget(target, {
        seed: DEFAULT_SEED,
        runs,
        maxCommands: DEFAULT_MAX_COMMANDS,
        model: false,
      });
      samples.push({
        ms: performance.now() - t0,
        steps: r.commands,
        invariants: r.results.length,
        failed: r.results.filter((x) => x.status !== "pass").length,
      });
    } finally {
      asExternal(target)?.close();
    }
  }
  const sorted = samples.slice().sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)] as (typeof samples)[number];
  const steps = new Set(samples.map((x) => x.steps));
  out(
    `| ${s.name} | ${mid.invariants}${mid.failed > 0 ? ` (${mid.failed} not passed)` : ""} | ${[...steps].map((x) => x.toLocaleString("en-US")).join(" / ")} | ${(mid.ms / 1000).toFixed(1)} | ${Math.round((mid.steps / mid.ms) * 1000).toLocaleString("en-US")} | ${samples.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} | ${before} → ${load()} |`,
  );
}
