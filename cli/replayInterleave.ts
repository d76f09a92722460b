/**
 * `replay` of a failure judged on concurrent rounds (linearizability, data-race,
 * interleaving-safety, between-sections): the file's set-up run to completion on a fresh
 * allocator of its target, its threads run again under its schedule, each section printed as
 * it ran, then what was found.
 *
 *   schedule [0, 0, 1, 1, 0]
 *   T1 alloc 8: request made
 *   T1 alloc 8: area found at chunk 1 off 0x0, lock dropped
 *   T2 free 0x40: free requested
 *   …
 *   violation reproduces: data-race: data-race on pcpu_nr_empty_pop_pages …
 *
 * Exit code 1 if the run still breaks the file's invariant, 0 if it does not. lock-order is
 * judged on the edges of every run of a check together: its file has no single run to replay.
 */
import {
  formatTrace,
  judgeMaterialized,
  threadsFromJson,
  topologyFromJson,
  type CounterexampleFile,
  type Invariant,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_OK } from "./exitCodes.ts";
import { replayHeading } from "./replayHeading.ts";
import { callLabel } from "../impl/sections/index.ts";

type InterleaveFile = CounterexampleFile & {
  interleave: NonNullable<CounterexampleFile["interleave"]>;
};

export function replayInterleave(
  target: Target,
  file: string,
  ce: InterleaveFile,
  invariant: Invariant,
  json: boolean,
  io: CliIo,
): number {
  const config = topologyFromJson(ce.topology);
  const { setup, schedule } = ce.interleave;
  const threads = threadsFromJson(ce.interleave);
  const j = judgeMaterialized(
    target,
    { config, setup, ptrs: [], threads, schedule },
    new Set([invariant.id]),
  );
  const sections = formatTrace(j.run);
  const found = j.findings.find((f) => f.id === invariant.id);
  const reproduced = found !== undefined;
  const message = found?.message ?? `no violation of ${invariant.id} in this run`;
  const drifted = sections.join("\n") !== ce.interleave.sections.join("\n");
  if (json) {
    const out = { file, target: target.id, invariant: invariant.id, reproduced, message };
    io.out(`${JSON.stringify({ ...out, schedule, sections, drifted, steps: [] }, null, 2)}\n`);
    return reproduced ? EXIT_FAIL : EXIT_OK;
  }
  const lines = [
    ...replayHeading(file, target, invariant, config),
    `  set-up     ${setup.length === 0 ? "none" : setup.map((s) => `alloc ${s.size}${s.align > 4 ? ` align ${s.align}` : ""}${s.freed === true ? " (freed)" : ""}`).join(" · ")}`,
    ...threads.map(
      (t) =>
        `  ${t.name.padEnd(9)}  ${t.calls.map(callLabel).join(" · ")}${t.atomic === true ? " (atomic context)" : ""}`,
    ),
    `  expect     ${ce.expect}${ce.expected_by_design ? " (expected by design)" : ""}`,
    "",
    `schedule [${j.run.ran.join(", ")}]`,
    ...sections,
    "",
    ...(drifted
      ? ["(the sections differ from those the file recorded: the target changed)", ""]
      : []),
    reproduced
      ? `violation reproduces: ${invariant.id}: ${message}${ce.expect === "pass" ? " (the file's expect is pass: a regression)" : ""}`
      : message,
  ];
  io.out(`${lines.join("\n")}\n`);
  return reproduced ? EXIT_FAIL : EXIT_OK;
}
