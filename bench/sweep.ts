/**
 * The exhaustive ENOMEM sweep per revision (section 8 of `npm run bench`; alone:
 * `npm run bench:sweep`): page allocations N of the clean run, runs, how each armed failure
 * ended (answered ENOMEM, or absorbed by deferred work that retried), findings, the retained
 * pool's bound for the sweep's topology and its peak of live objects, and the median time of 3.
 */
import { pathToFileURL } from "node:url";
import {
  ENOMEM_SWEEP_CONFIG,
  enomemSweep,
  REVISION_TARGETS,
  type EnomemSweepReport,
} from "../properties/index.ts";
import { measure } from "./measure.ts";

export function logSweepTable(log: (line: string) => void): void {
  log(
    "8. the ENOMEM sweep: an injected failure at every page allocation of one workload (median of 3)",
  );
  log("| revision | N | runs | ENOMEM answered | absorbed | findings | pool bound | median ms |");
  log("|---|---|---|---|---|---|---|---|");
  for (const target of REVISION_TARGETS) {
    let report: EnomemSweepReport | undefined;
    const m = measure(() => {
      report = enomemSweep(target);
    }, 3);
    const r = report as EnomemSweepReport;
    const peak = r.workload.filter((s) => s.op === "alloc").length;
    const bound = target.pool?.bound(ENOMEM_SWEEP_CONFIG, peak);
    const pool = bound === undefined ? "none" : `${bound.pages} pages, ${bound.vmBytes} vm bytes`;
    log(
      `| ${target.id} | ${r.pageAllocations ?? "-"} | ${r.runs} | ${r.enomemAnswers} | ${r.absorbed} | ${r.findings.length} | ${pool} | ${m.medianMs.toFixed(0)} |`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  logSweepTable((line) => console.log(line));
}
