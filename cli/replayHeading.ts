/**
 * The first lines of every `replay` report (of steps, of a churn workload, of interleaved
 * threads): the file, its target and what kind of target, the invariant, the topology.
 */
import type { BootConfig } from "../impl/index.ts";
import type { Invariant, Target } from "../properties/index.ts";
import { formatTopology } from "./format.ts";

export function replayHeading(
  file: string,
  target: Target,
  invariant: Invariant,
  config: BootConfig,
): string[] {
  const kind = target.kind === "mutant" ? `mutant of ${target.revision ?? "?"}` : target.kind;
  return [
    `replay ${file}`,
    `  target     ${target.id} (${kind})`,
    `  invariant  ${invariant.id}: ${invariant.title}`,
    `  topology   ${formatTopology(config)}`,
  ];
}
