/**
 * The lifecycle of one block (the 2005 designs) or chunk (2009 and later), in units of the
 * model's object menu (a block of the 2005 design holds two "half" objects of 4 KiB per CPU, or
 * one "whole" object of 8 KiB):
 *
 *               block.reserve              populate.done
 *   unreserved ──────────────> populating ──────────────> empty
 *        ^                          │                      │ ^
 *        └──── populate.enomem ─────┘          obj.alloc   │ │ obj.free
 *              (rollback)                                  v │
 *                                       full <─obj.alloc── partial
 *                                        │  ──obj.free──>    │
 *                                        └─────obj.free──────┘ (to empty, when the last goes)
 *
 *   empty ── block.release ──> released (final)
 *
 * Context: the units of each live object, of `capacity`. A request that does not fit is refused
 * (the allocator looks at the next block); a free names the size of an object the block holds.
 */
import { assign, setup } from "xstate";

export type BlockLifecycleState =
  "unreserved" | "populating" | "empty" | "partial" | "full" | "released";

export interface BlockContext {
  readonly capacity: number;
  /** The units of each live object, ascending. */
  readonly objects: readonly number[];
}

/** Units in use. */
export function usedUnits(b: BlockContext): number {
  return b.objects.reduce((sum, u) => sum + u, 0);
}

export type BlockEvent =
  | { type: "block.reserve" }
  | { type: "populate.done" }
  | { type: "populate.enomem" }
  | { type: "obj.alloc"; units: number }
  | { type: "obj.free"; units: number }
  | { type: "block.release" };

/** The lifecycle state a populated block is in, from what it holds. */
export function blockState(used: number, capacity: number): "empty" | "partial" | "full" {
  return used === 0 ? "empty" : used >= capacity ? "full" : "partial";
}

/** Whether `units` more fit in the block. */
export function fits(b: BlockContext, units: number): boolean {
  return units > 0 && usedUnits(b) + units <= b.capacity;
}

const sizeOf = (event: BlockEvent) =>
  event.type === "obj.alloc" || event.type === "obj.free" ? (event.units ?? 0) : 0;

export const blockMachine = setup({
  types: {
    context: {} as BlockContext,
    events: {} as BlockEvent,
    input: {} as { capacity: number },
  },
  guards: {
    fits: ({ context, event }) => event.type === "obj.alloc" && fits(context, sizeOf(event)),
    fillsBlock: ({ context, event }) =>
      event.type === "obj.alloc" &&
      fits(context, sizeOf(event)) &&
      usedUnits(context) + sizeOf(event) === context.capacity,
    holdsObject: ({ context, event }) =>
      event.type === "obj.free" && context.objects.includes(sizeOf(event)),
    emptiesBlock: ({ context, event }) =>
      event.type === "obj.free" &&
      context.objects.length === 1 &&
      context.objects[0] === sizeOf(event),
  },
  actions: {
    takeUnits: assign(({ context, event }) => ({
      objects: [...context.objects, sizeOf(event)].sort((a, b) => a - b),
    })),
    returnUnits: assign(({ context, event }) => {
      const at = context.objects.indexOf(sizeOf(event));
      return { objects: context.objects.filter((_, i) => i !== at) };
    }),
    refuse: () => {},
  },
}).createMachine({
  id: "block",
  context: ({ input }) => ({ capacity: input.capacity, objects: [] }),
  initial: "unreserved",
  states: {
    unreserved: { on: { "block.reserve": "populating" } },
    populating: {
      on: { "populate.done": "empty", "populate.enomem": "unreserved" },
    },
    empty: {
      on: {
        "obj.alloc": [
          { guard: "fillsBlock", target: "full", actions: "takeUnits" },
          { guard: "fits", target: "partial", actions: "takeUnits" },
          { actions: "refuse" },
        ],
        "block.release": "released",
      },
    },
    partial: {
      on: {
        "obj.alloc": [
          { guard: "fillsBlock", target: "full", actions: "takeUnits" },
          { guard: "fits", target: "partial", actions: "takeUnits" },
          { actions: "refuse" },
        ],
        "obj.free": [
          { guard: "emptiesBlock", target: "empty", actions: "returnUnits" },
          { guard: "holdsObject", target: "partial", actions: "returnUnits" },
          { actions: "refuse" },
        ],
      },
    },
    full: {
      on: {
        "obj.alloc": { actions: "refuse" },
        "obj.free": [
          { guard: "emptiesBlock", target: "empty", actions: "returnUnits" },
          { guard: "holdsObject", target: "partial", actions: "returnUnits" },
          { actions: "refuse" },
        ],
      },
    },
    released: { type: "final" },
  },
});
