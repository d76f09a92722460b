/**
 * The concurrent round's share of a check (issue 17): on each target with the `threads`
 * capability, the round of the five interleavings invariants (runner/interleaveCheck.ts) and the
 * rest of the default check (every other invariant, the model's and the workloads' runs), timed
 * in the same process one after the other, median of `--repeat` runs each.
 *
 *   npx tsx bench/concurrentRound.ts [target ...] [--repeat n]
 */
import { performance } from "node:perf_hooks";
import { applicable, INVARIANTS } from "../properties/invariants/index.ts";
import { checkTarget } from "../properties/runner/checkTarget.ts";
import { checkInterleave } from "../properties/runner/interleaveCheck.ts";
import { REVISION_TARGETS } from "../properties/targets.ts";

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const args = process.argv.slice(2);
const at = args.indexOf("--repeat");
const repeat = at >= 0 ? Number(args[at + 1]) : 3;
const asked = args.filter((a, i) => !a.startsWith("--") && i !== at + 1);
const settings = { seed: 20051, runs: 200, maxCommands: 60 };
const targets = REVISION_TARGETS.filter(
  (t) =>
    (asked.length === 0 || asked.includes(t.id)) &&
    t.create().hello().capabilities.includes("threads"),
);

console.log(
  "| target | concurrent runs | calls | round ms | rest of the check ms | round / check |",
);
console.log("| --- | --: | --: | --: | --: | --: |");
for (const target of targets) {
  const all = applicable(INVARIANTS, target);
  const interleaved = all.filter((i) => i.ownRuns === "interleavings");
  const rest = all.filter((i) => i.ownRuns !== "interleavings");
  const round: number[] = [];
  const others: number[] = [];
  let calls = 0;
  let runs = 0;
  for (let i = 0; i < repeat; i++) {
    const counter = { commands: 0, shrinkMs: 0 };
    let t0 = performance.now();
    const results = checkInterleave(target, interleaved, settings, counter);
    round.push(performance.now() - t0);
    calls = counter.commands;
    runs = Math.max(...results.map((r) => r.runs));
    t0 = performance.now();
    checkTarget(target, { ...settings, invariants: rest });
    others.push(performance.now() - t0);
  }
  const r = median(round);
  const o = median(others);
  console.log(
    `| ${target.id} | ${runs} | ${calls} | ${Math.round(r)} | ${Math.round(o)} | ${((100 * r) / (r + o)).toFixed(1)}% |`,
  );
}
