/**
 * Counterexample files: a shrunk, 1-minimal failing run as JSON that a person can read and
 * edit, and that `replay` and the test suite run again.
 *
 *   {
 *     "schema": 1,
 *     "target": { "kind": "mutant", "id": "kiran-zero-online-only", "revision": "kiran-2005-09" },
 *                (an external one: { "kind": "external", "id": ..., "command": "build/h --x",
 *                 "cwd": "/home/me/h" }: the command as given, and the folder it was given in)
 *     (a difference of two targets, from `diff`: "target" is BASE, "invariant" is "diff", and
 *      "diff": { "head": { HEAD, as "target" }, "compare": ["outcomes", "placement"],
 *                "field": "o2.offset" })
 *     "invariant": "zero-on-alloc",
 *     "message": "o1@cpu1 reads 0xa5 at offset 0 ...",
 *     "expect": "fail",              (fail: still breaks on its target; pass: records a fix)
 *     "topology": { "nr_cpus": 8, "possible": [0, 1], ... },
 *     "seed": 42, "path": "3:1:0",
 *     "commands": [
 *       {"op":"cpu_down","cpu":1},
 *       {"op":"alloc","size":4,"align":4,"as":"o1"}
 *     ]
 *   }
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import type { BootConfig } from "../../impl/index.ts";
import { topologyProblem } from "../../impl/machine/index.ts";
import { splitShellWords } from "../../impl/external/index.ts";
import { systemEventSchema } from "../../model/systemEventSchema.ts";
import { namesMade } from "../engine/ops/index.ts";
import { describeStep, stepSchema, type Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { asExternal } from "../targets.ts";
import { COMPARE_ASPECTS } from "../diff/compareViews.ts";
import { churnParamsSchema } from "../workloads/churnRounds.ts";
import type { InvariantResult } from "./checkTarget.ts";
import type { ChurnCounterexample } from "./churnCheck.ts";
import { interleaveSchema, interleaveToJson } from "./interleaveFile.ts";

export const COUNTEREXAMPLE_SCHEMA = 1;

const cpuList = z.array(z.number().int().min(0));

export const topologySchema = z
  .object({
    nr_cpus: z.number().int(),
    possible: cpuList,
    present: cpuList,
    online: cpuList,
    cpu_to_node: z.array(z.number().int().min(0)),
    nr_nodes: z.number().int(),
    page_size: z.number().int(),
    pages_per_node: z.number().int().optional(),
    vmalloc_bytes: z.number().int().optional(),
  })
  .strict();

export type TopologyJson = z.infer<typeof topologySchema>;

/** An event of the system machine (model/systemMachine.ts), as its menu makes them. */
export const machineEventSchema = systemEventSchema;

const targetSchema = z
  .object({
    kind: z.enum(["revision", "mutant", "external"]),
    id: z.string().min(1),
    revision: z.string().optional(),
    /** An external target's harness command, as given to `--external`. */
    command: z.string().optional(),
    /** The folder that command was given in: `replay` runs the harness there. */
    cwd: z.string().optional(),
  })
  .strict();

export type TargetJson = z.infer<typeof targetSchema>;

/** The invariant of a difference between two targets (`diff`): `target` is BASE. */
export const DIFF_INVARIANT = "diff";

/** A difference's second target and what was compared: `target` is BASE, `head` HEAD. */
const diffSchema = z
  .object({
    head: targetSchema,
    compare: z.array(z.enum(COMPARE_ASPECTS)).min(1),
    /** The first field that differs: `outcome`, `o2.offset`, `pages_by_node[1]`, ... */
    field: z.string().min(1),
  })
  .strict();

const fraction = z.number().min(0);

/**
 * A failure judged on churn rounds (`utilization-after-churn`): the workload, the threshold,
 * and the utilization it measured (after the first batch; each round's trough after the frees
 * and level after the refill), for people to read; `replay` and `metrics` run the workload
 * again. `commands` is then empty.
 */
const churnSchema = z
  .object({
    workload: churnParamsSchema,
    threshold: z.number().gt(0).max(1),
    after_alloc: fraction.optional(),
    rounds: z
      .array(
        z
          .object({
            round: z.number().int().min(1),
            after_free: fraction,
            after_refill: fraction,
            blocks: z.number().int().min(0).nullable(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type ChurnFileJson = z.infer<typeof churnSchema>;

export const counterexampleSchema = z
  .object({
    schema: z.literal(COUNTEREXAMPLE_SCHEMA),
    target: targetSchema,
    /** A difference between two targets (`invariant` is then "diff"). */
    diff: diffSchema.optional(),
    invariant: z.string().min(1),
    message: z.string(),
    expect: z.enum(["fail", "pass"]),
    expected_by_design: z.boolean().optional(),
    topology: topologySchema,
    seed: z.number().int().optional(),
    path: z.string().optional(),
    commands: z.array(stepSchema),
    /** For a failure judged against the model (refinement): the machine's events, replayed
     * with the model beside the allocator; `commands` is then what they ran. */
    machine_events: z.array(machineEventSchema).optional(),
    /** A no-oops failure raised by what these invariants observe: judged beside it on replay. */
    observers: z.array(z.string().min(1)).optional(),
    /** A failure judged on churn rounds: its workload (`commands` is empty). */
    churn: churnSchema.optional(),
    /** A failure judged on concurrent rounds: its threads and schedule (`commands` is empty). */
    interleave: interleaveSchema.optional(),
  })
  .strict();

export type CounterexampleFile = z.infer<typeof counterexampleSchema>;

export function topologyToJson(c: BootConfig): TopologyJson {
  return {
    nr_cpus: c.nrCpus,
    possible: [...c.possible],
    present: [...c.present],
    online: [...c.online],
    cpu_to_node: [...c.cpuToNode],
    nr_nodes: c.nrNodes,
    page_size: c.pageSize,
    ...(c.pagesPerNode !== undefined ? { pages_per_node: c.pagesPerNode } : {}),
    ...(c.vmallocBytes !== undefined ? { vmalloc_bytes: c.vmallocBytes } : {}),
  };
}

export function topologyFromJson(t: TopologyJson): BootConfig {
  return {
    nrCpus: t.nr_cpus,
    possible: t.possible,
    present: t.present,
    online: t.online,
    cpuToNode: t.cpu_to_node,
    nrNodes: t.nr_nodes,
    pageSize: t.page_size,
    ...(t.pages_per_node !== undefined ? { pagesPerNode: t.pages_per_node } : {}),
    ...(t.vmalloc_bytes !== undefined ? { vmallocBytes: t.vmalloc_bytes } : {}),
  };
}

/** A bad counterexample file: the message names the file and the field. */
export class CounterexampleFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "CounterexampleFileError";
  }
}

/** Parses a counterexample from JSON text; errors name the file and the field. */
export function parseCounterexample(text: string, file: string): CounterexampleFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CounterexampleFileError(file, `not JSON: ${(e as Error).message}`);
  }
  const parsed = counterexampleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new CounterexampleFileError(file, `field ${where}: ${issue?.message ?? "invalid"}`);
  }
  // The topology's rules are checked here, before any boot, so that a hand-edited topology is
  // refused by its field rather than by the allocator it was to boot.
  const problem = topologyProblem(topologyFromJson(parsed.data.topology));
  if (problem !== undefined) {
    throw new CounterexampleFileError(file, `field topology.${problem.field}: ${problem.message}`);
  }
  const names = new Set<string>();
  parsed.data.commands.forEach((s: Step, i: number) => {
    const made = namesMade(s);
    if (made.length > 0) {
      for (const name of made) {
        if (names.has(name))
          throw new CounterexampleFileError(file, `field commands.${i}.as: ${name} is made twice`);
        names.add(name);
      }
      return;
    }
    // A step that names an object no earlier step makes would be skipped by the replay, which
    // then reports "no violation": a hand-edited file must not read as a fix.
    const obj = "obj" in s ? s.obj : undefined;
    if (obj !== undefined && !names.has(obj)) {
      throw new CounterexampleFileError(
        file,
        `field commands.${i}: step ${i}, ${describeStep(s)}, names ${obj}, which no earlier step makes (expected an earlier {"op":"alloc",...,"as":"${obj}"})`,
      );
    }
  });
  return parsed.data;
}

export function readCounterexample(file: string): CounterexampleFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CounterexampleFileError(file, `cannot read: ${(e as Error).message}`);
  }
  return parseCounterexample(text, file);
}

/** JSON text with one command per line, for people to read and edit. */
export function formatCounterexample(ce: CounterexampleFile): string {
  const { commands, machine_events: events, ...head } = ce;
  const top = JSON.stringify(head, null, 2)
    .replace(/\[\s+([-\d,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, " ")}]`)
    .replace(/\n}$/, "");
  const list = (name: string, items: readonly unknown[]) =>
    items.length === 0
      ? `  "${name}": []`
      : `  "${name}": [\n${items.map((c) => `    ${JSON.stringify(c)}`).join(",\n")}\n  ]`;
  const parts = [top, ...(events !== undefined ? [list("machine_events", events)] : [])];
  return `${parts.join(",\n")},\n${list("commands", commands)}\n}\n`;
}

/** The longest harness part of a file name (a file name is at most 255 bytes). */
const MAX_HARNESS_NAME = 96;

/**
 * An external harness as a name: the basenames of its command's words (the program, then its
 * arguments), so that no folder of the machine it ran on is in the name, and two builds or two
 * modes of one harness get two names. `/home/me/examples/c-harness/build/pcpu-harness-bug` is
 * `pcpu-harness-bug`; `node harness/fake.mjs hang` is `node-fake.mjs-hang`. (The `hello` name
 * cannot serve: both builds of the C example say "c-arena".)
 */
export function harnessName(command: string): string {
  let words: string[];
  try {
    words = splitShellWords(command);
  } catch {
    words = command.split(/\s+/);
  }
  const name = words
    .map((w) =>
      basename(w)
        .replace(/^-+/, "")
        .replace(/[^A-Za-z0-9._-]+/g, "_"),
    )
    .filter((w) => w.length > 0)
    .join("-")
    .slice(0, MAX_HARNESS_NAME);
  return name.length > 0 ? name : "harness";
}

/**
 * The counterexample file's name for a target and an invariant: `<target>--<invariant>.json`,
 * and for an external harness `ext-<harnessName>--<invariant>.json`.
 */
export function counterexampleFileName(target: Target, invariant: string): string {
  return `${targetFileName(target)}--${invariant}.json`;
}

/** A target's part of a file name: its id, or `ext-<harnessName>` for an external harness. */
export function targetFileName(target: Target): string {
  const external = asExternal(target);
  return external !== undefined
    ? `ext-${harnessName(external.command)}`
    : target.id.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** A target as a file records it: kind and id, a mutant's revision, a harness's command. */
export function targetToJson(target: Target): TargetJson {
  const external = asExternal(target);
  return {
    kind: target.kind,
    id: target.id,
    ...(target.revision !== undefined ? { revision: target.revision } : {}),
    ...(external !== undefined ? { command: external.command, cwd: external.cwd } : {}),
  };
}

/**
 * The file of a failure: `expected` says whether the check counts it as expected (a design's
 * known violation is then marked `expected_by_design`).
 */
export function toFile(
  target: Target,
  result: InvariantResult,
  expected: boolean,
): CounterexampleFile {
  const ce = result.counterexample;
  if (ce === undefined)
    throw new Error(`${target.id}/${result.invariant}: a failure without a counterexample`);
  return {
    schema: COUNTEREXAMPLE_SCHEMA,
    target: targetToJson(target),
    invariant: ce.invariant,
    message: ce.message,
    expect: "fail",
    ...(expected && result.expected === true ? { expected_by_design: true } : {}),
    topology: topologyToJson(ce.config),
    seed: ce.seed,
    ...(ce.path !== undefined ? { path: ce.path } : {}),
    commands: [...ce.steps],
    ...(ce.events !== undefined ? { machine_events: [...ce.events] } : {}),
    ...(ce.observers !== undefined ? { observers: [...ce.observers] } : {}),
    ...(ce.churn !== undefined ? { churn: churnToJson(ce.churn) } : {}),
    ...(ce.interleave !== undefined ? { interleave: interleaveToJson(ce.interleave) } : {}),
  };
}

/** A churn counterexample as its file records it, figures rounded to 4 places as the metrics'. */
function churnToJson(c: ChurnCounterexample): ChurnFileJson {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    workload: { ...c.workload, size: [c.workload.size[0], c.workload.size[1]] },
    threshold: c.threshold,
    after_alloc: r4(c.figures.after_alloc),
    rounds: c.figures.rounds.map((r) => ({
      round: r.round,
      after_free: r4(r.after_free),
      after_refill: r4(r.after_refill),
      blocks: r.blocks,
    })),
  };
}
