/**
 * Commands at the page scale of a target that declares its unit (`Target.unitBytes`, an
 * external harness's hello `pool.unit_bytes`). The general mix draws most sizes far below a
 * page, so a chunk of a real kernel seldom has pages that empty while it still holds an
 * object: the state in which pcpu_reclaim_populated() depopulates it (a quarter of its pages
 * empty, more empty pages elsewhere than PCPU_EMPTY_POP_PAGES_HIGH) and in which a missing
 * TLB flush ("percpu: flush tlb in pcpu_reclaim_populated()") shows, once a new object is
 * placed on the repopulated addresses and read. Objects of two pages up to the unit (capped at
 * the largest size) fill and empty pages, and reclaim runs more often, so the worker sees the
 * frees. The checker's own reads of every new object load the TLB (zero-on-alloc, integrity).
 *
 * These are appended after the whole mix, and only for a target that declares a unit, so the
 * runs a seed makes on every other target are unchanged.
 */
import fc from "fast-check";
import type { Capability } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import { AllocCommand } from "./allocCommand.ts";
import { ReclaimCommand } from "./reclaimCommand.ts";
import type { StepCommand } from "./stepCommand.ts";

/** PAGE_SIZE of every generated topology (arbitraries/topology.ts). */
const PAGE = 4096;

/** The page-scale commands for a target, or none when it declares no unit. */
export function pageScaleCommands(
  target: Target,
  capabilities: ReadonlySet<Capability>,
): fc.WeightedArbitrary<StepCommand>[] {
  const unit = target.unitBytes;
  if (unit === undefined) return [];
  const most = Math.min(unit, target.maxSize);
  const arbs: fc.WeightedArbitrary<StepCommand>[] = [
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.integer({ min: Math.min(2 * PAGE, most), max: most }), fc.nat({ max: 4 }))
        .map(([size, a]) => new AllocCommand(size, a, false)),
    },
  ];
  if (capabilities.has("reclaim")) {
    arbs.push({ weight: 4, arbitrary: fc.constant(null).map(() => new ReclaimCommand()) });
  }
  return arbs;
}
