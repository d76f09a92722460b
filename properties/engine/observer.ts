/**
 * What a step's checks observe through the interface, asked once per step and shared by the
 * invariants: each live copy's address (`ptr`) and bytes (`read`). Every observation is a
 * black-box request, so the same checks run on an external harness.
 */
import type { InspectView, PercpuAllocator, Result } from "../../impl/index.ts";
import { INDEX_PAGE, type Copy } from "./copyIndex.ts";
import type { ObjectRecord } from "./model.ts";

export class Observer {
  private readonly target: PercpuAllocator;
  private readonly addrs = new Map<string, Result<number>>();
  /** Bytes read, by `start:length`. */
  private readonly bytes = new Map<string, Result<Uint8Array>>();
  private readonly nodes = new Map<number, Result<number>>();
  private view: Result<InspectView> | undefined;

  constructor(target: PercpuAllocator) {
    this.target = target;
  }

  /** per_cpu_ptr(obj, cpu) as the allocator answers it now. */
  copyAddr(obj: ObjectRecord, cpu: number): Result<number> {
    const key = `${obj.name}:${cpu}`;
    let r = this.addrs.get(key);
    if (r === undefined) {
      r = this.target.ptr(obj.ptr, cpu);
      this.addrs.set(key, r);
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

  /** The bytes of [start, start + length), as read now (or as a prefetch read them). */
  bytesAt(start: number, length: number): Result<Uint8Array> {
    const key = `${start}:${length}`;
    let r = this.bytes.get(key);
    if (r === undefined) {
      r = this.target.read(start, length);
      this.bytes.set(key, r);
    }
    return r;
  }

  /**
   * Reads many copies with one `read` per page: the span from the first to the last byte the
   * copies need on that page. A copy whose pages all read fine is cached for `bytesAt`; one
   * that does not is left to its own `read`, so a failure names the copy.
   */
  prefetch(copies: readonly Copy[]): void {
    const spans = new Map<number, { lo: number; hi: number }>();
    const wanted: Copy[] = [];
    for (const c of copies) {
      if (this.bytes.has(`${c.start}:${c.end - c.start}`)) continue;
      wanted.push(c);
      for (let page = c.start - (c.start % INDEX_PAGE); page < c.end; page += INDEX_PAGE) {
        const lo = Math.max(page, c.start);
        const hi = Math.min(page + INDEX_PAGE, c.end);
        const s = spans.get(page);
        if (s === undefined) spans.set(page, { lo, hi });
        else {
          s.lo = Math.min(s.lo, lo);
          s.hi = Math.max(s.hi, hi);
        }
      }
    }
    if (wanted.length < 2) return;
    const pages = new Map<number, { lo: number; data: Uint8Array } | undefined>();
    for (const [page, { lo, hi }] of spans) {
      const r = this.target.read(lo, hi - lo);
      pages.set(page, r.ok ? { lo, data: r.value } : undefined);
    }
    for (const c of wanted) {
      const out = new Uint8Array(c.end - c.start);
      let whole = true;
      for (let page = c.start - (c.start % INDEX_PAGE); page < c.end && whole; page += INDEX_PAGE) {
        const got = pages.get(page);
        if (got === undefined) {
          whole = false;
          break;
        }
        const lo = Math.max(page, c.start);
        const hi = Math.min(page + INDEX_PAGE, c.end);
        out.set(got.data.subarray(lo - got.lo, hi - got.lo), lo - c.start);
      }
      if (whole) this.bytes.set(`${c.start}:${c.end - c.start}`, { ok: true, value: out });
    }
  }
}

const ZEROS = new Uint8Array(1 << 16);

function asBuffer(a: Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Whether two byte arrays are equal (native memcmp). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && asBuffer(a).equals(asBuffer(b));
}

/** The first non-zero offset, or -1 if every byte is zero. */
export function firstNonZero(bytes: Uint8Array): number {
  // Compare whole spans natively first; walk bytes only where a span differs.
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const span = bytes.subarray(at, Math.min(bytes.length, at + ZEROS.length));
    if (asBuffer(span).equals(asBuffer(ZEROS.subarray(0, span.length)))) continue;
    for (let i = 0; i < span.length; i++) if (span[i] !== 0) return at + i;
  }
  return -1;
}

/** The first differing offset (the shorter length if none), for messages. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (asBuffer(a.subarray(0, n)).equals(asBuffer(b.subarray(0, n)))) return n;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
