/**
 * Round trips a second to a harness (`npx tsx bench/roundTrip.ts "CMD ARGS" [n] [repeats]`):
 * `n` `stats` requests one after the other, each written once the answer to the previous has
 * been read, on a booted harness; prints the median µs per round trip of `repeats` and each
 * sample. Written against the interface the commit before batches had (HarnessProcess.request),
 * so that the same file measures that commit's transport too (copy it there). No test asserts
 * these times.
 */
import { performance } from "node:perf_hooks";
import { HarnessProcess } from "../impl/external/index.ts";

const command = process.argv[2];
if (command === undefined) throw new Error("usage: roundTrip.ts COMMAND [n] [repeats]");
const n = Number(process.argv[3] ?? 10_000);
const repeats = Number(process.argv[4] ?? 3);
const h = new HarnessProcess(command);
try {
  h.request("hello");
  h.request("boot", {
    ...{ nr_cpus: 8, possible: [0, 1, 2, 3], present: [0, 1, 2, 3], online: [0, 1, 2, 3] },
    ...{ cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0], nr_nodes: 1, page_size: 4096 },
  });
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) h.request("stats");
    samples.push(((performance.now() - t0) / n) * 1000);
  }
  const sorted = samples.slice().sort((a, b) => a - b);
  const mid = sorted[Math.floor(sorted.length / 2)] as number;
  process.stdout.write(
    `${JSON.stringify({ command, n, us: mid, samples: samples.map((x) => Math.round(x * 10) / 10) })}\n`,
  );
} finally {
  h.close();
}
