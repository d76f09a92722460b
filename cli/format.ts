/** Plain-text formatting for the human output: tables, CPU lists, short notes. */
import type { BootConfig } from "../impl/index.ts";

export interface Column {
  readonly header: string;
  /** Numbers read better right-aligned. */
  readonly align?: "left" | "right";
}

/**
 * A table as lines: a header, a rule, the rows. Columns are two spaces apart; the last one is
 * not padded, so no line ends in spaces and a long note does not widen the others.
 */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  indent = "",
): string[] {
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]): string => {
    const last = columns.length - 1;
    const parts = columns.map((c, i) => {
      const cell = cells[i] ?? "";
      const w = widths[i] ?? 0;
      if (c.align === "right") return cell.padStart(w);
      return i === last ? cell : cell.padEnd(w);
    });
    return `${indent}${parts.join("  ")}`.trimEnd();
  };
  return [
    line(columns.map((c) => c.header)),
    // The last column's rule is as wide as its header: notes vary in length.
    line(
      widths.map((w, i) =>
        "-".repeat(i === columns.length - 1 ? (columns[i]?.header.length ?? w) : w),
      ),
    ),
    ...rows.map(line),
  ];
}

/** At most `max` characters, with "…" when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A CPU set in the kernel's cpulist form: `0-3,8,10-11`; "none" when empty. */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  if (sorted.length === 0) return "none";
  const ranges: string[] = [];
  let start = sorted[0] as number;
  let prev = start;
  for (const cpu of [...sorted.slice(1), Number.NaN]) {
    if (cpu === prev + 1) {
      prev = cpu;
      continue;
    }
    ranges.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = cpu;
    prev = cpu;
  }
  return ranges.join(",");
}

/** A topology on one line: `NR_CPUS 8, 2 nodes, possible 0-3, present 0-3, online 0-1`. */
export function formatTopology(c: BootConfig): string {
  return [
    `NR_CPUS ${c.nrCpus}`,
    `${c.nrNodes} node${c.nrNodes === 1 ? "" : "s"}`,
    `possible ${formatCpuList(c.possible)}`,
    `present ${formatCpuList(c.present)}`,
    `online ${formatCpuList(c.online)}`,
  ].join(", ");
}

/** Pages held per node: `node0 17, node1 2`. */
export function formatPagesByNode(pages: readonly number[]): string {
  return pages.length === 0 ? "none" : pages.map((p, n) => `node${n} ${p}`).join(", ");
}

/** Milliseconds as `850 ms` or `8.1 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `1 step`, `3 steps`; `many` for a word that does not take an s (`harnesses`). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A figure with its noun, grouped: `1 page`, `4,096 bytes`, `0.5 loops`; "n/a" for none. */
export function count(n: number | null | undefined, word: string, many = `${word}s`): string {
  if (n === null || n === undefined) return "n/a";
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}
