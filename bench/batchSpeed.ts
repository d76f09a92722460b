/**
 * Checked steps per second through the harness protocol, with batches and without, beside the
 * commit before them (`npx tsx bench/batchSpeed.ts [repeats] [BASE|-] [C runs] [linux runs] [BASE's name]`,
 * `npm run bench:batch`). BASE is an export of that commit with its harnesses built (`git archive
 * 26a6f42 | tar -x -C BASE`, its node_modules linked, `make -C BASE/examples/c-harness`, and
 * its linux harness as below); without it the base rows are left out.
 *
 * Subjects: the C example harness (examples/c-harness) and, where built, the linux 6.12
 * harness (`make -C harnesses/linux -j1 KSRC=... BUILD=build/6.12`): this tree with `batch`
 * and `digest`, with `batch` alone (`--no-digest`), with neither (one request a line, through
 * this tree's transport), and BASE
 * (one request a line through the worker thread, as before). Each is check's default (seed
 * 20051, 200 runs of up to 60 commands, every invariant that applies, no model round), in a
 * fresh process per sample (bench/checkOnce.ts), the samples of all subjects interleaved so
 * that a change of the machine's load falls on all alike; the median of `repeats` samples of
 * wall time, with the load average before and after. The lines and requests per step are
 * printed by operation. Prints Markdown for BENCHMARKS.md. No test asserts these times.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repeats = Number(process.argv[2] ?? 3);
const base = process.argv[3] === "-" ? undefined : process.argv[3];
/** Runs of each check: 200 (check's default), or fewer for the slower linux harness. */
const cRuns = Number(process.argv[4] ?? 200);
const linuxRuns = Number(process.argv[5] ?? 200);
/** What BASE is, for its rows (default: the commit before batches). */
const baseName = process.argv[6] ?? "before batches (26a6f42)";
const here = fileURLToPath(new URL("..", import.meta.url));
const out = (line = "") => process.stdout.write(`${line}\n`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");

interface Subject {
  readonly name: string;
  /** The tree the check runs in (this one or BASE). */
  readonly tree: string;
  readonly command: string;
  readonly runs: number;
}
interface Sample {
  readonly ms: number;
  readonly steps: number;
  readonly lines: number;
  /** Reads answered "same" (the capability digest). */
  readonly same?: number;
  readonly requests: Record<string, number>;
  readonly statuses: string[];
  readonly load: string;
}

const c = (tree: string) => join(tree, "examples/c-harness/build/pcpu-harness");
const linux = (tree: string) => join(tree, "harnesses/linux/build/6.12/pcpu-linux");
const subjects: Subject[] = [];
const add = (name: string, tree: string, command: string, bin: string, runs: number) => {
  if (existsSync(bin) && runs > 0) subjects.push({ name, tree, command, runs });
};
for (const [what, bin, runs] of [
  ["C example harness", c, cRuns],
  ["linux 6.12", linux, linuxRuns],
] as const) {
  add(`${what}, batch + digest`, here, bin(here), bin(here), runs);
  add(`${what}, batch, --no-digest`, here, `${bin(here)} --no-digest`, bin(here), runs);
  add(
    `${what}, --no-batch --no-digest`,
    here,
    `${bin(here)} --no-batch --no-digest`,
    bin(here),
    runs,
  );
  if (base !== undefined) {
    add(`${what}, ${baseName}`, base, bin(base), bin(base), runs);
  }
}
if (base !== undefined)
  copyFileSync(join(here, "bench/checkOnce.ts"), join(base, "bench/checkOnce.ts"));

const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
for (let i = 0; i < repeats; i++) {
  for (const s of subjects) {
    const before = load();
    const text = execFileSync(
      process.execPath,
      ["--import", "tsx", "bench/checkOnce.ts", s.command, String(s.runs)],
      {
        cwd: s.tree,
        encoding: "utf8",
        maxBuffer: 1 << 24,
      },
    );
    const got = JSON.parse(text.trim().split("\n").at(-1) as string) as Omit<Sample, "load">;
    samples.get(s.name)?.push({ ...got, load: `${before} → ${load()}` });
  }
}

out(
  `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16)} UTC`,
);
out(
  `check defaults: seed 20051, runs of up to 60 commands (C example harness: ${cRuns} runs, linux: ${linuxRuns}), no model round; median of ${repeats}`,
);
out();
out(
  "| target | steps | median s | steps/s | lines/step | requests/step | reads answered same | samples s | load average of the median sample |",
);
out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
const medians = new Map<string, Sample>();
for (const s of subjects) {
  const list = samples.get(s.name) ?? [];
  const sorted = list.slice().sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor(sorted.length / 2)] as Sample;
  medians.set(s.name, mid);
  const reqs = Object.values(mid.requests).reduce((a, b) => a + b, 0);
  out(
    `| ${s.name} | ${mid.steps.toLocaleString("en-US")} | ${(mid.ms / 1000).toFixed(2)} | ${Math.round((mid.steps / mid.ms) * 1000).toLocaleString("en-US")} | ${(mid.lines / mid.steps).toFixed(2)} | ${(reqs / mid.steps).toFixed(2)} | ${mid.same === undefined || !mid.requests.read ? "-" : `${((100 * mid.same) / mid.requests.read).toFixed(0)}%`} | ${list.map((x) => (x.ms / 1000).toFixed(2)).join(", ")} | ${mid.load} |`,
  );
}
out();
const ops = [...new Set(subjects.flatMap((s) => Object.keys(medians.get(s.name)?.requests ?? {})))];
const total = (s: Sample) => Object.values(s.requests).reduce((a, b) => a + b, 0);
ops.sort((a, b) => {
  const first = medians.get(subjects[0]?.name ?? "");
  return (first?.requests[b] ?? 0) - (first?.requests[a] ?? 0);
});
out(`| requests per step | ${subjects.map((s) => s.name).join(" | ")} |`);
out(`| --- | ${subjects.map(() => "---:").join(" | ")} |`);
for (const op of ops) {
  out(
    `| ${op} | ${subjects
      .map((s) => {
        const m = medians.get(s.name) as Sample;
        return ((m.requests[op] ?? 0) / m.steps).toFixed(2);
      })
      .join(" | ")} |`,
  );
}
out(
  `| all | ${subjects
    .map((s) => {
      const m = medians.get(s.name) as Sample;
      return (total(m) / m.steps).toFixed(2);
    })
    .join(" | ")} |`,
);
out(
  `| lines | ${subjects
    .map((s) => {
      const m = medians.get(s.name) as Sample;
      return (m.lines / m.steps).toFixed(2);
    })
    .join(" | ")} |`,
);
out();
for (const s of subjects) out(`- ${s.name}: ${medians.get(s.name)?.statuses.join(" ")}`);
