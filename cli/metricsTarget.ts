/**
 * The target of `metrics` and `review`: a revision or mutant by id, or an external harness
 * by command line ("CMD ARGS", docs/protocol.md). Exactly one of the two must be given.
 */
import { ALL_TARGETS, externalTarget, findTarget, type Target } from "../properties/index.ts";
import { listIds } from "./optionParsers.ts";
import { UsageError } from "./usageError.ts";

/** The target that `id` or `external` names; `what` names the options in messages. */
export function resolveTarget(
  id: string | undefined,
  external: string | undefined,
  what: { readonly id: string; readonly external: string },
  harnessTimeoutMs?: number,
): Target {
  if (id !== undefined && external !== undefined) {
    throw new UsageError(`give ${what.id} or ${what.external}, not both`);
  }
  if (external !== undefined) return externalTarget(external, { timeoutMs: harnessTimeoutMs });
  if (id === undefined) {
    throw new UsageError(`${what.id} <id> or ${what.external} "CMD ARGS" is required`);
  }
  const target = findTarget(id);
  if (target === undefined) {
    throw new UsageError(
      `${what.id}: unknown target '${id}'; expected one of ${listIds(ALL_TARGETS.map((t) => t.id))}`,
    );
  }
  return target;
}
