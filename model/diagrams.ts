/**
 * The model's machines as Mermaid state diagrams, for the section of docs/model.md that shows
 * them. `npm run diagrams` (model/writeDiagrams.ts) writes the section; diagrams.test.ts fails
 * when the copy in docs/model.md is stale.
 */
import type { AnyStateMachine } from "xstate";
import { blockMachine } from "./blockMachine.ts";
import { chunkMachine } from "./chunkMachine.ts";
import { cpuSetsMachine } from "./cpuSetsMachine.ts";
import { systemMachine } from "./systemMachine.ts";
import { toMermaid } from "./toMermaid.ts";

export interface Diagram {
  /** The machine's export name, which is also its file's name in model/. */
  readonly id: string;
  readonly title: string;
  readonly machine: AnyStateMachine;
}

export const DIAGRAMS: readonly Diagram[] = [
  { id: "cpuSetsMachine", title: "CPU masks and hotplug", machine: cpuSetsMachine },
  { id: "blockMachine", title: "The lifecycle of a block", machine: blockMachine },
  {
    id: "chunkMachine",
    title: "The lifecycle of a chunk (pages and isolation lists)",
    machine: chunkMachine,
  },
  { id: "systemMachine", title: "The composed system", machine: systemMachine },
];

export const DIAGRAMS_START = "<!-- diagrams:start -->";
export const DIAGRAMS_END = "<!-- diagrams:end -->";
/** The heading of the section that `updateReadme` appends when the README has no markers. */
export const DIAGRAMS_HEADING = "## The model's machines";

/** The README section, markers included; blank lines between blocks, so prettier keeps it. */
export function renderDiagramsSection(): string {
  const parts: string[] = [
    DIAGRAMS_START,
    "Drawn from the machines' definitions by `npm run diagrams` (`model/diagrams.ts`); " +
      "`model/diagrams.test.ts` fails when they are out of date. A guard is in brackets, " +
      "`[else]` is the branch taken when no guard before it holds, and a transition that only " +
      "changes the context (or refuses) is a self-loop.",
  ];
  for (const d of DIAGRAMS) {
    parts.push(`### ${d.title}`, sentence(d), "```mermaid\n" + toMermaid(d.machine) + "```");
  }
  parts.push(DIAGRAMS_END);
  return parts.join("\n\n");
}

/** One sentence: where the machine is, and its size. */
function sentence(d: Diagram): string {
  const root = d.machine.root;
  const states = countStates(root.states);
  const events = new Set<string>();
  const collect = (node: typeof root): void => {
    for (const [type, ts] of node.transitions) if (ts.length > 0) events.add(type);
    for (const child of Object.values(node.states)) collect(child);
  };
  collect(root);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  return (
    `\`${d.id}\` in \`model/${d.id}.ts\` (machine id \`${d.machine.id}\`): ` +
    `${plural(states, "state")}, ${plural(events.size, "event type")}.`
  );
}

function countStates(states: AnyStateMachine["root"]["states"]): number {
  return Object.values(states).reduce((n, s) => n + 1 + countStates(s.states), 0);
}

/** Where the section is: from the start marker to the end of the end marker. */
function locate(readme: string): { start: number; end: number } | undefined {
  const start = readme.indexOf(DIAGRAMS_START);
  if (start < 0) return undefined;
  const end = readme.indexOf(DIAGRAMS_END, start + DIAGRAMS_START.length);
  if (end < 0) return undefined;
  return { start, end: end + DIAGRAMS_END.length };
}

/** The README's diagrams section, markers included, or undefined when a marker is missing. */
export function readmeDiagramsSection(readme: string): string | undefined {
  const at = locate(readme);
  return at && readme.slice(at.start, at.end);
}

/**
 * The README with its diagrams section replaced by `section`; a README without the markers
 * gets a "The model's machines" section at its end. Nothing else changes.
 */
export function updateReadme(readme: string, section = renderDiagramsSection()): string {
  const at = locate(readme);
  if (at) return readme.slice(0, at.start) + section + readme.slice(at.end);
  const body = readme.endsWith("\n") ? readme : `${readme}\n`;
  return `${body}\n${DIAGRAMS_HEADING}\n\n${section}\n`;
}
