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
 * A unit that does not tile the span of one page-table page (PMD_SIZE, 2 MiB on x86_64: the
 * vmalloc area's page tables are allocated per 2 MiB on first mapping, in the real kernel and
 * in the harness alike) lays some CPU's range across a page-table boundary inside the unit:
 * there a population can fail half way through one CPU's mapping, at the page-table page,
 * the state "percpu: clean up all mappings when pcpu_map_pages() fails" (2024) is about.
 * For such a unit, objects of the largest size (a new chunk populated over the boundary) and
 * single injected failures at the scale of one population (a chunk's structures, two CPUs'
 * data pages, their page tables) are drawn too, so the failure lands on any one of them, the
 * page-table page among them, and the same object is asked for again.
 *
 * These are appended after the whole mix, and only for a target that declares a unit (the
 * crossing ones only for a unit that crosses), so the runs a seed makes on every other target
 * are unchanged.
 */
import fc from "fast-check";
import type { Capability } from "../../impl/index.ts";
import type { Target } from "../engine/target.ts";
import { AllocCommand } from "./allocCommand.ts";
import { PopulationFailCommand } from "./populationFailCommand.ts";
import { ReclaimCommand } from "./reclaimCommand.ts";
import type { StepCommand } from "./stepCommand.ts";

/** PAGE_SIZE of every generated topology (arbitraries/topology.ts). */
const PAGE = 4096;
/** The span one page-table page maps (x86_64 PMD_SIZE). */
export const PAGE_TABLE_SPAN = 2 * 1024 * 1024;

/** Whether a CPU's range of a unit of this size can cross a page-table boundary inside it. */
export function unitCrossesPageTable(unit: number): boolean {
  return unit % PAGE_TABLE_SPAN !== 0 && PAGE_TABLE_SPAN % unit !== 0;
}

/** The page-scale commands for a target, or none when it declares no unit. */
export function pageScaleCommands(
  target: Target,
  capabilities: ReadonlySet<Capability>,
): fc.WeightedArbitrary<StepCommand>[] {
  const unit = target.unitBytes;
  if (unit === undefined) return [];
  const most = Math.min(unit, target.maxSize);
  // Where a chunk has few pages (a unit of up to 64 KiB: --small-unit's 8), depopulation is
  // reachable within a run, so these weigh more there.
  const small = unit <= 64 * 1024;
  const arbs: fc.WeightedArbitrary<StepCommand>[] = [
    {
      weight: small ? 6 : 4,
      arbitrary: fc
        .tuple(fc.integer({ min: Math.min(2 * PAGE, most), max: most }), fc.nat({ max: 4 }))
        .map(([size, a]) => new AllocCommand(size, a, false)),
    },
  ];
  if (capabilities.has("reclaim")) {
    arbs.push({
      weight: small ? 4 : 3,
      arbitrary: fc.constant(null).map(() => new ReclaimCommand()),
    });
  }
  if (unitCrossesPageTable(unit) && capabilities.has("fail_page_alloc")) {
    // The largest object's population: its data pages on every possible CPU, after up to
    // 16 allocations of the chunk's making, and its page tables after them.
    const pages = Math.ceil(most / PAGE);
    arbs.push(
      { weight: 6, arbitrary: fc.nat({ max: 4 }).map((a) => new AllocCommand(most, a, false)) },
      {
        weight: 6,
        arbitrary: fc.nat({ max: 16 }).map((extra) => new PopulationFailCommand(pages, extra)),
      },
    );
  }
  return arbs;
}
