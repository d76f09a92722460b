/**
 * `pcpu-verify replay FILE [--json]`: runs a counterexample file's steps again on its target,
 * printing what each step returned (`alloc(1, 1) -> -ENOMEM`, `free(o1) -> 0`) and the state
 * after it, and says whether the violation still happens.
 *
 * Exit code 1 if the violation reproduces, 0 if it no longer does, 2 if the file is malformed
 * or names a target or invariant this build does not have, 3 if an external harness crashed,
 * hung or broke the protocol during the replay (a file whose "invariant" is `harness-crash`,
 * `harness-hang` or `protocol-error` records such a failure: it reproduces with exit 3).
 *
 * A file of an external target is replayed against its harness: `--external "CMD ARGS"` (run
 * here), or the file's `target.command`, run in the file's `target.cwd` (the folder it was
 * given in) when that folder exists, so that a relative command works from any folder.
 */
import { existsSync, statSync } from "node:fs";
import { formatAddr } from "../impl/index.ts";
import { HarnessFailure, isHarnessFailureKind } from "../impl/external/index.ts";
import {
  BootFailure,
  CounterexampleFileError,
  INVARIANTS,
  MUTANT_TARGETS,
  REVISION_TARGETS,
  asExternal,
  describeStep,
  externalTarget,
  replaySteps,
  findInvariant,
  readCounterexample,
  replayCounterexample,
  topologyFromJson,
  type CounterexampleFile,
  type ReplayResult,
  type Session,
  type Step,
  type Target,
  type TargetJson,
} from "../properties/index.ts";
import { replayDiffCommand } from "./diffReplay.ts";
import { replayChurn } from "./replayChurn.ts";
import { replayInterleave } from "./replayInterleave.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { formatCpuList, formatPagesByNode, formatTopology, plural } from "./format.ts";
import { replayHeading } from "./replayHeading.ts";
import { listIds } from "./optionParsers.ts";
import { UsageError } from "./usageError.ts";

export interface ReplayOptions {
  readonly json?: boolean;
  /** The harness for a file of an external target (default: the file's target.command). */
  readonly external?: string;
  /** How long to wait for each harness answer, in ms (default 5000). */
  readonly harnessTimeout?: number;
}

/** The copies shown per object in the human trace; the rest are elided with "…". */
export const SHOWN_CPUS = 8;

export interface LiveObjectJson {
  name: string;
  ptr: string;
  /** Address of each possible CPU's copy (hex), or the error code `ptr` answered. */
  copies: Record<string, string>;
}

export interface StateJson {
  live: LiveObjectJson[];
  present: number[];
  online: number[];
  pages_by_node: number[];
}

export interface ReplayStepJson extends StateJson {
  /** Index of the step in the file's `commands`. */
  index: number;
  step: Step;
  /**
   * What the step returned, as the kernel would print it: a pointer (`0x200000000000`), `0`
   * for a success with no value, or the negated error code (`-ENOMEM`, `-EINVAL`, `-EFAULT`).
   */
  returned?: string;
}

export interface ReplayJson {
  file: string;
  target: string;
  invariant: string;
  reproduced: boolean;
  message: string;
  steps: ReplayStepJson[];
}

/** The state a session is in: live objects and their copies, CPU sets, pages held. */
export function snapshot(session: Session): StateJson {
  const live = session.model.liveObjects().map((o) => {
    const copies: Record<string, string> = {};
    for (const cpu of session.model.possible) {
      copies[String(cpu)] = copyAddr(session, o.ptr, cpu);
    }
    return { name: o.name, ptr: formatAddr(o.ptr), copies };
  });
  let stats: ReturnType<Session["allocator"]["stats"]> | undefined;
  try {
    stats = session.allocator.stats();
  } catch {
    stats = undefined;
  }
  return {
    live,
    present: [...session.model.present].sort((a, b) => a - b),
    online: [...session.model.online].sort((a, b) => a - b),
    pages_by_node: stats?.ok ? [...stats.value.pagesByNode] : [],
  };
}

/** per_cpu_ptr(ptr, cpu) as hex, or the error code; an allocator that throws says so. */
function copyAddr(session: Session, ptr: number, cpu: number): string {
  try {
    const addr = session.allocator.ptr(ptr, cpu);
    return addr.ok ? formatAddr(addr.value) : addr.error;
  } catch (e) {
    return `threw ${e instanceof Error ? e.name : "an exception"}`;
  }
}

/** The target a file records (`field` names it in messages: "target", or a diff's "diff.head"). */
export function findReplayTarget(
  file: string,
  recordedTarget: TargetJson,
  options: ReplayOptions,
  field = "target",
): Target {
  const { kind, id } = recordedTarget;
  if (kind === "external") {
    const command = options.external ?? recordedTarget.command;
    if (command === undefined) {
      throw new UsageError(
        `${file}: field ${field}.command: missing; an external target is replayed against its harness: give --external "CMD ARGS"`,
      );
    }
    // The recorded command means what it meant in the folder it was given in; a command given
    // here (--external) means what it means here.
    const recorded = options.external === undefined ? recordedTarget.cwd : undefined;
    const cwd = recorded !== undefined && isDirectory(recorded) ? recorded : process.cwd();
    return externalTarget(command, { timeoutMs: options.harnessTimeout, cwd });
  }
  const pool: readonly Target[] = kind === "mutant" ? MUTANT_TARGETS : REVISION_TARGETS;
  const target = pool.find((t) => t.id === id);
  if (target === undefined) {
    throw new UsageError(
      `${file}: field ${field}.id: unknown ${kind} "${id}"; valid ${kind}s: ${listIds(pool.map((t) => t.id))}`,
    );
  }
  return target;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function replayCommand(file: string, options: ReplayOptions, io: CliIo): number {
  let ce: CounterexampleFile;
  if (!existsSync(file)) {
    throw new UsageError(
      `${file}: no such file; expected a counterexample file (JSON, as pcpu-verify check writes)`,
    );
  }
  try {
    ce = readCounterexample(file);
  } catch (e) {
    if (e instanceof CounterexampleFileError) throw new UsageError(e.message);
    throw e;
  }
  // A difference of two targets is replayed on both, side by side.
  if (ce.diff !== undefined) return replayDiffCommand(file, ce, options, io);
  const target = findReplayTarget(file, ce.target, options);
  try {
    return replayOn(target, file, ce, options, io);
  } finally {
    asExternal(target)?.close();
  }
}

/** A harness failure during a replay: what failed and the steps the file gives (exit 3). */
function harnessReport(
  file: string,
  target: Target,
  ce: CounterexampleFile,
  failure: HarnessFailure,
  options: ReplayOptions,
  io: CliIo,
): number {
  const same = failure.kind === ce.invariant;
  const message = `${same ? "the harness failure reproduces" : `the harness failed (${failure.kind})`}: ${failure.message}`;
  if (options.json) {
    io.out(
      `${JSON.stringify({ file, target: target.id, invariant: ce.invariant, reproduced: same, status: failure.kind, message, steps: [] }, null, 2)}\n`,
    );
    return EXIT_HARNESS;
  }
  io.out(
    `${[
      `replay ${file}`,
      `  target     ${target.id} (external)`,
      `  recorded   ${ce.invariant}`,
      `  topology   ${formatTopology(topologyFromJson(ce.topology))}`,
      "",
      ...ce.commands.map((step, i) => `${String(i).padStart(3)}  ${describeStep(step)}`),
      "",
      message,
    ].join("\n")}\n`,
  );
  return EXIT_HARNESS;
}

function replayOn(
  target: Target,
  file: string,
  ce: CounterexampleFile,
  options: ReplayOptions,
  io: CliIo,
): number {
  if (isHarnessFailureKind(ce.invariant)) {
    try {
      const r = replaySteps(target, topologyFromJson(ce.topology), ce.commands, []);
      if (r.violation === undefined) {
        io.out(
          options.json
            ? `${JSON.stringify({ file, target: target.id, invariant: ce.invariant, reproduced: false, message: "the harness answered every step", steps: [] }, null, 2)}\n`
            : `replay ${file}\nthe harness answered every step: the ${ce.invariant} no longer happens\n`,
        );
        return EXIT_OK;
      }
    } catch (e) {
      if (e instanceof HarnessFailure) return harnessReport(file, target, ce, e, options, io);
      throw e;
    }
  }
  const invariant = findInvariant(ce.invariant);
  if (invariant === undefined) {
    throw new UsageError(
      `${file}: field invariant: unknown invariant "${ce.invariant}"; valid invariants: ${listIds(INVARIANTS.map((i) => i.id))}`,
    );
  }
  // A failure judged on concurrent rounds is its threads, run again (cli/replayInterleave.ts).
  if (invariant.id === "lock-order" && ce.interleave === undefined) {
    throw new UsageError(
      `${file}: lock-order is judged on the lock edges of every run of a check together, not on one run: the file's message names each edge of the cycle and the run it was first seen in; check the target again to see it`,
    );
  }
  if (ce.interleave !== undefined || invariant.ownRuns === "interleavings") {
    if (ce.interleave === undefined) {
      throw new UsageError(
        `${file}: field interleave: missing; ${invariant.id} is judged on concurrent rounds, and its file gives the threads and the schedule`,
      );
    }
    return replayInterleave(
      target,
      file,
      { ...ce, interleave: ce.interleave },
      invariant,
      options.json === true,
      io,
    );
  }
  // A failure judged on churn rounds is its workload, run again (cli/replayChurn.ts).
  if (ce.churn !== undefined || invariant.ownRuns !== undefined) {
    if (ce.churn === undefined) {
      throw new UsageError(
        `${file}: field churn: missing; ${invariant.id} is judged on churn rounds, and its file gives the workload`,
      );
    }
    try {
      return replayChurn(
        target,
        file,
        { ...ce, churn: ce.churn },
        invariant,
        options.json === true,
        io,
      );
    } catch (e) {
      if (e instanceof HarnessFailure) return harnessReport(file, target, ce, e, options, io);
      throw e;
    }
  }
  const config = topologyFromJson(ce.topology);
  const states = new Map<number, StateJson>();
  let result: ReplayResult;
  try {
    result = replayCounterexample(
      ce,
      target,
      invariant,
      (i, session) => states.set(i, snapshot(session)),
      file,
    );
  } catch (e) {
    if (e instanceof BootFailure) throw new UsageError(`${file}: field topology: ${e.message}`);
    if (e instanceof CounterexampleFileError) throw new UsageError(e.message);
    if (e instanceof HarnessFailure) return harnessReport(file, target, ce, e, options, io);
    throw e;
  }
  const { violation, session } = result;
  // The breaking step ran but `onStep` was not called for it: its state is the session's now.
  // A violation in the end-of-run teardown has the index the next step would have had.
  const broke =
    violation !== undefined &&
    violation.stepIndex >= 0 &&
    violation.stepIndex === result.ran.length - 1
      ? result.ran[result.ran.length - 1]
      : undefined;
  if (broke !== undefined) states.set(broke, snapshot(session));
  const reproduced = violation?.invariant === invariant.id;
  const message = reproduced
    ? (violation?.detail ?? "")
    : violation !== undefined
      ? `another violation, not ${invariant.id}: ${violation.invariant}: ${violation.detail}`
      : `no violation: the file's expect is ${ce.expect}`;

  if (options.json) {
    const json: ReplayJson = {
      file,
      target: target.id,
      invariant: invariant.id,
      reproduced,
      message,
      steps: [...states.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, state]) => {
          const returned = result.returned.get(index);
          return {
            index,
            step: ce.commands[index] as Step,
            ...(returned !== undefined ? { returned } : {}),
            ...state,
          };
        }),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return reproduced ? EXIT_FAIL : EXIT_OK;
  }

  const lines = [
    ...replayHeading(file, target, invariant, config),
    `  expect     ${ce.expect}${ce.expected_by_design ? " (expected by design)" : ""}`,
    "",
    `boot: present ${formatCpuList(config.present)}; online ${formatCpuList(config.online)}; pages held ${formatPagesByNode(session.baseline.pagesByNode)}`,
  ];
  ce.commands.forEach((step, i) => {
    const state = states.get(i);
    const returned = state !== undefined ? result.returned.get(i) : undefined;
    const head = `${String(i).padStart(3)}  ${describeReturn(step, returned)}`;
    if (violation !== undefined && broke !== undefined && i > broke) {
      lines.push(`${head}   (not run: the violation came first)`);
    } else if (state === undefined) {
      lines.push(
        `${head}   (skipped: names an object the run does not have, or an operation the target lacks)`,
      );
    } else {
      lines.push(head, ...describeState(state).map((l) => `       ${l}`));
      if (i === broke) lines.push(`       ^ ${violation?.invariant} breaks here`);
    }
  });
  if (violation !== undefined && broke === undefined) {
    lines.push(
      violation.step !== undefined
        ? `end of run: the teardown's ${describeStep(violation.step)} broke ${violation.invariant}`
        : "end of run: every live object freed and deferred work run; the end-of-run checks objected",
    );
  }
  if (session.diverged && violation === undefined) {
    lines.push(
      "the run stopped early: the allocator contradicted the model where this invariant does not judge",
    );
  }
  lines.push(
    "",
    reproduced
      ? `violation reproduces: ${invariant.id}: ${message}${ce.expect === "pass" ? " (the file's expect is pass: a regression)" : ""}`
      : message,
  );
  io.out(`${lines.join("\n")}\n`);
  return reproduced ? EXIT_FAIL : EXIT_OK;
}

/**
 * A step and what it returned: `free(o1) -> 0`, `write(0x10, 1 bytes 0xab) -> -EFAULT`. An
 * allocation names its object and then its pointer, `alloc(24, 8) -> o1 = 0x200000000000`, or,
 * refused, makes no object: `alloc(1, 1) -> -ENOMEM`.
 */
export function describeReturn(step: Step, returned: string | undefined): string {
  const text = describeStep(step);
  if (returned === undefined) return text;
  if (step.op !== "alloc") return `${text} -> ${returned}`;
  if (returned.startsWith("0x")) return `${text} = ${returned}`;
  const named = ` -> ${step.as}`;
  return `${text.endsWith(named) ? text.slice(0, -named.length) : text} -> ${returned}`;
}

/** A state as lines: the live objects with their copies, the CPU sets, the pages held. */
function describeState(state: StateJson): string[] {
  const objects = state.live.map((o) => {
    const cpus = Object.entries(o.copies);
    const shown = cpus.slice(0, SHOWN_CPUS).map(([cpu, addr]) => `cpu${cpu} ${addr}`);
    const more = cpus.length > SHOWN_CPUS ? `, … (${plural(cpus.length, "possible CPU")})` : "";
    return `${o.name} = ${o.ptr}: ${shown.join(", ")}${more}`;
  });
  return [
    ...(objects.length === 0 ? ["no live objects"] : objects),
    `present ${formatCpuList(state.present)}; online ${formatCpuList(state.online)}; pages held ${formatPagesByNode(state.pages_by_node)}`,
  ];
}
