/**
 * The system model of the chunk designs: every chunk on the lists is a chunkMachine
 * (model/chunkMachine.ts), composed with what the chunks share, the system-wide count of
 * empty populated pages (pcpu_nr_empty_pop_pages: the chunks that are not isolated; the
 * reserved chunk is not on the lists, see chunkView.ts). From one view of the chunks to the
 * next, the events that explain what changed in each, in the order the kernel does it within
 * one operation: the operation itself (an area taken or given back, with free_percpu's
 * isolation), then the balance worker's work (depopulation, sidelining or reintegration,
 * population, destruction), whenever the target ran it.
 *
 *   view n:   chunk 4 slot, 2 live, 8 populated, 2 empty        machine: slot, partial
 *   view n+1: chunk 4 to-depopulate, 1 live, 8 populated, 6 empty
 *             obj.free(bytes, empty 6, system-wide 9) [reclaims] -> toDepopulate    agrees
 *   view n+2: chunk 4 sidelined, 1 live, 2 populated, 0 empty
 *             pages.depopulate(6), chunk.sideline [sidelineable] -> sidelined       agrees
 *
 *   per chunk and step:  Δlive +1 -> obj.alloc, -1 -> obj.free (any other: a difference);
 *                        Δpopulated < 0 -> pages.depopulate; toDepopulate -> slot:
 *                        chunk.reintegrate, -> sidelined: chunk.sideline; Δpopulated > 0 ->
 *                        pages.populate; a chunk that is gone -> its last free, if it had one
 *                        live area, then chunk.destroy (from to_depopulate by way of
 *                        depopulation and reintegration, as pcpu_reclaim_populated then
 *                        pcpu_balance_free do); a new chunk starts as pcpu_create_chunk
 *                        leaves it.
 *
 * Each event an allocation or free carries is worked back from the view: the chunk's empty
 * count after the area, before the worker's pages (a page the worker populates or
 * depopulates is an empty one, so it moves the empty count as much as the populated count).
 * An event no region of the machine takes, or a state that differs from the view after the
 * events (its list, holding state, live areas, free bytes, populated or empty pages), is the
 * difference: a `transition:` or a `state:` message (the invariant's conjuncts). Chunks seen in
 * the first view of a run are taken as they are.
 */
import type { ChunkCoverage } from "./chunkCoverage.ts";
import { chunkStep } from "./chunkCoverage.ts";
import {
  chunkMachine,
  holdingOf,
  newChunkContext,
  type ChunkContext,
  type ChunkEvent,
} from "./chunkMachine.ts";
import type { ObservedChunk } from "./chunkView.ts";
import { chunkTransition, type ChunkSnapshot } from "./chunkTransition.ts";

const valueOf = (s: ChunkSnapshot) => s.value as Record<string, string>;

/** "obj.free(64 bytes, empty 2, system-wide 5)" */
export function describeChunkEvent(e: ChunkEvent): string {
  switch (e.type) {
    case "obj.alloc":
      return `${e.type}(${e.bytes} bytes, empty ${e.emptyPopulated})`;
    case "obj.free":
      return `${e.type}(${e.bytes} bytes, empty ${e.emptyPopulated}, system-wide ${e.globalEmpty})`;
    case "pages.populate":
    case "pages.depopulate":
      return `${e.type}(${e.pages})`;
    default:
      return e.type;
  }
}

function describeChunk(c: ChunkContext): string {
  return `${c.live} live, ${c.freeBytes} free bytes, ${c.populated} of ${c.nrPages} pages populated, ${c.emptyPopulated} empty${c.first ? ", the first chunk" : ""}`;
}

export class ChunkLifecycle {
  private readonly chunks = new Map<number, ChunkSnapshot>();
  private started = false;
  private failedAlloc: number | undefined;

  constructor(private readonly coverage?: ChunkCoverage) {}

  /** pcpu_nr_empty_pop_pages as the machines have it, leaving out one chunk. */
  private globalEmptyBut(id: number): number {
    let sum = 0;
    for (const [other, s] of this.chunks) {
      if (other !== id && s.context.list === "slot") sum += s.context.emptyPopulated;
    }
    return sum;
  }

  /**
   * Moves every chunk to what `now` shows; the first difference from the machine, or
   * undefined. `failedAlloc`: the step was an allocation that failed, of this many bytes
   * (rounded up to PCPU_MIN_ALLOC_SIZE as pcpu_alloc does).
   */
  observe(now: readonly ObservedChunk[], failedAlloc?: number): string | undefined {
    this.failedAlloc = failedAlloc;
    if (!this.started) {
      this.started = true;
      for (const c of now) this.adopt(c);
      return undefined;
    }
    const byId = new Map(now.map((c) => [c.id, c]));
    // The operation's own chunk first (the one whose live count changed), while every other
    // chunk still has the count it had before: free_percpu's pcpu_should_reclaim_chunk reads
    // the system-wide count before the worker runs.
    const order = [...this.chunks.keys()].sort((a, b) => {
      const moved = (id: number) => {
        const o = byId.get(id);
        const live = (this.chunks.get(id) as ChunkSnapshot).context.live;
        return o === undefined ? live > 0 : o.live !== live;
      };
      return Number(moved(b)) - Number(moved(a));
    });
    for (const id of order) {
      const o = byId.get(id);
      const d = o === undefined ? this.destroy(id) : this.follow(id, o);
      if (d !== undefined) return d;
    }
    for (const o of now) {
      if (this.chunks.has(o.id)) continue;
      const s = chunkMachine.resolveState({
        value: { holding: "empty", lists: "slot" },
        context: newChunkContext(o.nrPages, o.unitBytes),
      });
      this.chunks.set(o.id, s);
      this.coverage?.visit(valueOf(s));
      const d = this.follow(o.id, o, " (a new chunk)");
      if (d !== undefined) return d;
    }
    return undefined;
  }

  /** A chunk seen for the first time in a run's first view: taken as it is. */
  private adopt(o: ObservedChunk): void {
    const context: ChunkContext = {
      nrPages: o.nrPages,
      unitBytes: o.unitBytes,
      first: o.first,
      live: o.live,
      freeBytes: o.freeBytes,
      populated: o.populated,
      emptyPopulated: o.emptyPopulated,
      list: o.list,
    };
    const s = chunkMachine.resolveState({
      value: { holding: holdingOf(context), lists: o.list },
      context,
    });
    this.chunks.set(o.id, s);
    this.coverage?.visit(valueOf(s));
  }

  /** The events that take a chunk to what the view shows, run; then the two compared. */
  private follow(id: number, o: ObservedChunk, what = ""): string | undefined {
    const m = (this.chunks.get(id) as ChunkSnapshot).context;
    const dLive = o.live - m.live;
    const dPop = o.populated - m.populated;
    const sent: ChunkEvent[] = [];
    const send = (e: ChunkEvent) => {
      sent.push(e);
      return this.send(id, e, sent);
    };
    let refused: string | undefined;
    if (dLive === 1) {
      // The area first, then its pages (pcpu_alloc: pcpu_alloc_area, then pcpu_chunk_populated
      // for each range it populates). The empty count in between is the kernel's, which can
      // be below zero: the area's blocks leave the count before its new pages join it.
      refused = send({
        type: "obj.alloc",
        bytes: m.freeBytes - o.freeBytes,
        emptyPopulated: o.emptyPopulated - dPop,
      });
    } else if (dLive === -1) {
      const e = o.emptyPopulated - dPop;
      refused = send({
        type: "obj.free",
        bytes: o.freeBytes - m.freeBytes,
        emptyPopulated: e,
        globalEmpty: this.globalEmptyBut(id) + (m.list === "slot" ? e : 0),
      });
    } else if (dLive !== 0) {
      return `transition: chunk ${id}${what}: ${o.live} live areas after one step, the chunk lifecycle had ${m.live} (one step takes or gives back one)`;
    }
    if (refused !== undefined) return refused;
    const now = () => (this.chunks.get(id) as ChunkSnapshot).context;
    if (dLive === 0 && now().list === "sidelined" && o.list === "slot") {
      if (this.failedAlloc !== undefined) {
        refused = send({ type: "alloc.unwind", bytes: this.failedAlloc });
      }
    } else if (now().list === "toDepopulate" && o.list === "sidelined") {
      // pcpu_reclaim_populated sidelines a chunk once it has depopulated every empty page;
      // pcpu_balance_populated may then populate it again in the same run of the worker.
      if (now().emptyPopulated > 0) {
        refused = send({ type: "pages.depopulate", pages: now().emptyPopulated });
      }
      refused ??= send({ type: "chunk.sideline" });
    } else {
      const fewer = now().populated - o.populated;
      if (fewer > 0) refused = send({ type: "pages.depopulate", pages: fewer });
      if (refused === undefined && now().list === "toDepopulate" && o.list === "slot") {
        refused = send({ type: "chunk.reintegrate" });
      }
    }
    if (refused !== undefined) return refused;
    const more = o.populated - now().populated;
    if (more > 0) refused = send({ type: "pages.populate", pages: more });
    else if (more < 0) refused = send({ type: "pages.depopulate", pages: -more });
    if (refused !== undefined) return refused;
    return this.compare(id, o, sent, what);
  }

  /** A chunk the view no longer shows: its last area freed, then destroyed. */
  private destroy(id: number): string | undefined {
    const sent: ChunkEvent[] = [];
    const send = (e: ChunkEvent) => {
      sent.push(e);
      return this.send(id, e, sent);
    };
    const m = (this.chunks.get(id) as ChunkSnapshot).context;
    if (m.live > 1) {
      return `transition: chunk ${id} is gone with ${m.live} live areas in the chunk lifecycle (${describeChunk(m)})`;
    }
    let refused: string | undefined;
    if (m.live === 1) {
      // Every populated page of a fully free chunk is empty.
      refused = send({
        type: "obj.free",
        bytes: m.unitBytes - m.freeBytes,
        emptyPopulated: m.populated,
        globalEmpty: this.globalEmptyBut(id) + (m.list === "slot" ? m.populated : 0),
      });
    }
    const now = () => (this.chunks.get(id) as ChunkSnapshot).context;
    if (refused === undefined && now().list === "toDepopulate") {
      if (now().emptyPopulated > 0) {
        refused = send({ type: "pages.depopulate", pages: now().emptyPopulated });
      }
      refused ??= send({ type: "chunk.reintegrate" });
    }
    refused ??= send({ type: "chunk.destroy" });
    if (refused !== undefined) return refused;
    this.chunks.delete(id);
    return undefined;
  }

  /** Runs one event; why the machine refused it, or undefined. */
  private send(id: number, event: ChunkEvent, sent: readonly ChunkEvent[]): string | undefined {
    const before = this.chunks.get(id) as ChunkSnapshot;
    const steps = chunkStep(valueOf(before), before.context, event);
    if (steps.every((s) => s.taken === undefined)) {
      const v = valueOf(before);
      const earlier = sent.slice(0, -1).map(describeChunkEvent);
      return `transition: chunk ${id}: ${describeChunkEvent(event)} is refused by the chunk lifecycle on ${v.lists}, ${v.holding} (${describeChunk(before.context)})${earlier.length > 0 ? ` after ${earlier.join(", ")}` : ""}`;
    }
    this.coverage?.record(steps);
    const next = chunkTransition(before, event);
    this.chunks.set(id, next);
    this.coverage?.visit(valueOf(next));
    return undefined;
  }

  private compare(
    id: number,
    o: ObservedChunk,
    sent: readonly ChunkEvent[],
    what: string,
  ): string | undefined {
    const s = this.chunks.get(id) as ChunkSnapshot;
    const m = s.context;
    const v = valueOf(s);
    const fields: [string, string | number, string | number][] = [
      ["on the list", o.list, v.lists ?? ""],
      ["holding", o.state, v.holding ?? ""],
      ["live areas", o.live, m.live],
      ["free bytes", o.freeBytes, m.freeBytes],
      ["populated pages", o.populated, m.populated],
      ["empty populated pages", o.emptyPopulated, m.emptyPopulated],
    ];
    for (const [name, seen, model] of fields) {
      if (seen === model) continue;
      const after = sent.length > 0 ? ` after ${sent.map(describeChunkEvent).join(", ")}` : "";
      return `state: chunk ${id}${what}: ${name} ${seen}, the chunk lifecycle has ${model}${after}`;
    }
    if (o.emptyPopulated > o.populated) {
      return `state: chunk ${id}: ${o.emptyPopulated} empty populated pages of ${o.populated} populated`;
    }
    return undefined;
  }
}
