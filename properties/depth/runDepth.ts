/**
 * How deep one run goes, measured step by step from what the session already has (the stats
 * after the step, the model's live objects) and, where the target offers it, its `inspect`
 * view, asked only on the steps that can change a chunk (a granted allocation, a step after
 * which the pages, vm space or unit bytes held changed, an ENOMEM, a full audit; a free too on
 * an in-process target, where asking costs no round trip). The session's observer keeps the
 * view of the step, so a view an invariant asked for is not asked again.
 *
 *   step ──> invariants pass ──> RunDepth.step(ctx) ──> figures of the run
 *                                   └─ inspect (if wanted) ─> chunks, full, emptied, released
 *
 * A target without `inspect` (a harness) has its chunks counted from the distinct vm ranges of
 * the live copies (vmRanges.ts), and a chunk released wherever the vm space held shrinks.
 */
import { Stopped } from "../../impl/stop.ts";
import { HarnessFailure } from "../../impl/external/index.ts";
import type { AllocatorStats, InspectView, Result } from "../../impl/index.ts";
import type { StepContext } from "../invariants/invariant.ts";
import { MIN_UNIT_BYTES, unitStride, vmRanges, type DepthObject } from "./vmRanges.ts";

export type { DepthObject };

/** What a run's depth is measured on: the target's kind and the run's topology. */
export interface DepthSetting {
  /** The possible CPUs of the run. */
  readonly possible: readonly number[];
  readonly pageSize: number;
  /** The design has units (every design but 2.6.10's kmalloc array). */
  readonly units: boolean;
  /** The target offers `inspect`. */
  readonly inspect: boolean;
  /** An external harness: each `inspect` is a round trip, asked only where stats changed. */
  readonly external: boolean;
  /** The unit the target declares (`pool.unit_bytes`), if it does. */
  readonly unitBytes?: number;
  /** The design's detail may name chunk slots (read at the audits); default false. */
  readonly slots?: boolean;
}

type Stats = Pick<AllocatorStats, "pagesByNode" | "vmBytes" | "unitBytes">;

/** One step as the depth measure reads it (made from a session's StepContext by `step`). */
export interface DepthObservation {
  /** The object a granted allocation made. */
  readonly allocated?: DepthObject;
  /** The step was a granted free. */
  readonly freed?: boolean;
  readonly enomem: boolean;
  /** Live objects after the step. */
  readonly live: number;
  /** Possible CPUs offline after the step. */
  readonly offline: number;
  readonly before: Stats;
  readonly after: Stats;
  /** A full audit step. */
  readonly audit: boolean;
  /** The live objects after the step (read only where vm ranges are counted). */
  readonly liveObjects: () => readonly DepthObject[];
  /** The allocator's view, asked only where wanted (absent: the target has none). */
  readonly inspect?: () => Result<InspectView>;
}

/** The figures of one run. */
export interface RunFigures {
  readonly cpus: number;
  chunksMax: number;
  /** Most chunks holding a live object at once. */
  inUseMax: number;
  liveMax: number;
  pagesMax: number;
  offlineMax: number;
  /** The furthest end of an object inside its unit, as a fraction of the unit. */
  unitOffsetMax: number;
  /** An object reached into the last page of its unit. */
  lastPage: boolean;
  /** Chunks seen full (each once). */
  fullChunks: number;
  /** Chunks that held objects and were seen empty (each time). */
  emptied: number;
  released: number;
  /** Released chunks that had been seen full. */
  fullReleased: number;
  /** Steps after which fewer pages were held, with no chunk released. */
  depopulations: number;
  readonly slots: Set<number>;
  /** ENOMEM answers by the chunks held when they came. */
  readonly enomem: Map<number, number>;
}

interface Known {
  hadLive: boolean;
  wasFull: boolean;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export class RunDepth {
  readonly figures: RunFigures;
  private readonly setting: DepthSetting;
  /** The chunks of the last view, by id. */
  private readonly known = new Map<number, Known>();
  private chunks = 0;

  constructor(setting: DepthSetting) {
    this.setting = setting;
    this.figures = {
      cpus: setting.possible.length,
      chunksMax: 0,
      inUseMax: 0,
      liveMax: 0,
      pagesMax: 0,
      offlineMax: 0,
      unitOffsetMax: 0,
      lastPage: false,
      fullChunks: 0,
      emptied: 0,
      released: 0,
      fullReleased: 0,
      depopulations: 0,
      slots: new Set(),
      enomem: new Map(),
    };
  }

  /** The session's hook (Session `onStep`). */
  readonly step = (ctx: StepContext): void => {
    const outcome = ctx.outcome;
    const granted = outcome.ok && ctx.expectation.valid;
    const op = ctx.step.op;
    try {
      this.observe({
        ...(granted && op === "alloc" && ctx.record !== undefined ? { allocated: ctx.record } : {}),
        freed: granted && op === "free",
        enomem: !outcome.ok && outcome.error === "ENOMEM",
        live: ctx.model.liveObjects().length,
        offline: ctx.model.possible.length - ctx.model.online.size,
        before: ctx.before,
        after: ctx.after,
        audit: ctx.scope.audit,
        liveObjects: () => ctx.model.liveObjects(),
        ...(this.setting.inspect ? { inspect: () => ctx.observe.inspect() } : {}),
      });
    } catch (e) {
      // A view that raises is the invariants' business (refinement, no-oops), not depth's.
      if (e instanceof HarnessFailure || e instanceof Stopped) throw e;
    }
  };

  observe(o: DepthObservation): void {
    const f = this.figures;
    const s = this.setting;
    f.liveMax = Math.max(f.liveMax, o.live);
    f.offlineMax = Math.max(f.offlineMax, o.offline);
    const pages = sum(o.after.pagesByNode);
    f.pagesMax = Math.max(f.pagesMax, pages);
    const changed =
      pages !== sum(o.before.pagesByNode) ||
      o.after.vmBytes !== o.before.vmBytes ||
      o.after.unitBytes !== o.before.unitBytes;
    let released = 0;
    let placed = false;
    if (o.inspect !== undefined) {
      const wanted =
        o.allocated !== undefined ||
        changed ||
        o.enomem ||
        o.audit ||
        (o.freed === true && !s.external);
      const view = wanted ? o.inspect() : undefined;
      if (view?.ok) {
        released = this.readView(view.value, o.audit);
        if (o.allocated !== undefined) placed = this.placeFromView(view.value, o);
      }
    } else if (s.units) {
      if (o.after.vmBytes < o.before.vmBytes) released = 1;
      f.released += released;
    }
    if (s.units && o.inspect === undefined && (o.allocated !== undefined || o.freed === true)) {
      this.placeFromRanges(o);
    } else if (s.units && o.allocated !== undefined && !placed) this.placeFromRanges(o);
    if (pages < sum(o.before.pagesByNode) && released === 0) f.depopulations++;
    if (o.enomem) f.enomem.set(this.chunks, (f.enomem.get(this.chunks) ?? 0) + 1);
  }

  /** Reads a view: chunks held, full, emptied, released (returned), and the slots at audits. */
  private readView(view: InspectView, audit: boolean): number {
    const f = this.figures;
    const seen = new Set<number>();
    let inUse = 0;
    for (const b of view.blocks) {
      seen.add(b.id);
      if (b.live > 0) inUse++;
      let k = this.known.get(b.id);
      if (k === undefined) {
        k = { hadLive: false, wasFull: false };
        this.known.set(b.id, k);
      }
      if (b.state === "full" && !k.wasFull) {
        k.wasFull = true;
        f.fullChunks++;
      }
      if (b.live > 0) k.hadLive = true;
      else if (k.hadLive) {
        k.hadLive = false;
        f.emptied++;
      }
    }
    let released = 0;
    for (const [id, k] of this.known) {
      if (seen.has(id)) continue;
      released++;
      if (k.hadLive) f.emptied++;
      if (k.wasFull) f.fullReleased++;
      this.known.delete(id);
    }
    f.released += released;
    this.chunks = view.blocks.length;
    f.chunksMax = Math.max(f.chunksMax, this.chunks);
    f.inUseMax = Math.max(f.inUseMax, inUse);
    if (audit && this.setting.slots === true) {
      for (const slot of slotsOf(view.detail)) f.slots.add(slot);
    }
    return released;
  }

  /** The new object's offset from the view's `objects` (in-process designs); false: not given. */
  private placeFromView(view: InspectView, o: DepthObservation): boolean {
    const obj = o.allocated as DepthObject;
    const entry = view.objects?.find((e) => e.ptr === obj.ptr);
    if (entry?.offset === undefined || view.blocks.length === 0) return false;
    const unit = this.setting.unitBytes ?? o.after.unitBytes / view.blocks.length;
    this.reach(entry.offset + obj.size, unit);
    return true;
  }

  /**
   * The chunks in use (without a view) and the new object's reach, at least, from the vm ranges
   * of the live copies.
   */
  private placeFromRanges(o: DepthObservation): void {
    const s = this.setting;
    const obj = o.allocated;
    const cpu = s.possible[0];
    const gap = s.possible.length >= 2 ? 0 : (s.unitBytes ?? MIN_UNIT_BYTES);
    const ranges = vmRanges(o.liveObjects(), gap, obj, cpu);
    if (o.inspect === undefined) {
      this.chunks = ranges.count;
      this.figures.chunksMax = Math.max(this.figures.chunksMax, ranges.count);
      this.figures.inUseMax = this.figures.chunksMax;
    }
    if (obj === undefined) return;
    const unit =
      s.unitBytes ?? unitStride(obj) ?? (this.chunks > 0 ? o.after.unitBytes / this.chunks : 0);
    if (ranges.reach !== undefined && unit > 0) this.reach(ranges.reach, unit);
  }

  private reach(end: number, unit: number): void {
    const f = this.figures;
    f.unitOffsetMax = Math.max(f.unitOffsetMax, Math.min(1, end / unit));
    if (end > unit - this.setting.pageSize) f.lastPage = true;
  }
}

/** The slots a design's detail puts its chunks on (`detail.chunks[].slot`), if it says. */
export function slotsOf(detail: unknown): number[] {
  if (detail === null || typeof detail !== "object") return [];
  const chunks = (detail as { chunks?: unknown }).chunks;
  if (!Array.isArray(chunks)) return [];
  const out: number[] = [];
  for (const c of chunks) {
    const slot = (c as { slot?: unknown } | null)?.slot;
    // A negative slot is none (a chunk on no list, as the kernel harness says of its first).
    if (typeof slot === "number" && slot >= 0) out.push(slot);
  }
  return out;
}
