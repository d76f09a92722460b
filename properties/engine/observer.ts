/**
 * What a step's checks observe through the interface, asked once per step and shared by the
 * invariants: each live copy's address (`ptr`) and bytes (`read`). Every observation is a
 * black-box request, so the same checks run on an external harness.
 */
import {
  ok,
  type InspectView,
  type PercpuAllocator,
  type Query,
  type Result,
} from "../../impl/index.ts";
import { INDEX_PAGE, type Copy } from "./copyIndex.ts";
import type { ObjectRecord } from "./model.ts";

/**
 * Page buffers reused from one step's observer to the next (a session's): a new 4 KiB array
 * for every page read cost more than the read (its allocation and the collector's work).
 */
export class PagePool {
  private readonly free: Uint8Array[] = [];

  /** `limit`: the most buffers kept between steps (4 MiB at the default). */
  constructor(private readonly limit = 1024) {}

  take(): Uint8Array {
    return this.free.pop() ?? new Uint8Array(INDEX_PAGE);
  }

  give(pages: Iterable<Uint8Array>): void {
    for (const p of pages) {
      if (this.free.length >= this.limit) return;
      this.free.push(p);
    }
  }
}

/**
 * The pool every session's observers share: sessions follow one another (a check's runs) or
 * interleave step by step (a diff), and a step's buffers are given back only when it is over.
 */
export const SHARED_PAGES = new PagePool();

export class Observer {
  private readonly target: PercpuAllocator;
  /** Where whole pages are read into, with the allocator's `readInto`; undefined: `read`. */
  private readonly pool: PagePool | undefined;
  /** The pool's buffers this observer holds (given back by `release`). */
  private readonly taken: Uint8Array[] = [];
  /** per_cpu_ptr answers, by object and then by CPU. */
  private readonly addrs = new Map<ObjectRecord, (Result<number> | undefined)[]>();
  /** Bytes read, by start and then by length. */
  private readonly bytes = new Map<number, Map<number, Result<Uint8Array>>>();
  /** Whole pages read, by page address. */
  private readonly pages = new Map<number, Result<Uint8Array>>();
  private readonly nodes = new Map<number, Result<number>>();
  private view: Result<InspectView> | undefined;
  /** Pages whose reads the allocator took as planned: ranges on them are cut from the pages. */
  private readonly plannedPages = new Set<number>();

  /**
   * `pool`: read whole pages into reused buffers (where the allocator has `readInto`). What
   * this observer answers is then valid until `release`, at the end of the step.
   */
  constructor(target: PercpuAllocator, pool?: PagePool) {
    this.target = target;
    this.pool = target.readInto !== undefined ? pool : undefined;
  }

  /** The step is over: its page buffers go back to the pool, and nothing read is kept. */
  release(): void {
    if (this.pool === undefined) return;
    this.pages.clear();
    this.bytes.clear();
    this.pool.give(this.taken);
    this.taken.length = 0;
  }

  /**
   * Announces what the checks will ask (engine/plan.ts), now or (`afterChange`) after the
   * step's request. Where the allocator takes the hint, a range on a planned page is cut from
   * the page's read rather than asked on its own.
   */
  plan(queries: readonly Query[], afterChange = false): void {
    if (queries.length === 0 || this.target.plan?.(queries, afterChange) !== true) return;
    for (const q of queries) {
      if (q.op === "read" && q.len === INDEX_PAGE && q.addr % INDEX_PAGE === 0) {
        this.plannedPages.add(q.addr);
      }
    }
  }

  /** The copies' addresses of `obj` on `cpus` will be asked (an allocation's). */
  planAddrs(obj: ObjectRecord, cpus: readonly number[]): void {
    if (this.target.plan === undefined) return;
    this.target.plan(cpus.map((cpu) => ({ op: "ptr", ptr: obj.ptr, cpu })));
  }

  /** A page read so far, or read now if it was planned; undefined otherwise. */
  private known(page: number): Result<Uint8Array> | undefined {
    const got = this.pages.get(page);
    if (got !== undefined || !this.plannedPages.has(page)) return got;
    return this.pageBytes(page);
  }

  /** per_cpu_ptr(obj, cpu) as the allocator answers it now. */
  copyAddr(obj: ObjectRecord, cpu: number): Result<number> {
    let byCpu = this.addrs.get(obj);
    if (byCpu === undefined) {
      byCpu = [];
      this.addrs.set(obj, byCpu);
    }
    let r = byCpu[cpu];
    if (r === undefined) {
      r = this.target.ptr(obj.ptr, cpu);
      byCpu[cpu] = r;
    }
    return r;
  }

  /** The allocator's white-box view, asked once per step. */
  inspect(): Result<InspectView> {
    this.view ??= this.target.inspect();
    return this.view;
  }

  /** The node of the page behind an address (asked once per page and step). */
  nodeOf(addr: number): Result<number> {
    const page = addr - (addr % INDEX_PAGE);
    let r = this.nodes.get(page);
    if (r === undefined) {
      r = this.target.node(addr);
      this.nodes.set(page, r);
    }
    return r;
  }

  /** The bytes of obj's copy on cpu, read at the address the allocator gives now. */
  copyBytes(obj: ObjectRecord, cpu: number): Result<Uint8Array> {
    const addr = this.copyAddr(obj, cpu);
    return addr.ok ? this.bytesAt(addr.value, obj.size) : addr;
  }

  /**
   * The bytes of [start, start + length): cut from the pages `prefetch` read when they all
   * read fine, else asked for on their own (so a failure names this range).
   */
  bytesAt(start: number, length: number): Result<Uint8Array> {
    let byLength = this.bytes.get(start);
    if (byLength === undefined) {
      byLength = new Map();
      this.bytes.set(start, byLength);
    }
    let r = byLength.get(length);
    if (r === undefined) {
      r = this.fromPages(start, start + length) ?? this.target.read(start, length);
      byLength.set(length, r);
    }
    return r;
  }

  /** The whole page at `page` (a page-aligned address), read once per step. */
  pageBytes(page: number): Result<Uint8Array> {
    let r = this.pages.get(page);
    if (r === undefined) {
      r = this.pool === undefined ? this.target.read(page, INDEX_PAGE) : this.readPooled(page);
      this.pages.set(page, r);
    }
    return r;
  }

  private readPooled(page: number): Result<Uint8Array> {
    const pool = this.pool as PagePool;
    const out = pool.take();
    const r = (this.target.readInto as NonNullable<PercpuAllocator["readInto"]>).call(
      this.target,
      page,
      out,
    );
    if (!r.ok) {
      pool.give([out]);
      return r;
    }
    this.taken.push(out);
    return ok(out);
  }

  /** Reads every page the copies touch, one `read` a page. */
  prefetch(copies: readonly Copy[]): void {
    for (const c of copies) {
      for (let page = pageOf(c.start); page < c.end; page += INDEX_PAGE) this.pageBytes(page);
    }
  }

  private fromPages(start: number, end: number): Result<Uint8Array> | undefined {
    const first = pageOf(start);
    if (!this.pages.has(first) && !this.plannedPages.has(first)) return undefined;
    if (end - first <= INDEX_PAGE) {
      const page = this.known(first);
      return page?.ok ? ok(page.value.subarray(start - first, end - first)) : undefined;
    }
    const out = new Uint8Array(end - start);
    for (let page = first; page < end; page += INDEX_PAGE) {
      const got = this.known(page);
      if (got === undefined || !got.ok) return undefined;
      const lo = Math.max(page, start);
      const hi = Math.min(page + INDEX_PAGE, end);
      out.set(got.value.subarray(lo - page, hi - page), lo - start);
    }
    return ok(out);
  }
}

/** The page-aligned address of the page holding `addr`. */
export function pageOf(addr: number): number {
  return addr - (addr % INDEX_PAGE);
}

const ZEROS = new Uint8Array(1 << 16);

// Buffer.compare takes Uint8Arrays as they are: making a Buffer view of each (Buffer.from)
// cost more than the compare itself (about 2 µs against 0.15 µs for a 4 KiB page).

/** Whether two byte arrays are equal (native memcmp). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The first non-zero offset, or -1 if every byte is zero. */
export function firstNonZero(bytes: Uint8Array): number {
  // Compare whole spans natively first; walk bytes only where a span differs.
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const span =
      at === 0 && bytes.length <= ZEROS.length
        ? bytes
        : bytes.subarray(at, Math.min(bytes.length, at + ZEROS.length));
    if (Buffer.compare(span, ZEROS.subarray(0, span.length)) === 0) continue;
    for (let i = 0; i < span.length; i++) if (span[i] !== 0) return at + i;
  }
  return -1;
}

/** The first differing offset (the shorter length if none), for messages. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  const same =
    a.length === b.length
      ? Buffer.compare(a, b) === 0
      : Buffer.compare(a.subarray(0, n), b.subarray(0, n)) === 0;
  if (same) return n;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
