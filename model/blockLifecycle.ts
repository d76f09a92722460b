/**
 * An implementation's blocks run through blockMachine: from one view of the blocks to the
 * next, the events that explain what changed in each (a block that appears is reserved and
 * populated, an object that appears in it is an `obj.alloc` of its units, one that goes is an
 * `obj.free`, a block that goes is a `block.release`), and the state the machine reaches must be
 * the state the implementation shows. An event the machine refuses (an object that does not
 * fit, a block released while it holds objects) is the difference.
 *
 *   view n:   block 3 partial {a: 1}             machine: partial [1]
 *   view n+1: block 3 full    {a: 1, b: 1}       obj.alloc(1) -> full [1, 1]   agrees
 *   view n+2: (block 3 gone)                     block.release in full: refused
 *
 * An object that leaves its block while the model still has it live is not freed: the machine
 * keeps it, so that a block the implementation empties or releases under a live object differs.
 */
import type { SnapshotFrom } from "xstate";
import { blockMachine, usedUnits, type BlockEvent } from "./blockMachine.ts";
import { inertTransition } from "./inertTransition.ts";

/** A block as the implementation shows it: its state and the units of each object in it. */
export interface ObservedBlock {
  readonly id: number;
  readonly state: string;
  /** Units by object address. */
  readonly objects: ReadonlyMap<number, number>;
}

type BlockSnapshot = SnapshotFrom<typeof blockMachine>;

interface Tracked {
  snapshot: BlockSnapshot;
  readonly objects: Map<number, number>;
}

const blockStep = inertTransition(blockMachine, { capacity: 1 });

const describe = (e: BlockEvent) => ("units" in e ? `${e.type}(${e.units})` : e.type);

export class BlockLifecycle {
  private readonly blocks = new Map<number, Tracked>();

  /** `capacity`: the units one block holds. */
  constructor(private readonly capacity: number) {}

  /**
   * Moves every block to what `now` shows and returns the first difference from the machine,
   * or undefined. `live(addr)`: the model still has a live object there.
   */
  observe(now: readonly ObservedBlock[], live: (addr: number) => boolean): string | undefined {
    const seen = new Set<number>();
    for (const b of now) {
      seen.add(b.id);
      let t = this.blocks.get(b.id);
      if (t === undefined) {
        t = {
          snapshot: blockMachine.resolveState({
            value: "unreserved",
            context: { capacity: this.capacity, objects: [] },
          }),
          objects: new Map(),
        };
        this.blocks.set(b.id, t);
        const made =
          this.send(b.id, t, { type: "block.reserve" }) ??
          this.send(b.id, t, { type: "populate.done" });
        if (made !== undefined) return made;
      }
      const moved = this.frees(b.id, t, b.objects, live);
      if (moved !== undefined) return moved;
      for (const [addr, units] of b.objects) {
        if (t.objects.has(addr)) continue;
        const refused = this.send(b.id, t, { type: "obj.alloc", units });
        if (refused !== undefined) return refused;
        t.objects.set(addr, units);
      }
      const state = String(t.snapshot.value);
      if (state !== b.state) {
        return `block ${b.id} is ${b.state}, the block lifecycle has it ${state} (${usedUnits(t.snapshot.context)} of ${this.capacity} units used)`;
      }
    }
    for (const [id, t] of this.blocks) {
      if (seen.has(id)) continue;
      const gone =
        this.frees(id, t, new Map(), live) ?? this.send(id, t, { type: "block.release" });
      if (gone !== undefined) return gone;
      this.blocks.delete(id);
    }
    return undefined;
  }

  /** The objects that left a block and are dead in the model, freed in the machine. */
  private frees(
    id: number,
    t: Tracked,
    now: ReadonlyMap<number, number>,
    live: (addr: number) => boolean,
  ): string | undefined {
    for (const [addr, units] of t.objects) {
      if (now.has(addr) || live(addr)) continue;
      const refused = this.send(id, t, { type: "obj.free", units });
      if (refused !== undefined) return refused;
      t.objects.delete(addr);
    }
    return undefined;
  }

  /** Runs one event; why the machine refused it, or undefined. */
  private send(id: number, t: Tracked, event: BlockEvent): string | undefined {
    const before = t.snapshot;
    const next = blockStep(before, event);
    t.snapshot = next;
    const held = before.context.objects.length;
    const took =
      event.type === "obj.alloc"
        ? next.context.objects.length === held + 1
        : event.type === "obj.free"
          ? next.context.objects.length === held - 1
          : next.value !== before.value;
    if (took) return undefined;
    return `block ${id}: ${describe(event)} is refused by the block lifecycle in state ${String(before.value)} (${usedUnits(before.context)} of ${this.capacity} units used)`;
  }
}
