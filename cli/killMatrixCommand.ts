/**
 * `pcpu-verify list --mutants [ID...] [--json] [--allow-incomplete]`: the kill matrix. Each
 * in-process mutant is checked against the invariants it must break (seed 20051, 200 runs of up
 * to 60 commands, the model's runs where refinement must catch it), and the model's
 * breadth-first paths are run for the shortest failing path inside its scope. Each real-kernel
 * mutation (harnesses/linux/mutations) is built from each Linux tree found and checked as
 * `check --external` checks a harness, at the same settings (properties/runner/linuxKillRow.ts).
 *
 * Exit (cli/exitCodes.ts, as `check`): 1 if a mutant survived, 3 if a harness crashed, hung or
 * broke the protocol, 4 if a row was not checked (no tree, a failed build) unless
 * --allow-incomplete; a mutation not applicable to a tree (its pattern is not there) counts
 * for nothing.
 */
import {
  KILL_SETTINGS,
  killRow,
  linuxKillRow,
  MUTANT_TARGETS,
  type KillRow,
  type KillSettings,
  type KillVerdict,
  type LinuxMutant,
} from "../properties/index.ts";
import { isHarnessFailureKind } from "../impl/external/index.ts";
import { Presets, SingleBar } from "cli-progress";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_INCOMPLETE, worstExit } from "./exitCodes.ts";
import { formatDuration, formatTable, plural } from "./format.ts";

export interface KillMatrixJson {
  seed: number;
  runs: number;
  max_commands: number;
  mutants: {
    mutant: string;
    revision: string;
    source: string;
    expected: string[];
    caught_by: string[];
    survived: string[];
    /** Invariants not judged (no tree, a failed build, a missing capability). */
    not_checked: string[];
    verdict: KillVerdict;
    /** Why it was not checked, does not apply, or what its harness did; else null. */
    reason: string | null;
    counterexample_length: number | null;
    model_path_length: number | null;
    ms: number;
    shrink_ms: number;
    /** A real-kernel mutation's row: the .mut, the tree, the harness checked; else null. */
    linux: {
      mutation: string;
      version: string;
      tree: string | null;
      command: string | null;
      build_ms: number;
    } | null;
  }[];
  /** Some row was not checked. */
  incomplete?: true;
  /** The exit code of this run (cli/exitCodes.ts). */
  exit_code: number;
}

export interface KillMatrixOptions {
  readonly json?: boolean;
  readonly allowIncomplete?: boolean;
}

/**
 * `ids` selects rows (none: all); `linux` are the real-kernel rows to consider (main.ts reads
 * them, with the trees of the environment), `settings` the budget of every row.
 */
export function killMatrixCommand(
  ids: readonly string[],
  options: KillMatrixOptions,
  io: CliIo,
  linux: readonly LinuxMutant[] = [],
  settings: KillSettings = KILL_SETTINGS,
): number {
  const pick = <T extends { id: string }>(all: readonly T[]) =>
    ids.length === 0 ? all : all.filter((m) => ids.includes(m.id));
  const mutants = pick(MUTANT_TARGETS);
  const kernels = pick(linux);
  const rows: KillRow[] = [];
  // A progress bar on a terminal only: piped output and tests stay byte-for-byte stable.
  const bar = io.interactive
    ? new SingleBar(
        { format: "kill matrix [{bar}] {value}/{total} {mutant}", stream: process.stderr },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(mutants.length + kernels.length, 0, { mutant: "" });
  for (const m of mutants) {
    bar?.update(rows.length, { mutant: m.id });
    rows.push(killRow(m, settings));
  }
  for (const m of kernels) {
    bar?.update(rows.length, { mutant: `${m.id} (${m.revision})` });
    rows.push(linuxKillRow(m, settings));
  }
  bar?.update(rows.length, { mutant: "" });
  bar?.stop();
  const survivors = rows.filter((r) => r.verdict === "survived");
  const crashed = rows.filter((r) => isHarnessFailureKind(r.verdict));
  const notChecked = rows.filter((r) => r.verdict === "not-checked");
  const inapplicable = rows.filter((r) => r.verdict === "not-applicable");
  const equivalent = rows.filter((r) => r.verdict === "equivalent");
  const code = worstExit([
    ...(crashed.length > 0 ? [EXIT_HARNESS] : []),
    ...(survivors.length > 0 ? [EXIT_FAIL] : []),
    ...(notChecked.length > 0 && !options.allowIncomplete ? [EXIT_INCOMPLETE] : []),
  ]);
  if (options.json) {
    const json: KillMatrixJson = {
      seed: settings.seed,
      runs: settings.runs,
      max_commands: settings.maxCommands,
      mutants: rows.map(rowJson),
      ...(notChecked.length > 0 ? { incomplete: true as const } : {}),
      exit_code: code,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return code;
  }
  const table = formatTable(
    [
      { header: "mutant" },
      { header: "revision" },
      { header: "caught by" },
      { header: "steps", align: "right" },
      { header: "model", align: "right" },
      { header: "time", align: "right" },
      { header: "shrinking", align: "right" },
      { header: "source" },
    ],
    rows.map((r) => {
      const judged = r.verdict !== "not-checked" && r.verdict !== "not-applicable";
      return [
        r.mutant,
        r.revision,
        verdictCell(r),
        r.length === undefined ? "-" : String(r.length),
        r.modelLength === undefined ? "-" : String(r.modelLength),
        judged ? formatDuration(r.ms) : "-",
        judged ? formatDuration(r.shrinkMs) : "-",
        r.source,
      ];
    }),
    "  ",
  );
  // A reason too long for its cell is written once under the table.
  const notes = [
    ...new Set(rows.flatMap((r) => (r.reason !== undefined && !inCell(r) ? [r.reason] : []))),
  ];
  const times = rows
    .filter((r) => r.verdict === "caught" || r.verdict === "survived" || r.verdict === "equivalent")
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const median = times.length === 0 ? 0 : (times[Math.floor((times.length - 1) / 2)] ?? 0);
  const versions = [...new Set(kernels.map((m) => m.version))];
  const mutations = new Set(kernels.map((m) => m.mutation.id)).size;
  const name = (r: KillRow) => (r.linux ? `${r.mutant} (${r.revision})` : r.mutant);
  const outcome = [
    survivors.length === 0 && crashed.length === 0
      ? equivalent.length > 0
        ? "every other mutant caught"
        : "every mutant caught"
      : [
          ...(survivors.length > 0
            ? [`${survivors.length} survived: ${survivors.map(name).join(", ")}`]
            : []),
          ...(crashed.length > 0
            ? [`${plural(crashed.length, "harness")} failed: ${crashed.map(name).join(", ")}`]
            : []),
        ].join("; "),
    ...(inapplicable.length > 0 ? [`${inapplicable.length} not applicable`] : []),
    ...(equivalent.length > 0
      ? [
          `${equivalent.length} equivalent (survived, as argued): ${equivalent.map(name).join(", ")}`,
        ]
      : []),
    ...(notChecked.length > 0
      ? [
          `${notChecked.length} not checked (${options.allowIncomplete ? "--allow-incomplete: not counted" : "incomplete: exit 4 unless --allow-incomplete"})`,
        ]
      : []),
  ];
  io.out(
    `${[
      `kill matrix: ${[
        ...(mutants.length > 0 || kernels.length === 0 ? [plural(mutants.length, "mutant")] : []),
        ...(kernels.length > 0
          ? [`${plural(mutations, "real-kernel mutation")} on linux ${versions.join(" and ")}`]
          : []),
      ].join(
        ", ",
      )}, seed ${settings.seed}, ${plural(settings.runs, "run")} of up to ${plural(settings.maxCommands, "command")}`,
      "  steps: the 1-minimal counterexample; model: the shortest failing path among the model's",
      "  breadth-first paths (- where no path inside its scope breaks it)",
      ...(kernels.length > 0
        ? [
            "  linux-*: harnesses/linux/mutations/*.mut applied to the kernel's own mm/percpu*, built",
            "  from each tree found and checked as check --external checks a harness (no model)",
          ]
        : []),
      "",
      ...table,
      ...(notes.length > 0 ? ["", ...notes] : []),
      "",
      `median time to catch ${formatDuration(median)}; ${outcome.join("; ")}`,
    ].join("\n")}\n`,
  );
  return code;
}

/** Whether the row's reason fits its cell (a short one: not applicable's pattern, a crash's kind). */
function inCell(r: KillRow): boolean {
  return r.verdict === "not-applicable";
}

function verdictCell(r: KillRow): string {
  switch (r.verdict) {
    case "caught":
      return r.caughtBy.join(", ");
    case "survived":
      return `SURVIVED ${r.survived.join(", ")}`;
    case "equivalent":
      return `equivalent (passed ${r.survived.join(", ")})`;
    case "not-applicable":
      return r.reason ?? "not applicable";
    case "not-checked":
      return r.linux?.tree === undefined && r.linux !== undefined
        ? `not checked: no linux ${r.linux.version} tree`
        : `not checked: ${r.notChecked.join(", ")}`;
    default:
      return `${r.verdict.toUpperCase()} (${r.expected.join(", ")})`;
  }
}

function rowJson(r: KillRow): KillMatrixJson["mutants"][number] {
  return {
    mutant: r.mutant,
    revision: r.revision,
    source: r.source,
    expected: [...r.expected],
    caught_by: [...r.caughtBy],
    survived: [...r.survived],
    not_checked: [...r.notChecked],
    verdict: r.verdict,
    reason: r.reason ?? null,
    counterexample_length: r.length ?? null,
    model_path_length: r.modelLength ?? null,
    ms: Math.round(r.ms),
    shrink_ms: Math.round(r.shrinkMs),
    linux:
      r.linux === undefined
        ? null
        : {
            mutation: r.linux.mutation,
            version: r.linux.version,
            tree: r.linux.tree ?? null,
            command: r.linux.command ?? null,
            build_ms: Math.round(r.linux.buildMs),
          },
  };
}
