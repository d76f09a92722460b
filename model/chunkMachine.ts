/**
 * The lifecycle of one chunk of today's allocator (mm/percpu.c, 4.14 and later, with partial
 * depopulation from v5.14, Roman Gushchin <20210408035736.883861-1-guro@fb.com>), as 6.12 has
 * it: what it holds, its populated pages, and which list it is on. A chunk begins where
 * pcpu_create_chunk leaves it (on the free slot, nothing populated) or, for the first chunk,
 * as boot made it (fully populated, never isolated, depopulated or destroyed).
 *
 *   holding:  empty ── obj.alloc ──> partial ── obj.alloc ──> full
 *             empty <── obj.free ─── partial <── obj.free ─── full
 *
 *   lists:             obj.free [reclaims]                 chunk.sideline [sidelineable]
 *     slot ─────────────────────────────────> toDepopulate ─────────────────────────> sidelined
 *      │ ^   free_percpu: pcpu_isolate_chunk     │  ^  pcpu_reclaim_populated             │  │
 *      │ └──────── chunk.reintegrate ────────────┘  └─────── obj.free [reclaims] ─────────┘  │
 *      │   pcpu_reclaim_populated (fully free, or   (pcpu_should_reclaim_chunk: an isolated │
 *      │   too few empty pages left)                 chunk with empty pages goes back)      │
 *      │ ^───────────── obj.alloc, alloc.unwind [fits] (pcpu_alloc_area, then ─────────────┘
 *      │                pcpu_reintegrate_chunk: pcpu_alloc searches the sidelined slot, it is
 *      │                below pcpu_free_slot; a population that then fails gives the area
 *      │                back and leaves the chunk reintegrated)
 *      └── chunk.destroy [destroyable] ──> destroyed   (pcpu_balance_free)
 *
 *   pages (self-loops): pages.populate [canPopulate] on slot and sidelined (pcpu_alloc and
 *   pcpu_balance_populated, whose walk reaches the sidelined slot too); pages.depopulate
 *   [canDepopulate] on toDepopulate only (pcpu_reclaim_populated: "once a chunk is isolated
 *   to the to_depopulate list, the chunk is no longer discoverable to allocations whom may
 *   populate pages").
 *
 * The events carry what the chunk alone cannot know: an allocation or free the bytes it took
 * or gave back and the chunk's count of empty populated pages after it; a free also the
 * system-wide count (pcpu_nr_empty_pop_pages) that pcpu_should_reclaim_chunk compares. There
 * is no refusing branch: an event no region takes is refused, and a refusal is a difference
 * from the model (model/chunkLifecycle.ts), so that every transition is one a correct
 * allocator takes and full transition coverage means something.
 */
import { assign, setup } from "xstate";

/** PCPU_EMPTY_POP_PAGES_HIGH (mm/percpu.c). */
export const PCPU_EMPTY_POP_PAGES_HIGH = 4;

export type ChunkList = "slot" | "toDepopulate" | "sidelined" | "destroyed";
export type ChunkHolding = "empty" | "partial" | "full";

export interface ChunkContext {
  /** pcpu_unit_pages. */
  readonly nrPages: number;
  /** pcpu_unit_size: a chunk with this many free bytes is fully free. */
  readonly unitBytes: number;
  /** pcpu_first_chunk: never isolated, depopulated or destroyed. */
  readonly first: boolean;
  /** Live areas (nr_alloc). */
  readonly live: number;
  readonly freeBytes: number;
  /** nr_populated. */
  readonly populated: number;
  /** nr_empty_pop_pages. */
  readonly emptyPopulated: number;
  /** The list it is on, kept by the lists region's entry actions. */
  readonly list: ChunkList;
}

export type ChunkEvent =
  | { type: "obj.alloc"; bytes: number; emptyPopulated: number }
  | { type: "obj.free"; bytes: number; emptyPopulated: number; globalEmpty: number }
  /** pcpu_alloc took an area and gave it back when populating failed (fail_unlock). */
  | { type: "alloc.unwind"; bytes: number }
  | { type: "pages.populate"; pages: number }
  | { type: "pages.depopulate"; pages: number }
  | { type: "chunk.sideline" }
  | { type: "chunk.reintegrate" }
  | { type: "chunk.destroy" };

export const CHUNK_EVENT_TYPES: readonly ChunkEvent["type"][] = [
  "obj.alloc",
  "obj.free",
  "alloc.unwind",
  "pages.populate",
  "pages.depopulate",
  "chunk.sideline",
  "chunk.reintegrate",
  "chunk.destroy",
];

/** The holding state a chunk's context gives. */
export function holdingOf(c: ChunkContext): ChunkHolding {
  return c.live === 0 ? "empty" : c.freeBytes === 0 ? "full" : "partial";
}

/** The context of a chunk pcpu_create_chunk has just made (pcpu_alloc_chunk: nothing populated). */
export function newChunkContext(nrPages: number, unitBytes: number): ChunkContext {
  return {
    nrPages,
    unitBytes,
    first: false,
    live: 0,
    freeBytes: unitBytes,
    populated: 0,
    emptyPopulated: 0,
    list: "slot",
  };
}

type Args = { context: ChunkContext; event: ChunkEvent };
const bytesOf = (e: ChunkEvent) =>
  e.type === "obj.alloc" || e.type === "obj.free" || e.type === "alloc.unwind" ? e.bytes : 0;
const pagesOf = (e: ChunkEvent) =>
  e.type === "pages.populate" || e.type === "pages.depopulate" ? e.pages : 0;

/** An allocation that fits, in a chunk pcpu_alloc searches (not one on to_depopulate). */
const fits = ({ context, event }: Args) =>
  (event.type === "obj.alloc" || event.type === "alloc.unwind") &&
  context.list !== "toDepopulate" &&
  context.list !== "destroyed" &&
  bytesOf(event) > 0 &&
  bytesOf(event) <= context.freeBytes;

export const chunkMachine = setup({
  types: {
    context: {} as ChunkContext,
    events: {} as ChunkEvent,
    input: {} as { nrPages: number; unitBytes: number },
  },
  guards: {
    fits,
    /** The allocation takes the last free bytes. */
    fillsChunk: (args: Args) =>
      args.event.type === "obj.alloc" &&
      fits(args) &&
      bytesOf(args.event) === args.context.freeBytes,
    /** The free leaves another live area (a free names bytes the chunk has given out). */
    holdsObject: ({ context, event }: Args) =>
      event.type === "obj.free" &&
      context.live > 1 &&
      bytesOf(event) > 0 &&
      context.freeBytes + bytesOf(event) < context.unitBytes,
    /** The free is of the last live area. */
    emptiesChunk: ({ context, event }: Args) =>
      event.type === "obj.free" &&
      context.live === 1 &&
      bytesOf(event) > 0 &&
      context.freeBytes + bytesOf(event) <= context.unitBytes,
    /**
     * free_percpu: a chunk that is not isolated and is now fully free is left to the free
     * slot; any other goes (back) to to_depopulate when pcpu_should_reclaim_chunk says so
     * (percpu-vm.c): never the first chunk; an isolated one with empty pages; another with at
     * least a quarter of its pages empty while the system has more than HIGH empty pages
     * besides.
     */
    reclaims: ({ context, event }: Args) => {
      if (event.type !== "obj.free" || context.first) return false;
      const isolated = context.list !== "slot";
      const e = event.emptyPopulated;
      if (!isolated && context.freeBytes + event.bytes === context.unitBytes) return false;
      return (
        (isolated && e > 0) ||
        (event.globalEmpty > PCPU_EMPTY_POP_PAGES_HIGH + e && e >= Math.floor(context.nrPages / 4))
      );
    },
    /** pcpu_chunk_populated: pages that are not populated yet. */
    canPopulate: ({ context, event }: Args) =>
      pagesOf(event) > 0 && context.populated + pagesOf(event) <= context.nrPages,
    /** pcpu_reclaim_populated frees only empty populated pages, never the first chunk's. */
    canDepopulate: ({ context, event }: Args) =>
      !context.first &&
      pagesOf(event) > 0 &&
      pagesOf(event) <= Math.min(context.emptyPopulated, context.populated),
    /**
     * pcpu_reclaim_populated sidelines a chunk only once it has no empty populated page left
     * and is not fully free (a fully free one is reintegrated).
     */
    sidelineable: ({ context }: Args) =>
      context.emptyPopulated === 0 && context.freeBytes !== context.unitBytes,
    /** pcpu_balance_free destroys only fully free chunks, never the first one. */
    destroyable: ({ context }: Args) => !context.first && context.live === 0,
  },
  actions: {
    takeArea: assign(({ context, event }: Args) => ({
      live: context.live + 1,
      freeBytes: context.freeBytes - bytesOf(event),
      emptyPopulated: event.type === "obj.alloc" ? event.emptyPopulated : context.emptyPopulated,
    })),
    returnArea: assign(({ context, event }: Args) => ({
      live: context.live - 1,
      freeBytes: context.freeBytes + bytesOf(event),
      emptyPopulated: event.type === "obj.free" ? event.emptyPopulated : context.emptyPopulated,
    })),
    // pcpu_chunk_populated: the new pages hold nothing yet.
    addPages: assign(({ context, event }: Args) => ({
      populated: context.populated + pagesOf(event),
      emptyPopulated: context.emptyPopulated + pagesOf(event),
    })),
    removePages: assign(({ context, event }: Args) => ({
      populated: context.populated - pagesOf(event),
      emptyPopulated: context.emptyPopulated - pagesOf(event),
    })),
    // pcpu_balance_free depopulates every page before pcpu_destroy_chunk.
    freeAllPages: assign({ populated: 0, emptyPopulated: 0 }),
    inSlot: assign({ list: "slot" as ChunkList }),
    inToDepopulate: assign({ list: "toDepopulate" as ChunkList }),
    inSidelined: assign({ list: "sidelined" as ChunkList }),
    inDestroyed: assign({ list: "destroyed" as ChunkList }),
  },
}).createMachine({
  id: "chunk",
  context: ({ input }) => newChunkContext(input.nrPages, input.unitBytes),
  type: "parallel",
  states: {
    holding: {
      initial: "empty",
      states: {
        empty: {
          on: {
            "obj.alloc": [
              { guard: "fillsChunk", target: "full", actions: "takeArea" },
              { guard: "fits", target: "partial", actions: "takeArea" },
            ],
          },
        },
        partial: {
          on: {
            "obj.alloc": [
              { guard: "fillsChunk", target: "full", actions: "takeArea" },
              { guard: "fits", target: "partial", actions: "takeArea" },
            ],
            "obj.free": [
              { guard: "emptiesChunk", target: "empty", actions: "returnArea" },
              { guard: "holdsObject", target: "partial", actions: "returnArea" },
            ],
          },
        },
        full: {
          on: {
            "obj.free": [
              { guard: "emptiesChunk", target: "empty", actions: "returnArea" },
              { guard: "holdsObject", target: "partial", actions: "returnArea" },
            ],
          },
        },
      },
    },
    lists: {
      initial: "slot",
      states: {
        slot: {
          entry: "inSlot",
          on: {
            "obj.free": { guard: "reclaims", target: "toDepopulate" },
            "pages.populate": { guard: "canPopulate", actions: "addPages" },
            "chunk.destroy": {
              guard: "destroyable",
              target: "destroyed",
              actions: "freeAllPages",
            },
          },
        },
        toDepopulate: {
          entry: "inToDepopulate",
          on: {
            "obj.free": { guard: "reclaims", target: "toDepopulate", reenter: true },
            "pages.depopulate": { guard: "canDepopulate", actions: "removePages" },
            "chunk.sideline": { guard: "sidelineable", target: "sidelined" },
            "chunk.reintegrate": { target: "slot" },
          },
        },
        sidelined: {
          entry: "inSidelined",
          on: {
            "obj.alloc": { guard: "fits", target: "slot" },
            // The area is taken and the chunk reintegrated before populating, so a failed
            // population leaves it on its slot (pcpu_alloc: pcpu_alloc_area,
            // pcpu_reintegrate_chunk, then pcpu_populate_chunk fails: pcpu_free_area).
            "alloc.unwind": { guard: "fits", target: "slot" },
            "obj.free": { guard: "reclaims", target: "toDepopulate" },
            "pages.populate": { guard: "canPopulate", actions: "addPages" },
          },
        },
        destroyed: { entry: "inDestroyed", type: "final" },
      },
    },
  },
});
