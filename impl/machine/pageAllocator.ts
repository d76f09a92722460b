/**
 * The page allocator of the simulated machine: `alloc_pages_node` with zones and fault injection.
 *
 *   pfn:  0 ........ low-1 | low ...... low+high-1 | low+high ...
 *        +-----------------+----------------------+---------------
 *        | node 0 ZONE_LOW | node 0 ZONE_HIGHMEM  | node 1 ZONE_LOW ...
 *        +-----------------+----------------------+---------------
 *
 * Every node has the same zone sizes. Low-memory pages are reachable through the direct map
 * (see `layout.ts`); high-memory pages only through a mapping (vmalloc). A request with
 * `highmem` (GFP_HIGHMEM) takes from ZONE_HIGHMEM first and falls back to low memory, as the
 * zonelist does; without it only low memory serves. There is no fallback to another node (the
 * model behaves as __GFP_THISNODE), so node placement is always what the caller asked for.
 *
 * Free pages are reused last-freed-first (the per-cpu hot list), so freed contents come back.
 * Allocations of order > 0 (kmalloc's large slabs) are naturally aligned runs; freed runs are
 * kept per order and reused whole (no buddy merging, a documented simplification).
 *
 * Fault injection (`failAfter`): after `after` more successful page allocations, the next
 * `count` fail with ENOMEM, whatever the request (the protocol's `fail_page_alloc`).
 */
import { err, type Result } from "../result.ts";

export type Zone = "low" | "high";

export interface PageFrame {
  readonly pfn: number;
  readonly node: number;
  readonly zone: Zone;
  /** log2 of the number of contiguous pages. */
  readonly order: number;
  readonly owner: string;
}

export interface PageRequest {
  readonly node: number;
  /** GFP_HIGHMEM: high memory allowed (preferred). */
  readonly highmem?: boolean;
  /** __GFP_ZERO: the pages read zero. */
  readonly zero?: boolean;
  /** Accounting tag: who holds the page ("percpu", "slab", ...). */
  readonly owner: string;
  /** Contiguous naturally aligned run of 2^order pages (default 0). */
  readonly order?: number;
}

export interface ZoneCounts {
  low: number;
  high: number;
}

/** Told when pages are handed out, so that memory can give them their first contents. */
export interface PageContentsHook {
  onAllocate(frame: PageFrame, zero: boolean): void;
}

interface ZoneState {
  readonly start: number;
  readonly end: number;
  /** Next never-used pfn (pages above it have never been handed out). */
  bump: number;
  /** Freed runs per order, last freed on top. */
  readonly freed: number[][];
}

export class PageAllocator {
  readonly nrNodes: number;
  readonly lowPages: number;
  readonly highPages: number;
  private readonly zones: ZoneState[] = [];
  private readonly frames = new Map<number, PageFrame>();
  /** Pages by owner, node and zone. */
  private readonly held = new Map<string, ZoneCounts[]>();
  private injectSkip = 0;
  private injectFail = 0;
  /** Successful page allocations (runs count once). */
  allocations = 0;
  /** Failed page allocations, injected or real. */
  failures = 0;
  contents: PageContentsHook | undefined;

  constructor(nrNodes: number, lowPages: number, highPages: number) {
    this.nrNodes = nrNodes;
    this.lowPages = lowPages;
    this.highPages = highPages;
    for (let node = 0; node < nrNodes; node++) {
      const base = node * (lowPages + highPages);
      this.zones.push(this.zoneState(base, base + lowPages));
      this.zones.push(this.zoneState(base + lowPages, base + lowPages + highPages));
    }
  }

  private zoneState(start: number, end: number): ZoneState {
    return { start, end, bump: start, freed: [] };
  }

  /** The zone state of (node, zone). */
  private zoneOf(node: number, zone: Zone): ZoneState {
    return this.zones[node * 2 + (zone === "high" ? 1 : 0)] as ZoneState;
  }

  /** The node and zone a pfn belongs to (allocated or not). */
  locate(pfn: number): { node: number; zone: Zone } | undefined {
    const per = this.lowPages + this.highPages;
    const node = Math.floor(pfn / per);
    if (pfn < 0 || node >= this.nrNodes) return undefined;
    return { node, zone: pfn - node * per < this.lowPages ? "low" : "high" };
  }

  /** The allocated frame whose run contains `pfn`, if any. */
  frameOf(pfn: number): PageFrame | undefined {
    return this.frames.get(pfn);
  }

  /** After `after` more successful allocations, fail the next `count`. */
  failAfter(after: number, count: number): void {
    this.injectSkip = after;
    this.injectFail = count;
  }

  /** Whether an injected failure is still armed. */
  get injectionPending(): boolean {
    return this.injectFail > 0;
  }

  /**
   * An allocation that is not of pages but that fault injection counts as one (a harness that
   * fails every allocation the kernel makes, kmalloc included, counts them so): it fails if an
   * injected failure is due, else it counts as a successful allocation (`allocations`, and for
   * `failAfter`), as pcpu-linux's `page_allocs` counts every allocation.
   */
  faultPoint(what: string): Result<void> {
    if (this.injectSkip === 0 && this.injectFail > 0) {
      this.injectFail--;
      this.failures++;
      return err("ENOMEM", `${what} failed (injected)`);
    }
    this.allocations++;
    if (this.injectSkip > 0) this.injectSkip--;
    return { ok: true, value: undefined };
  }

  alloc(req: PageRequest): Result<PageFrame> {
    const order = req.order ?? 0;
    if (this.injectSkip === 0 && this.injectFail > 0) {
      this.injectFail--;
      this.failures++;
      return err("ENOMEM", `page allocation on node ${req.node} failed (injected)`);
    }
    const zones: Zone[] = req.highmem ? ["high", "low"] : ["low"];
    for (const zone of zones) {
      const pfn = this.take(this.zoneOf(req.node, zone), order);
      if (pfn === undefined) continue;
      const frame: PageFrame = { pfn, node: req.node, zone, order, owner: req.owner };
      for (let i = 0; i < 1 << order; i++) this.frames.set(pfn + i, frame);
      this.count(req.owner, req.node, zone, 1 << order);
      this.allocations++;
      if (this.injectSkip > 0) this.injectSkip--;
      this.contents?.onAllocate(frame, req.zero === true);
      return { ok: true, value: frame };
    }
    this.failures++;
    return err("ENOMEM", `node ${req.node} has no free ${req.highmem ? "" : "low-memory "}pages`);
  }

  private take(z: ZoneState, order: number): number | undefined {
    const list = z.freed[order];
    if (list !== undefined && list.length > 0) return list.pop();
    const size = 1 << order;
    // Natural alignment is of the pfn itself (as in the buddy allocator), not of the offset in
    // the zone: a zone need not start on a multiple of the run size.
    const start = Math.ceil(z.bump / size) * size;
    if (start + size > z.end) return undefined;
    // The alignment gap, if any, becomes order-0 free pages.
    for (let pfn = z.bump; pfn < start; pfn++) this.pushFreed(z, 0, pfn);
    z.bump = start + size;
    return start;
  }

  private pushFreed(z: ZoneState, order: number, pfn: number): void {
    (z.freed[order] ??= []).push(pfn);
  }

  /** Frees a run by its first pfn; false if `pfn` does not start an allocated run. */
  free(pfn: number): boolean {
    const frame = this.frames.get(pfn);
    if (frame === undefined || frame.pfn !== pfn) return false;
    for (let i = 0; i < 1 << frame.order; i++) this.frames.delete(pfn + i);
    this.count(frame.owner, frame.node, frame.zone, -(1 << frame.order));
    this.pushFreed(this.zoneOf(frame.node, frame.zone), frame.order, pfn);
    return true;
  }

  private count(owner: string, node: number, zone: Zone, delta: number): void {
    let perNode = this.held.get(owner);
    if (perNode === undefined) {
      perNode = Array.from({ length: this.nrNodes }, () => ({ low: 0, high: 0 }));
      this.held.set(owner, perNode);
    }
    (perNode[node] as ZoneCounts)[zone] += delta;
  }

  /** Pages held per node and zone, by one owner or (no owner) by everybody. */
  heldBy(owner?: string): ZoneCounts[] {
    const out = Array.from({ length: this.nrNodes }, () => ({ low: 0, high: 0 }));
    for (const [who, perNode] of this.held) {
      if (owner !== undefined && who !== owner) continue;
      perNode.forEach((c, node) => {
        (out[node] as ZoneCounts).low += c.low;
        (out[node] as ZoneCounts).high += c.high;
      });
    }
    return out;
  }

  /** Total pages allocated now. */
  get allocatedPages(): number {
    return this.frames.size;
  }
}

/** Total of a per-node, per-zone count. */
export function totalPages(counts: readonly ZoneCounts[]): number {
  let sum = 0;
  for (const c of counts) sum += c.low + c.high;
  return sum;
}
