/**
 * The 2005 design's blocks checked against the block machine (model/blockLifecycle.ts): each
 * block's objects are the ones `inspect` puts in it (in currency units, PCPU_BLKSIZE / currency
 * to a block), its state the one `inspect` gives. The tracker lives as long as the run's model: a run is one
 * session, and every step of it is observed.
 */
import type { KiranDetail } from "../../impl/index.ts";
import { BlockLifecycle, type ObservedBlock } from "../../model/blockLifecycle.ts";
import type { PercpuModel } from "../engine/model.ts";
import type { StepContext } from "./invariant.ts";
import { readDetail } from "./whiteBox.ts";

interface Tracker {
  readonly lifecycle: BlockLifecycle;
  /** PCPU_CURR_SIZE: an object of n bytes takes ceil(n / currency) units. */
  readonly currency: number;
}

const trackers = new WeakMap<PercpuModel, Tracker>();

/**
 * Where the 2005 design's blocks leave the block machine's lifecycle after this step, if
 * anywhere. The design's detail is read once per run (its currency and block size); each step
 * reads only `inspect`'s blocks and the block of each object.
 */
export function kiranBlockLifecycle(ctx: StepContext): string | undefined {
  const view = ctx.observe.inspect();
  if (!view.ok) return `inspect failed: ${view.error} ${view.message}`;
  let tracker = trackers.get(ctx.model);
  if (tracker === undefined) {
    const detail = readDetail<KiranDetail>(ctx.observe, "kiran-2005");
    if (typeof detail === "string") return detail;
    tracker = {
      lifecycle: new BlockLifecycle(detail.blkSize / detail.currency),
      currency: detail.currency,
    };
    trackers.set(ctx.model, tracker);
  }
  const { lifecycle, currency } = tracker;
  const sizeAt = (ptr: number) =>
    (ctx.model.liveAt(ptr) ?? ctx.model.deadObjects().find((o) => o.ptr === ptr))?.size ?? 1;
  const objects = new Map<number, Map<number, number>>();
  for (const o of view.value.objects ?? []) {
    let inBlock = objects.get(o.block);
    if (inBlock === undefined) objects.set(o.block, (inBlock = new Map()));
    inBlock.set(o.ptr, Math.ceil(sizeAt(o.ptr) / currency));
  }
  const blocks: ObservedBlock[] = view.value.blocks.map((b) => ({
    id: b.id,
    state: b.state,
    objects: objects.get(b.id) ?? new Map(),
  }));
  return lifecycle.observe(blocks, (addr) => ctx.model.liveAt(addr) !== undefined);
}
