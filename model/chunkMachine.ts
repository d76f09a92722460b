/**
 * The lifecycle of one chunk of today's allocator (mm/percpu.c, 4.14 and later, with partial
 * depopulation from v5.14, Roman Gushchin <20210408035736.883861-1-guro@fb.com>): what it holds,
 * which of its pages are populated, and which list it is on.
 *
 *   holding (as blockMachine):  empty ── obj.alloc ──> partial ── obj.alloc ──> full
 *                               empty <── obj.free ─── partial <── obj.free ─── full
 *
 *   pages (a parallel region; `populated` of `pages` pages, `emptyPopulated` of them hold nothing):
 *     pages.populate    pcpu_populate_chunk: an allocation or the balance worker maps pages
 *
 *   lists (a parallel region):
 *                chunk.isolate                      pages.depopulate
 *     slot ───────────────────────> toDepopulate ──────────────────────> sidelined
 *      ^   pcpu_should_reclaim_chunk         pcpu_reclaim_populated          │
 *      └──────────────────── chunk.reintegrate (pcpu_reintegrate_chunk) ─────┘
 *      (from toDepopulate too, when an allocation needs the chunk back)
 *
 * Rules modelled: a chunk is isolated for depopulation only when it holds populated pages with
 * nothing in them and is not the first chunk (`first` in the input); the worker depopulates only
 * isolated chunks, only empty populated pages, and sidelines the chunk after; an isolated chunk
 * takes no allocation until it is reintegrated. It describes the bitmap-2017 revision
 * (impl/revisions/bitmap/); the 2005 designs have no depopulation, and their blocks are checked
 * against blockMachine (model/blockLifecycle.ts).
 */
import { assign, setup } from "xstate";

export interface ChunkContext {
  /** Pages per unit. */
  readonly pages: number;
  /** The first chunk is never depopulated. */
  readonly first: boolean;
  /** Pages of each live object (an object here takes whole pages, to keep the scope small). */
  readonly objects: readonly number[];
  /** Populated pages. */
  readonly populated: number;
  /** On the to-depopulate or sidelined list (kept by the lists region's entry actions). */
  readonly isolated: boolean;
}

export type ChunkEvent =
  | { type: "obj.alloc"; pages: number }
  | { type: "obj.free"; pages: number }
  | { type: "pages.populate" }
  | { type: "chunk.isolate" }
  | { type: "pages.depopulate" }
  | { type: "chunk.reintegrate" };

/** Pages that hold objects. */
export function usedPages(c: ChunkContext): number {
  return c.objects.reduce((sum, p) => sum + p, 0);
}

/** Populated pages that hold nothing (pcpu_nr_empty_pop_pages' share of this chunk). */
export function emptyPopulated(c: ChunkContext): number {
  return c.populated - usedPages(c);
}

const pagesOf = (e: ChunkEvent) =>
  e.type === "obj.alloc" || e.type === "obj.free" ? (e.pages ?? 0) : 0;

export const chunkMachine = setup({
  types: {
    context: {} as ChunkContext,
    events: {} as ChunkEvent,
    input: {} as { pages: number; first: boolean },
  },
  guards: {
    /** Fits, with its pages populated on the way (pcpu_alloc populates what it needs). */
    fits: ({ context, event }) =>
      event.type === "obj.alloc" &&
      !context.isolated &&
      pagesOf(event) > 0 &&
      usedPages(context) + pagesOf(event) <= context.pages,
    fillsChunk: ({ context, event }) =>
      event.type === "obj.alloc" &&
      !context.isolated &&
      pagesOf(event) > 0 &&
      usedPages(context) + pagesOf(event) === context.pages,
    holdsObject: ({ context, event }) =>
      event.type === "obj.free" && context.objects.includes(pagesOf(event)),
    emptiesChunk: ({ context, event }) =>
      event.type === "obj.free" &&
      context.objects.length === 1 &&
      context.objects[0] === pagesOf(event),
    canPopulate: ({ context }) => context.populated < context.pages,
    shouldReclaim: ({ context }) => !context.first && emptyPopulated(context) > 0,
    hasEmptyPopulated: ({ context }) => emptyPopulated(context) > 0,
  },
  actions: {
    takePages: assign(({ context, event }) => {
      const objects = [...context.objects, pagesOf(event)].sort((a, b) => a - b);
      const used = objects.reduce((s, p) => s + p, 0);
      return { objects, populated: Math.max(context.populated, used) };
    }),
    returnPages: assign(({ context, event }) => {
      const at = context.objects.indexOf(pagesOf(event));
      return { objects: context.objects.filter((_, i) => i !== at) };
    }),
    populatePage: assign(({ context }) => ({ populated: context.populated + 1 })),
    depopulateEmpty: assign(({ context }) => ({ populated: usedPages(context) })),
    markIsolated: assign({ isolated: true }),
    markInSlot: assign({ isolated: false }),
    refuse: () => {},
  },
}).createMachine({
  id: "chunk",
  context: ({ input }) => ({
    pages: input.pages,
    first: input.first,
    objects: [],
    populated: 0,
    isolated: false,
  }),
  type: "parallel",
  states: {
    holding: {
      initial: "empty",
      states: {
        empty: {
          on: {
            "obj.alloc": [
              { guard: "fillsChunk", target: "full", actions: "takePages" },
              { guard: "fits", target: "partial", actions: "takePages" },
              { actions: "refuse" },
            ],
          },
        },
        partial: {
          on: {
            "obj.alloc": [
              { guard: "fillsChunk", target: "full", actions: "takePages" },
              { guard: "fits", target: "partial", actions: "takePages" },
              { actions: "refuse" },
            ],
            "obj.free": [
              { guard: "emptiesChunk", target: "empty", actions: "returnPages" },
              { guard: "holdsObject", target: "partial", actions: "returnPages" },
              { actions: "refuse" },
            ],
          },
        },
        full: {
          on: {
            "obj.free": [
              { guard: "emptiesChunk", target: "empty", actions: "returnPages" },
              { guard: "holdsObject", target: "partial", actions: "returnPages" },
              { actions: "refuse" },
            ],
          },
        },
      },
    },
    lists: {
      initial: "slot",
      states: {
        slot: {
          entry: "markInSlot",
          on: {
            "pages.populate": [
              { guard: "canPopulate", actions: "populatePage" },
              { actions: "refuse" },
            ],
            "chunk.isolate": [
              { guard: "shouldReclaim", target: "toDepopulate" },
              { actions: "refuse" },
            ],
          },
        },
        toDepopulate: {
          entry: "markIsolated",
          on: {
            "pages.depopulate": [
              { guard: "hasEmptyPopulated", target: "sidelined", actions: "depopulateEmpty" },
              { target: "sidelined" },
            ],
            "chunk.reintegrate": "slot",
          },
        },
        sidelined: {
          entry: "markIsolated",
          on: { "chunk.reintegrate": "slot" },
        },
      },
    },
  },
});
