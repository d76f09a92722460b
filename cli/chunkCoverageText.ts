import type { ChunkCoverageFigures } from "../model/chunkCoverage.ts";

/** `check --json`'s `chunk_coverage` of one target: [covered, total] of each kind, and what was not reached. */
export interface ChunkCoverageJson {
  states: [number, number];
  transitions: [number, number];
  guards: [number, number];
  missing: { states: string[]; transitions: string[]; guards: string[] };
}

export function chunkCoverageJson(c: ChunkCoverageFigures): ChunkCoverageJson {
  return {
    states: [...c.states],
    transitions: [...c.transitions],
    guards: [...c.guards],
    missing: {
      states: [...c.missing.states],
      transitions: [...c.missing.transitions],
      guards: [...c.missing.guards],
    },
  };
}

/** "states 7/7 (100%), transitions 21/21 (100%), guard outcomes 15/20 (75%)" */
export function chunkCoverageText(c: ChunkCoverageFigures): string {
  const part = (name: string, [done, total]: readonly [number, number]) =>
    `${name} ${done}/${total} (${total === 0 ? 100 : Math.floor((done / total) * 1000) / 10}%)`;
  return [
    part("states", c.states),
    part("transitions", c.transitions),
    part("guard outcomes", c.guards),
  ].join(", ");
}
