/**
 * The model round's fixed part on each revision: the system machine's shortest paths and
 * transition tour (about 110,000 events), every invariant the revision keeps judged after each
 * event, as a check runs them (`runModelPaths`). The graph is built once, before any timing;
 * the first walk of the process fills the walks' memo (properties/runner/walkMemo.ts), so each
 * revision's first repetition is printed beside the median of the rest.
 *
 *   npx tsx bench/modelRound.ts [revision ...] [--repeat n]
 */
import { performance } from "node:perf_hooks";
import { applicable, INVARIANTS } from "../properties/invariants/index.ts";
import { modelWalks, runModelPaths } from "../properties/runner/modelPaths.ts";
import { REVISION_TARGETS } from "../properties/targets.ts";
import { perSecond } from "./measure.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--repeat");
const repeat = at >= 0 ? Number(args[at + 1]) : 3;
const asked = args.filter((a, i) => !a.startsWith("--") && i !== at + 1);
const targets = REVISION_TARGETS.filter((t) => asked.length === 0 || asked.includes(t.id));

let t0 = performance.now();
modelWalks();
console.log(`graph and walks: ${Math.round(performance.now() - t0)} ms`);
console.log("| revision | events | first ms | median ms (of the rest) | events/s |");
console.log("| --- | --: | --: | --: | --: |");
for (const target of targets) {
  const kept = applicable(INVARIANTS, target).filter(
    (i) => i.ownRuns === undefined && target.knownViolations[i.id] === undefined,
  );
  const samples: number[] = [];
  let events = 0;
  for (let i = 0; i <= repeat; i++) {
    t0 = performance.now();
    const report = runModelPaths(target, kept);
    samples.push(performance.now() - t0);
    events = report.commands;
    if (report.finding !== undefined)
      throw new Error(`${target.id}: ${report.finding.violation.message}`);
  }
  const [first, ...rest] = samples as [number, ...number[]];
  const median = [...rest].sort((a, b) => a - b)[Math.floor(rest.length / 2)] as number;
  console.log(
    `| ${target.id} | ${events} | ${Math.round(first)} | ${Math.round(median)} | ${perSecond(events, median)} |`,
  );
}
