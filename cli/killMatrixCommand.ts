/**
 * `pcpu-verify list --mutants [ID...] [--json]`: the kill matrix. Each mutant is checked
 * against the invariants it must break (seed 20051, 200 runs of up to 60 commands, the model's
 * runs where refinement must catch it), and the model's breadth-first paths are run for the
 * shortest failing path inside its scope. Exit 1 if a mutant survives.
 */
import { KILL_SETTINGS, killRow, MUTANT_TARGETS, type KillRow } from "../properties/index.ts";
import { Presets, SingleBar } from "cli-progress";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_OK } from "./exitCodes.ts";
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
    counterexample_length: number | null;
    model_path_length: number | null;
    ms: number;
    shrink_ms: number;
  }[];
}

export function killMatrixCommand(
  ids: readonly string[],
  options: { json?: boolean },
  io: CliIo,
): number {
  const mutants =
    ids.length === 0 ? MUTANT_TARGETS : MUTANT_TARGETS.filter((m) => ids.includes(m.id));
  const rows: KillRow[] = [];
  // A progress bar on a terminal only: piped output and tests stay byte-for-byte stable.
  const bar = io.interactive
    ? new SingleBar(
        { format: "kill matrix [{bar}] {value}/{total} {mutant}", stream: process.stderr },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(mutants.length, 0, { mutant: "" });
  for (const m of mutants) {
    bar?.update(rows.length, { mutant: m.id });
    rows.push(killRow(m));
  }
  bar?.update(rows.length, { mutant: "" });
  bar?.stop();
  const survivors = rows.filter((r) => r.survived.length > 0);
  if (options.json) {
    const json: KillMatrixJson = {
      seed: KILL_SETTINGS.seed,
      runs: KILL_SETTINGS.runs,
      max_commands: KILL_SETTINGS.maxCommands,
      mutants: rows.map((r) => ({
        mutant: r.mutant,
        revision: r.revision,
        source: r.source,
        expected: [...r.expected],
        caught_by: [...r.caughtBy],
        survived: [...r.survived],
        counterexample_length: r.length ?? null,
        model_path_length: r.modelLength ?? null,
        ms: Math.round(r.ms),
        shrink_ms: Math.round(r.shrinkMs),
      })),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return survivors.length > 0 ? EXIT_FAIL : EXIT_OK;
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
    rows.map((r) => [
      r.mutant,
      r.revision,
      r.survived.length > 0 ? `SURVIVED ${r.survived.join(", ")}` : r.caughtBy.join(", "),
      r.length === undefined ? "-" : String(r.length),
      r.modelLength === undefined ? "-" : String(r.modelLength),
      formatDuration(r.ms),
      formatDuration(r.shrinkMs),
      r.source,
    ]),
    "  ",
  );
  const times = rows.map((r) => r.ms).sort((a, b) => a - b);
  const median = times.length === 0 ? 0 : (times[Math.floor((times.length - 1) / 2)] ?? 0);
  io.out(
    `${[
      `kill matrix: ${plural(rows.length, "mutant")}, seed ${KILL_SETTINGS.seed}, ${plural(KILL_SETTINGS.runs, "run")} of up to ${plural(KILL_SETTINGS.maxCommands, "command")}`,
      "  steps: the 1-minimal counterexample; model: the shortest failing path among the model's",
      "  breadth-first paths (- where no path inside its scope breaks it)",
      "",
      ...table,
      "",
      `median time to catch ${formatDuration(median)}; ${survivors.length === 0 ? "every mutant caught" : `${survivors.length} survived: ${survivors.map((r) => r.mutant).join(", ")}`}`,
    ].join("\n")}\n`,
  );
  return survivors.length > 0 ? EXIT_FAIL : EXIT_OK;
}
