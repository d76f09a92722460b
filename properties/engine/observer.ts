/**
 * What a step's checks observe through the interface, asked once per step and shared by the
 * invariants: each live copy's address (`ptr`) and bytes (`read`). Every observation is a
 * black-box request, so the same checks run on an external harness.
 */
import type { InspectView, PercpuAllocator, Result } from "../../impl/index.ts";
import type { ObjectRecord } from "./model.ts";

export class Observer {
  private readonly target: PercpuAllocator;
  private readonly addrs = new Map<string, Result<number>>();
  private readonly bytes = new Map<string, Result<Uint8Array>>();

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

  /** The allocator's white-box view. */
  inspect(): Result<InspectView> {
    return this.target.inspect();
  }

  /** The node of the page behind an address. */
  nodeOf(addr: number): Result<number> {
    return this.target.node(addr);
  }

  /** The bytes of obj's copy on cpu, read at the address the allocator gives now. */
  copyBytes(obj: ObjectRecord, cpu: number): Result<Uint8Array> {
    const key = `${obj.name}:${cpu}`;
    let r = this.bytes.get(key);
    if (r === undefined) {
      const addr = this.copyAddr(obj, cpu);
      r = addr.ok ? this.target.read(addr.value, obj.size) : addr;
      this.bytes.set(key, r);
    }
    return r;
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
