/**
 * `pcpu-verify list [--json]`: the revisions, the mutants and the invariants, each with where
 * it comes from.
 */
import { REVISIONS } from "../impl/revisions/index.ts";
import { INVARIANTS, MUTANT_TARGETS } from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_OK } from "./exitCodes.ts";

export interface ListOptions {
  readonly json?: boolean;
}

export interface ListJson {
  readonly revisions: {
    id: string;
    title: string;
    source: string;
    known_violations: Record<string, string>;
    /** What the design keeps with nothing live (its retained pool), or null. */
    retained_pool: string | null;
    /** Each known difference between the model and its source, with the reason. */
    differences: string[];
  }[];
  readonly mutants: {
    id: string;
    revision: string | undefined;
    source: string;
    description: string;
    expected: string[];
  }[];
  readonly invariants: {
    id: string;
    title: string;
    source: string;
    cost: string;
    needs: string[];
  }[];
}

/** What `list --json` prints. */
export function listJson(): ListJson {
  return {
    revisions: REVISIONS.map((r) => ({
      id: r.id,
      title: r.title,
      source: r.source,
      known_violations: { ...r.knownViolations },
      retained_pool: r.pool?.what ?? null,
      differences: [...(r.differences ?? [])],
    })),
    mutants: MUTANT_TARGETS.map((m) => ({
      id: m.id,
      revision: m.revision,
      source: m.source,
      description: m.description,
      expected: [...m.expected],
    })),
    invariants: INVARIANTS.map((i) => ({
      id: i.id,
      title: i.title,
      source: i.source,
      cost: i.cost,
      needs: [...i.needs],
    })),
  };
}

export function listCommand(options: ListOptions, io: CliIo): number {
  const data = listJson();
  if (options.json) {
    io.out(`${JSON.stringify(data, null, 2)}\n`);
    return EXIT_OK;
  }
  const lines: string[] = [];
  const item = (id: string, title: string) => lines.push(`  ${id}  ${title}`);
  const detail = (label: string, text: string) => lines.push(`      ${label}: ${text}`);

  lines.push(`revisions (${data.revisions.length})`);
  for (const r of data.revisions) {
    item(r.id, r.title);
    detail("source", r.source);
    const known = Object.keys(r.known_violations);
    detail("fails by design", known.length === 0 ? "nothing" : known.join(", "));
    detail("keeps with nothing live", r.retained_pool ?? "nothing (back to the boot baseline)");
    for (const d of r.differences) detail("differs from its source", d);
  }
  lines.push("", `mutants (${data.mutants.length})`);
  for (const m of data.mutants) {
    item(m.id, m.description);
    detail("revision", m.revision ?? "?");
    detail("source", m.source);
    detail("caught by", m.expected.join(", "));
  }
  lines.push("", `invariants (${data.invariants.length})`);
  for (const i of data.invariants) {
    item(i.id, i.title);
    detail("source", i.source);
    detail("cost", i.cost);
    if (i.needs.length > 0) detail("needs", i.needs.join(", "));
  }
  io.out(`${lines.join("\n")}\n`);
  return EXIT_OK;
}
