/**
 * A counterexample's trace as a Mermaid sequence diagram: the test on the left, the allocator
 * on the right, one arrow a step, the boot topology and the violation as notes.
 *
 *   sequenceDiagram
 *     participant T as test
 *     participant A as kiran-2005-09
 *     Note over T,A: boot NR_CPUS 4, possible 0-3, online 0-1
 *     T->>A: alloc(24, 8) -> o1
 *     Note over T,A: zero-on-alloc violated: ...
 */
import type { BootConfig } from "../../impl/index.ts";
import { describeStep, type Step } from "../engine/step.ts";

/** Text Mermaid shows literally in a message or a note (no ; # or line breaks). */
export function mermaidText(text: string, max = 140): string {
  const clean = text
    .replace(/->/g, "→")
    .replace(/[;#]/g, ",")
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "‹" : "›"));
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function cpus(list: readonly number[]): string {
  return list.length === 0 ? "none" : list.join(" ");
}

export function traceMermaid(
  target: string,
  invariant: string,
  message: string,
  config: BootConfig,
  steps: readonly Step[],
): string {
  return [
    "sequenceDiagram",
    "  participant T as test",
    `  participant A as ${mermaidText(target, 60)}`,
    `  Note over T,A: boot NR_CPUS ${config.nrCpus}, possible ${cpus(config.possible)}, online ${cpus(config.online)}`,
    ...steps.map((s) => `  T->>A: ${mermaidText(describeStep(s))}`),
    `  Note over T,A: ${mermaidText(`${invariant} violated: ${message}`)}`,
    "",
  ].join("\n");
}
