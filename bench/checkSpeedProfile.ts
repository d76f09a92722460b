/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by file,
 * the top `n` of each, and the inclusive time of each function named `inclusive` (default
 * `afterStep`: each invariant's judgement of a step), counted once per sample at its outermost
 * call (`npx tsx bench/checkSpeedProfile.ts file.cpuprofile [n] [inclusive]`). Used for
 * BENCHMARKS' profile of a round; paths are shown relative to the repository.
 */
import { readFileSync } from "node:fs";

interface Node {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error("usage: checkSpeedProfile.ts file.cpuprofile [n]");
const n = Number(process.argv[3] ?? 25);
const inclusiveName = process.argv[4] ?? "afterStep";
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((x) => [x.id, x]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const short = (url: string) =>
  url === ""
    ? "(native)"
    : url
        .replace(/^file:\/\//, "")
        .replace(/^.*\/node_modules\//, "node_modules/")
        .replace(/^\/work\/wt\/[^/]+\//, "");
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)?.callFrame;
  if (f === undefined) continue;
  const where = short(f.url);
  const name = `${f.functionName || "(anonymous)"} ${where}${f.url === "" ? "" : `:${f.lineNumber + 1}`}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  byFile.set(where, (byFile.get(where) ?? 0) + us);
}
const table = (title: string, m: Map<string, number>, column = "self ms") => {
  process.stdout.write(`\n| ${title} | ${column} | % |\n| --- | ---: | ---: |\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(
      `| ${k.replace(/\|/g, "\\|")} | ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)} |\n`,
    );
};
const parent = new Map<number, number>();
for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  let outer: string | undefined;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = byId.get(at)?.callFrame;
    if (f?.functionName === inclusiveName) outer = `${f.functionName} ${short(f.url)}`;
  }
  if (outer !== undefined) inclusive.set(outer, (inclusive.get(outer) ?? 0) + us);
}

process.stdout.write(`total ${(total / 1000).toFixed(0)} ms sampled\n`);
table("function", byFunction);
table("file", byFile);
table(inclusiveName, inclusive, "inclusive ms");
