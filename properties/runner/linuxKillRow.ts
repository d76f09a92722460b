/**
 * A real-kernel mutation's row of the kill matrix: the mutation applied to a copy of the tree,
 * the harness built (`make -C harnesses/linux KSRC=TREE BUILD=build/VERSION MUTATION=ID`), and
 * checked as `check --external` checks a harness (no model round) against the invariants the
 * .mut's `breaks:` names, with its `args:`, at the kill matrix's settings.
 *
 * A version with no tree is not checked (the matrix is incomplete, and the reason says how to
 * get one); a mutation whose pattern is not in the tree is not applicable (the tree lacks the
 * fix it undoes: 6.1.192 and "clean up all mappings when pcpu_map_pages() fails"), which is no
 * survival; a failed build is not checked, with make's message.
 */
import { performance } from "node:perf_hooks";
import { findInvariant, type Invariant } from "../invariants/index.ts";
import {
  buildLinuxMutant,
  linuxMutantCommand,
  notApplicable,
  type LinuxMutant,
} from "../linux/linuxMutants.ts";
import { externalTarget } from "../targets.ts";
import { checkTarget } from "./checkTarget.ts";
import { KILL_SETTINGS, rowOfReport, type KillRow, type KillSettings } from "./killMatrix.ts";

export function linuxKillRow(m: LinuxMutant, settings: KillSettings = KILL_SETTINGS): KillRow {
  const expected = m.mutation.breaks;
  const base = {
    mutant: m.id,
    revision: m.revision,
    source: m.source,
    expected,
    caughtBy: [],
    survived: [],
    length: undefined,
    modelLength: undefined,
    ms: 0,
    shrinkMs: 0,
  };
  const info = { mutation: m.mutation.id, version: m.version, tree: m.tree?.dir };
  const unjudged = (verdict: "not-checked" | "not-applicable", reason: string, buildMs = 0) => ({
    ...base,
    notChecked: verdict === "not-checked" ? expected : [],
    verdict,
    reason,
    linux: { ...info, command: undefined, buildMs },
  });
  if (m.tree === undefined) return unjudged("not-checked", m.missing ?? "no tree");
  const inapplicable = notApplicable(m.mutation, m.tree);
  if (inapplicable !== undefined) return unjudged("not-applicable", inapplicable);

  const building = performance.now();
  const built = buildLinuxMutant({ ...m, tree: m.tree });
  const buildMs = performance.now() - building;
  if ("error" in built) return unjudged("not-checked", built.error, buildMs);

  const command = linuxMutantCommand(built.bin, m.mutation.args);
  const target = externalTarget(command);
  const judged = [...expected, ...m.mutation.observes.filter((id) => !expected.includes(id))];
  const invariants = judged.map((id) => findInvariant(id) as Invariant);
  const started = performance.now();
  try {
    const report = checkTarget(target, { ...settings, invariants, model: false });
    // Only `breaks:` decides: the observers were judged for what they ask the harness.
    const results = report.results.filter((r) => expected.includes(r.invariant));
    const row = rowOfReport({ ...report, results }, expected, performance.now() - started);
    // An equivalent mutant that survives, as its .mut argues it must: said so, not a survival.
    const equivalent = m.mutation.equivalent;
    const verdict =
      row.verdict === "survived" && equivalent !== undefined ? "equivalent" : row.verdict;
    return {
      ...base,
      ...row,
      verdict,
      ...(verdict === "equivalent" ? { reason: `equivalent: ${equivalent}` } : {}),
      linux: { ...info, command, buildMs },
    };
  } finally {
    target.close();
  }
}
