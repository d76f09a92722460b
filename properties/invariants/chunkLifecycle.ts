import { ChunkCoverage } from "../../model/chunkCoverage.ts";
import { ChunkLifecycle } from "../../model/chunkLifecycle.ts";
import { observedChunks } from "../../model/chunkView.ts";
import type { PercpuModel } from "../engine/model.ts";
import type { Invariant } from "./invariant.ts";

/** PCPU_MIN_ALLOC_SIZE: pcpu_alloc rounds every size up to it. */
const PCPU_MIN_ALLOC_SIZE = 4;

/** One system model per run: a run is one session, and every step of it is observed. */
const trackers = new WeakMap<PercpuModel, ChunkLifecycle>();
/** The coverage counter of the check under way (`collectChunkCoverage`), if any. */
let active: ChunkCoverage | undefined;

/**
 * Starts counting the chunk machine's coverage for the runs that follow (a check of one
 * target) and returns the counter; `stop` ends it. Runs begun before are not counted.
 */
export function collectChunkCoverage(): { coverage: ChunkCoverage; stop: () => void } {
  const coverage = new ChunkCoverage();
  active = coverage;
  return {
    coverage,
    stop: () => {
      if (active === coverage) active = undefined;
    },
  };
}

/**
 * chunk-lifecycle: refinement of the chunk designs by the chunk machine. After every step,
 * the chunks `inspect` shows (model/chunkView.ts: their list, holding state, live areas, free
 * bytes, populated and empty populated pages) are explained by events of the system model
 * of the chunks (model/chunkLifecycle.ts), each a transition model/chunkMachine.ts allows:
 * only free_percpu isolates a chunk, and only when pcpu_should_reclaim_chunk holds (never the
 * first chunk); only a chunk on to_depopulate loses pages, and only empty ones; it is
 * sidelined with none left, or reintegrated; an allocation never lands in a chunk on
 * to_depopulate, and one in a sidelined chunk takes it back to its slot; a chunk is destroyed
 * only fully free and off the depopulation lists; a new chunk starts with nothing populated.
 * The first event refused (`transition`), or the first field that differs after the events
 * (`state`), is the message; `view` when inspect's chunks cannot be read.
 *
 * Source: mm/percpu.c (6.12) pcpu_alloc, free_percpu, pcpu_isolate_chunk,
 * pcpu_reintegrate_chunk, pcpu_reclaim_populated, pcpu_balance_populated, pcpu_balance_free;
 * mm/percpu-vm.c pcpu_should_reclaim_chunk. Judged on bitmap-2017 (its detail) and on
 * external harnesses whose `inspect` lists chunks as harnesses/linux does.
 * Cost: one `inspect` per step, O(chunks).
 */
export const chunkLifecycle: Invariant = {
  id: "chunk-lifecycle",
  title: "each chunk's lists and pages move only as the chunk machine allows",
  source:
    "model/chunkMachine.ts; mm/percpu.c free_percpu, pcpu_reclaim_populated, pcpu_balance_free",
  cost: "one inspect per step, O(chunks)",
  needs: ["inspect"],
  designs: ["bitmap-2017"],
  externals: true,
  // view: inspect's chunks are readable; transition: every derived event is one the machine
  // takes; state: after the events, the machine's chunk is the view's.
  conjuncts: ["view", "transition", "state"],
  afterStep(ctx) {
    const view = ctx.observe.inspect();
    if (!view.ok) return `view: inspect failed: ${view.error} ${view.message}`;
    const chunks = observedChunks(view.value);
    // A harness whose inspect lists no chunks in this form is of another design.
    if (chunks === undefined) return undefined;
    if (typeof chunks === "string") return `view: ${chunks}`;
    let tracker = trackers.get(ctx.model);
    if (tracker === undefined) {
      tracker = new ChunkLifecycle(active);
      trackers.set(ctx.model, tracker);
    }
    const step = ctx.step;
    const failed =
      step.op === "alloc" && !ctx.outcome.ok && ctx.expectation.valid && step.reserved !== true
        ? Math.ceil(step.size / PCPU_MIN_ALLOC_SIZE) * PCPU_MIN_ALLOC_SIZE
        : undefined;
    return tracker.observe(chunks, failed);
  },
};
