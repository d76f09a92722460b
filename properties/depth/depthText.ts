/**
 * A check's depth in words, two lines under a target's table:
 *
 *   depth (200 runs): 2 chunks at most (inspect, 2 in use), 41 live objects, 96 pages held, unit offset
 *     0.31, 3 full chunks, 4 emptied, 2 released (1 full), 1 depopulation, slots 1, 3, 12,
 *     64 possible CPUs (7 offline), ENOMEM 12 at 1 chunk, 3 at 2 chunks
 *   depth goals: 3 of 6 met; NOT MET: 3+ chunks in use at once (2), 1,000 objects live at once (41)
 */
import { DEPTH_GOALS, fraction, type DepthGoal } from "./depthGoals.ts";
import type { DepthJson } from "./depthMeter.ts";

const count = (n: number, word: string) => `${n} ${n === 1 ? word : `${word}s`}`;

/** The depth line and the goals line of one target. */
export function depthLines(d: DepthJson): string[] {
  const g = d.grouping ?? "chunks";
  const one = g.slice(0, -1);
  const parts: string[] = [];
  if (d.grouping !== null) {
    const inUse = d.source === "inspect" ? `, ${d.chunks_in_use_max} in use` : "";
    parts.push(`${count(d.chunks_max, one)} at most (${d.source ?? "?"}${inUse})`);
  }
  parts.push(count(d.live_max, "live object"), `${d.pages_max} pages held`);
  if (d.unit_offset_max !== null) {
    parts.push(
      `unit offset ${fraction(d.unit_offset_max)}${d.runs_last_page > 0 ? ` (last page in ${count(d.runs_last_page, "run")})` : ""}`,
    );
  }
  if (d.full_chunks !== null) parts.push(`${d.full_chunks} full ${g}`);
  if (d.emptied !== null) parts.push(`${d.emptied} emptied`);
  if (d.grouping !== null) {
    parts.push(
      `${d.released} released${d.full_released !== null ? ` (${d.full_released} full)` : ""}`,
    );
    parts.push(count(d.depopulations ?? 0, "depopulation"));
  }
  if (d.slots.length > 0) parts.push(`slots ${d.slots.join(", ")}`);
  parts.push(`${d.cpus_max} possible CPUs (${d.offline_max} offline)`);
  const enomem = Object.entries(d.enomem);
  parts.push(
    enomem.length === 0
      ? "no ENOMEM"
      : `ENOMEM ${enomem
          .map(([k, n]) => (d.grouping === null ? `${n}` : `${n} at ${count(Number(k), one)}`))
          .join(", ")}`,
  );
  const goals = Object.keys(d.goals).map((id) => DEPTH_GOALS[id] as DepthGoal);
  const unmet = goals.filter((goal) => d.goals[goal.id] !== true);
  const met = goals.length - unmet.length;
  return [
    `  depth (${count(d.runs, "run")}): ${parts.join(", ")}`,
    unmet.length === 0
      ? `  depth goals: all ${goals.length} met`
      : `  depth goals: ${met} of ${goals.length} met; NOT MET: ${unmet
          .map((goal) => `${goal.text(g)} (${goal.reached(d)})`)
          .join(", ")}`,
  ];
}
