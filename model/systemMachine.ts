/**
 * The composed system under a bounded scope: the CPU masks and the block list of the 2005
 * design, small enough for xstate/graph to enumerate (see `SYSTEM_SCOPE`).
 *
 *   scope: NR_CPUS 8, CPUs 0-3 possible on 2 nodes (0,1 -> node 0; 2,3 -> node 1),
 *          boot with 0-2 present and 0-1 online; at most 3 live objects (slots o1-o3) from
 *          the menu half@8 (4 KiB, align 8), half@4096 (4 KiB, page aligned), whole@8 (8 KiB);
 *          one injected page-allocation failure.
 *
 *   blocks, by what they hold:   partial  [ half |  --  ]     (state partial, 1 live)
 *                                fullHalves [ half | half ] (state full, 2 live)
 *                                fullWhole  [   whole    ]  (state full, 1 live)
 *
 * The context counts blocks of each kind, and where patch 2/11's `firstnotfull` pointer stands
 * among the partial blocks. The list is sorted by bytes used, so it reads: the full blocks,
 * then the partial ones; the pointer names a partial block (by its place among them, in list
 * order) or the list head (`firstNotFull === partial`: a search that starts there meets no
 * block). Which full block an event hits does not change the multiset of block states, so the
 * model need not name full blocks or objects (the path runner keeps the concrete objects); a
 * free from a partial block names its place (`at`), since the pointer's place depends on it.
 *
 *   half:  the partial block the pointer names takes it and fills; the pointer moves to the
 *          link after it once re-sorted, the first partial block (or the head). At the head, a
 *          new block at the tail, and the pointer names it, though partial blocks may come
 *          before it.
 *   whole: always a new block; it moves up past the partial blocks (taking the pointer if it
 *          passes the block the pointer names), fills, and the pointer moves to the first
 *          partial block (or the head).
 *   free:  a full block of two halves becomes partial and moves down to the first place among
 *          the partial blocks, before the pointer (the search skips it); a block whose last
 *          object is freed is released at once (the 2005 design); if the pointer named it, it
 *          moves to the next link (the head after the last block).
 *
 * An allocation that needs a new block while the injected failure is armed fails with ENOMEM
 * and leaves everything as it was (the block rolls back from populating to unreserved, see
 * blockMachine). CPU events follow cpuSetsMachine; refused ones change nothing (EINVAL).
 * `abstractState` is what refinement compares with the implementation.
 */
import { assign, setup } from "xstate";
import {
  applyCpuEvent,
  CPU_TRANSITIONS,
  isAddable,
  isOfflinable,
  isOnlinable,
  isRemovable,
  type CpuEvent,
  type CpuSets,
} from "./cpuSetsMachine.ts";
import { blockState } from "./blockMachine.ts";

export type MenuItem = "half@8" | "half@4096" | "whole@8";

/** What each menu item asks for: bytes, alignment and units (halves of a block). */
export const MENU: Readonly<Record<MenuItem, { size: number; align: number; units: 1 | 2 }>> = {
  "half@8": { size: 4096, align: 8, units: 1 },
  "half@4096": { size: 4096, align: 4096, units: 1 },
  "whole@8": { size: 8192, align: 8, units: 2 },
};
export const MENU_ITEMS = Object.keys(MENU) as MenuItem[];

/** Kinds of block by what they hold. */
export type BlockKind = "partial" | "fullHalves" | "fullWhole";
export const BLOCK_KINDS: readonly BlockKind[] = ["partial", "fullHalves", "fullWhole"];

export const SYSTEM_SCOPE = {
  nrCpus: 8,
  nrNodes: 2,
  cpuToNode: [0, 0, 1, 1, 0, 0, 1, 1],
  possible: [0, 1, 2, 3],
  present: [0, 1, 2],
  online: [0, 1],
  /** CPUs the events name: the possible ones and one impossible CPU (always refused). */
  eventCpus: [0, 1, 2, 3, 5],
  maxLive: 3,
  faults: 1,
} as const;

export interface SystemContext {
  readonly cpus: CpuSets;
  /** Blocks of each kind. */
  readonly partial: number;
  /**
   * firstnotfull: the place, among the partial blocks in list order, of the block the pointer
   * names; `partial` for the list head (no block).
   */
  readonly firstNotFull: number;
  readonly fullHalves: number;
  readonly fullWhole: number;
  /** An injected failure waits for the next page allocation. */
  readonly armed: boolean;
  readonly faultsLeft: number;
}

export type SystemEvent =
  | CpuEvent
  | { type: "obj.alloc"; item: MenuItem }
  /** A free from a block of a kind; from a partial block, the `at`-th one in list order. */
  | { type: "obj.free"; from: BlockKind; at?: number }
  | { type: "fault.arm" }
  | { type: "reclaim" };

/** Live objects in the model. */
export function liveCount(ctx: SystemContext): number {
  return ctx.partial + 2 * ctx.fullHalves + ctx.fullWhole;
}

/** What refinement compares: the CPU masks and the multiset of block states with live counts. */
export interface AbstractState {
  readonly present: readonly number[];
  readonly online: readonly number[];
  /** Sorted "state:live" entries. */
  readonly blocks: readonly string[];
}

export function abstractState(ctx: SystemContext): AbstractState {
  const blocks = [
    ...Array<string>(ctx.partial).fill(`${blockState(1, 2)}:1`),
    ...Array<string>(ctx.fullHalves).fill(`${blockState(2, 2)}:2`),
    ...Array<string>(ctx.fullWhole).fill(`${blockState(2, 2)}:1`),
  ].sort();
  return { present: ctx.cpus.present, online: ctx.cpus.online, blocks };
}

/**
 * The events worth trying in a state: every CPU event (allowed or not), allocations while fewer
 * than `maxLive` objects live, a free from each kind of full block that exists and from each
 * partial block, arming the failure while one is left, and reclaim.
 */
export function systemEvents(ctx: SystemContext): SystemEvent[] {
  const events: SystemEvent[] = [];
  for (const type of ["cpu.add", "cpu.remove", "cpu.online", "cpu.offline"] as const) {
    for (const cpu of SYSTEM_SCOPE.eventCpus) events.push({ type, cpu });
  }
  if (liveCount(ctx) < SYSTEM_SCOPE.maxLive) {
    for (const item of MENU_ITEMS) events.push({ type: "obj.alloc", item });
  }
  for (const from of BLOCK_KINDS) {
    if (from === "partial") {
      for (let at = 0; at < ctx.partial; at++) events.push({ type: "obj.free", from, at });
    } else if (ctx[from] > 0) events.push({ type: "obj.free", from });
  }
  if (ctx.faultsLeft > 0 && !ctx.armed) events.push({ type: "fault.arm" });
  events.push({ type: "reclaim" });
  return events;
}

export const INITIAL_SYSTEM: SystemContext = {
  cpus: {
    possible: SYSTEM_SCOPE.possible,
    present: SYSTEM_SCOPE.present,
    online: SYSTEM_SCOPE.online,
  },
  partial: 0,
  firstNotFull: 0,
  fullHalves: 0,
  fullWhole: 0,
  armed: false,
  faultsLeft: SYSTEM_SCOPE.faults,
};

type Args = { context: SystemContext; event: SystemEvent };
const cpuGuard =
  (test: (s: CpuSets, cpu: number) => boolean) =>
  ({ context, event }: Args) =>
    "cpu" in event && test(context.cpus, event.cpu);
const unitsOf = (event: SystemEvent) => (event.type === "obj.alloc" ? MENU[event.item].units : 0);

export const systemMachine = setup({
  types: { context: {} as SystemContext, events: {} as SystemEvent },
  guards: {
    isAddable: cpuGuard(isAddable),
    isRemovable: cpuGuard(isRemovable),
    isOnlinable: cpuGuard(isOnlinable),
    isOfflinable: cpuGuard(isOfflinable),
    /** A half, and a partial block where the search starts (firstnotfull) to put it in. */
    fitsPartialBlock: ({ context, event }: Args) =>
      unitsOf(event) === 1 && context.firstNotFull < context.partial,
    isArmed: ({ context }: Args) => context.armed,
    /** The free leaves its block with an object (a full block of two halves). */
    leavesBlockUsed: ({ event }: Args) => event.type === "obj.free" && event.from === "fullHalves",
  },
  actions: {
    applyCpuEvent: assign(({ context, event }: Args) =>
      "cpu" in event ? { cpus: applyCpuEvent(context.cpus, event) } : {},
    ),
    // The pointer's block fills, moves up to the full ones, and the pointer moves to the link
    // after it: the first partial block, or the head.
    fillPartialBlock: assign(({ context }: Args) => ({
      partial: context.partial - 1,
      fullHalves: context.fullHalves + 1,
      firstNotFull: 0,
    })),
    failAllocation: assign({ armed: false }),
    // A half's new block goes to the tail and the pointer (at the head) names it; a whole's
    // fills and leaves the pointer on the first partial block.
    addBlock: assign(({ context, event }: Args) =>
      unitsOf(event) === 2
        ? { fullWhole: context.fullWhole + 1, firstNotFull: 0 }
        : { partial: context.partial + 1, firstNotFull: context.partial },
    ),
    // The block moves down to the first place among the partial blocks: before the pointer's.
    halveBlock: assign(({ context }: Args) => ({
      fullHalves: context.fullHalves - 1,
      partial: context.partial + 1,
      firstNotFull: context.firstNotFull + 1,
    })),
    // A released block before the pointer's shifts its place; the pointer's own moves it to
    // the next link, which takes the same place (or the head).
    releaseBlock: assign(({ context, event }: Args) => {
      if (event.type !== "obj.free" || event.from === "fullHalves") return {};
      if (event.from === "fullWhole") return { fullWhole: context.fullWhole - 1 };
      const before = (event.at ?? 0) < context.firstNotFull ? 1 : 0;
      return { partial: context.partial - 1, firstNotFull: context.firstNotFull - before };
    }),
    arm: assign(({ context }: Args) => ({ armed: true, faultsLeft: context.faultsLeft - 1 })),
    refuse: () => {},
  },
}).createMachine({
  id: "system",
  context: INITIAL_SYSTEM,
  initial: "running",
  states: {
    running: {
      on: {
        ...CPU_TRANSITIONS,
        "obj.alloc": [
          { guard: "fitsPartialBlock", actions: "fillPartialBlock" },
          { guard: "isArmed", actions: "failAllocation" },
          { actions: "addBlock" },
        ],
        "obj.free": [
          { guard: "leavesBlockUsed", actions: "halveBlock" },
          { actions: "releaseBlock" },
        ],
        "fault.arm": { actions: "arm" },
        reclaim: { actions: "refuse" },
      },
    },
  },
});
