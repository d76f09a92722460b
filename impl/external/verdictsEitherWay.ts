/**
 * Test helper: a harness checked with a protocol extension (batch, digest) and without, at the
 * same seed, as verdicts that must be equal both ways: the statuses, the steps and topologies of
 * the counterexamples, their messages without what legitimately differs.
 */
import { checkTarget, externalTarget, type TargetReport } from "../../properties/index.ts";
import { HarnessPool } from "./harnessPool.ts";

const OPTIONS = { timeoutMs: 60_000 } as const;

/**
 * A message as both ways must give it: without the harness's command line (one has the flag
 * that turns the extension off) and without the harness's stderr, whose request ids count the
 * requests sent, which batches and digests change.
 */
function sameEitherWay(message: string | undefined, command: string): string | undefined {
  return message?.replace(`harness "${command}": `, "").split("\nharness stderr")[0];
}

/** What a check found, as the same seed must find it: statuses, steps, counterexamples. */
function verdicts(report: TargetReport, command: string) {
  return {
    commands: report.commands,
    results: report.results.map((r) => ({
      invariant: r.invariant,
      status: r.status,
      steps: r.counterexample?.steps,
      message: sameEitherWay(r.counterexample?.message, command),
      topology: r.counterexample?.config,
    })),
  };
}

/**
 * Checks `command` (runs at seed 20051, no model round): whether its hello offers
 * `extension`, and the verdicts.
 */
export function checkedWith(
  command: string,
  runs: number,
  extension: "batch" | "digest",
): { offered: boolean; verdicts: ReturnType<typeof verdicts> } {
  const pool = new HarnessPool(command, OPTIONS);
  let offered: boolean;
  try {
    offered = pool.info()[extension] === true;
  } finally {
    pool.close();
  }
  const target = externalTarget(command, OPTIONS);
  try {
    const report = checkTarget(target, { seed: 20051, runs, maxCommands: 60, model: false });
    return { offered, verdicts: verdicts(report, command) };
  } finally {
    target.close();
  }
}
