/**
 * The 2005 design's blocks checked against the block machine (model/blockLifecycle.ts): each
 * block's objects are its bufctls (in currency units, of PCPU_BLKSIZE / currency per block), its
 * state the one `inspect` gives. The tracker lives as long as the run's model: a run is one
 * session, and every step of it is observed.
 */
import type { KiranDetail } from "../../impl/index.ts";
import { BlockLifecycle, type ObservedBlock } from "../../model/blockLifecycle.ts";
import type { PercpuModel } from "../engine/model.ts";
import type { StepContext } from "./invariant.ts";
import { readDetail } from "./whiteBox.ts";

const trackers = new WeakMap<PercpuModel, BlockLifecycle>();

/** Where the 2005 design's blocks leave the block machine's lifecycle after this step, if anywhere. */
export function kiranBlockLifecycle(ctx: StepContext): string | undefined {
  const view = ctx.observe.inspect();
  if (!view.ok) return `inspect failed: ${view.error} ${view.message}`;
  const detail = readDetail<KiranDetail>(ctx.observe, "kiran-2005");
  if (typeof detail === "string") return detail;
  let tracker = trackers.get(ctx.model);
  if (tracker === undefined) {
    tracker = new BlockLifecycle(detail.blkSize / detail.currency);
    trackers.set(ctx.model, tracker);
  }
  const objects = new Map<number, Map<number, number>>();
  for (const c of detail.bufctls) {
    let inBlock = objects.get(c.block);
    if (inBlock === undefined) objects.set(c.block, (inBlock = new Map()));
    inBlock.set(c.addr, c.bits);
  }
  const blocks: ObservedBlock[] = view.value.blocks.map((b) => ({
    id: b.id,
    state: b.state,
    objects: objects.get(b.id) ?? new Map(),
  }));
  return tracker.observe(blocks, (addr) => ctx.model.liveAt(addr) !== undefined);
}
