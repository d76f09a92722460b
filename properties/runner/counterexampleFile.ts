/**
 * Counterexample files: a shrunk, 1-minimal failing run as JSON that a person can read and
 * edit, and that `replay` and the test suite run again.
 *
 *   {
 *     "schema": 1,
 *     "target": { "kind": "mutant", "id": "kiran-zero-online-only", "revision": "kiran-2005-09" },
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
import { z } from "zod";
import type { BootConfig } from "../../impl/index.ts";
import { systemEventSchema } from "../../model/systemEventSchema.ts";
import { stepSchema, type Step } from "../engine/step.ts";

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

export const counterexampleSchema = z
  .object({
    schema: z.literal(COUNTEREXAMPLE_SCHEMA),
    target: z
      .object({
        kind: z.enum(["revision", "mutant", "external"]),
        id: z.string().min(1),
        revision: z.string().optional(),
        command: z.string().optional(),
      })
      .strict(),
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
  const names = new Set<string>();
  parsed.data.commands.forEach((s: Step, i: number) => {
    if (s.op === "alloc") {
      if (names.has(s.as))
        throw new CounterexampleFileError(file, `field commands.${i}.as: ${s.as} is made twice`);
      names.add(s.as);
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
    `  "${name}": [\n${items.map((c) => `    ${JSON.stringify(c)}`).join(",\n")}\n  ]`;
  const parts = [top, ...(events !== undefined ? [list("machine_events", events)] : [])];
  return `${parts.join(",\n")},\n${list("commands", commands)}\n}\n`;
}
