/**
 * Shared helpers for the behaviour tests of the revisions (impl/revisions/**.test.ts).
 *
 * A snapshot records everything a failed or refused operation must leave as it was: the
 * protocol's stats, the machine's page, slab and vmalloc accounting, the CPU masks, the
 * white-box view where the design offers one, and the address and contents of every possible
 * CPU's copy of the objects the test names. Memory loads and work counters are left out: reading
 * a legacy copy's address is itself a load.
 */
import { expect } from "vitest";
import type { BootConfig, PercpuAllocator, Ptr } from "../allocator.ts";
import {
  PAGE_SIZE,
  SLAB_OWNER,
  totalPages,
  type Machine,
  type ZoneCounts,
} from "../machine/index.ts";
import { unwrap, type Result } from "../result.ts";
import { DATA_OWNER, MGMT_OWNER } from "./kiran/kiranAllocator.ts";
import type { SimulatedAllocator } from "./simulatedAllocator.ts";

/**
 * NR_CPUS 4 on 2 nodes (CPUs 0, 1 on node 0; 2, 3 on node 1), all possible, present, online.
 * Present defaults to the possible CPUs and online to the present ones.
 */
export function bootConfig(overrides: Partial<BootConfig> = {}): BootConfig {
  const possible = overrides.possible ?? [0, 1, 2, 3];
  const present = overrides.present ?? possible;
  return {
    nrCpus: 4,
    nrNodes: 2,
    cpuToNode: [0, 0, 1, 1],
    pageSize: PAGE_SIZE,
    ...overrides,
    possible,
    present,
    online: overrides.online ?? present,
  };
}

/** cpu_to_node for `nrCpus` CPUs spread round-robin over `nrNodes` nodes. */
export function roundRobinNodes(nrCpus: number, nrNodes: number): number[] {
  return Array.from({ length: nrCpus }, (_, cpu) => cpu % nrNodes);
}

/** Boots `a` with the configuration and fails the test if the boot is refused. */
export function booted<A extends PercpuAllocator>(a: A, overrides: Partial<BootConfig> = {}): A {
  unwrap(a.boot(bootConfig(overrides)));
  return a;
}

/** The simulated machine behind an in-process revision (white-box). */
export function machineOf(a: PercpuAllocator): Machine {
  const m = (a as SimulatedAllocator).machineForInspection;
  if (m === undefined) throw new Error("the allocator has not been booted");
  return m;
}

/** The possible CPUs of the current boot, ascending. */
export function possibleCpus(a: PercpuAllocator): readonly number[] {
  return machineOf(a).cpus.possibleList;
}

/** Asserts an error answer with this code (and, optionally, message fragments). */
export function expectErr(r: Result<unknown>, error: string, ...fragments: string[]): void {
  expect(r.ok, r.ok ? "expected an error, got ok" : r.message).toBe(false);
  if (r.ok) return;
  expect(r.error, r.message).toBe(error);
  for (const f of fragments) expect(r.message).toContain(f);
}

/** A recognisable non-zero pattern of `len` bytes (never a zero byte). */
export function pattern(seed: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = 1 + ((seed * 31 + i * 7) % 255);
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Addresses of every possible CPU's copy, by CPU. */
export function copies(a: PercpuAllocator, p: Ptr): Map<number, number> {
  const out = new Map<number, number>();
  for (const cpu of possibleCpus(a)) out.set(cpu, unwrap(a.ptr(p, cpu)));
  return out;
}

/** Writes a distinct non-zero pattern into every possible CPU's copy of `p`. */
export function writeEveryCopy(a: PercpuAllocator, p: Ptr, size: number, seed: number): void {
  for (const [cpu, addr] of copies(a, p)) unwrap(a.write(addr, pattern(seed + cpu, size)));
}

/** Asserts that every possible CPU's copy holds what `writeEveryCopy` wrote. */
export function expectEveryCopyWritten(
  a: PercpuAllocator,
  p: Ptr,
  size: number,
  seed: number,
): void {
  for (const [cpu, addr] of copies(a, p)) {
    expect(hex(unwrap(a.read(addr, size))), `cpu ${cpu}`).toBe(hex(pattern(seed + cpu, size)));
  }
}

/** Asserts that every possible CPU's copy of `p` reads `size` zero bytes. */
export function expectEveryCopyZero(a: PercpuAllocator, p: Ptr, size: number): void {
  const zero = hex(new Uint8Array(size));
  for (const [cpu, addr] of copies(a, p)) {
    expect(hex(unwrap(a.read(addr, size))), `cpu ${cpu}'s copy`).toBe(zero);
  }
}

/** An object the test keeps alive: its pointer and size. */
export interface Obj {
  readonly p: Ptr;
  readonly size: number;
}

/** Allocates, writes a pattern into every copy (seeded by the index) and returns the object. */
export function allocWritten(a: PercpuAllocator, size: number, align: number, seed: number): Obj {
  const p = unwrap(a.alloc(size, align));
  writeEveryCopy(a, p, size, seed);
  return { p, size };
}

function copyZones(z: readonly ZoneCounts[]): ZoneCounts[] {
  return z.map((c) => ({ low: c.low, high: c.high }));
}

/** Everything a refused or failed operation must leave as it was. */
export interface Snapshot {
  readonly stats: unknown;
  readonly pagesHeld: ZoneCounts[];
  readonly slabPages: ZoneCounts[];
  readonly dataPages: ZoneCounts[];
  readonly mgmtPages: ZoneCounts[];
  readonly allocatedPages: number;
  readonly slabBytes: number;
  readonly vmReservedBytes: number;
  readonly vmAreaCount: number;
  readonly vmMappedPages: number;
  readonly present: number[];
  readonly online: number[];
  readonly inspect: unknown;
  /** Per object: every possible CPU's copy address and contents. */
  readonly objects: { cpu: number; addr: number; hex: string }[][];
}

export function snapshot(a: PercpuAllocator, objects: readonly Obj[] = []): Snapshot {
  const m = machineOf(a);
  const view = a.inspect();
  return {
    stats: unwrap(a.stats()),
    pagesHeld: copyZones(m.pages.heldBy()),
    slabPages: copyZones(m.pages.heldBy(SLAB_OWNER)),
    dataPages: copyZones(m.pages.heldBy(DATA_OWNER)),
    mgmtPages: copyZones(m.pages.heldBy(MGMT_OWNER)),
    allocatedPages: m.pages.allocatedPages,
    slabBytes: m.kmalloc.bytesInUse,
    vmReservedBytes: m.vmalloc.reservedBytes,
    vmAreaCount: m.vmalloc.areaCount,
    vmMappedPages: m.vmalloc.mappedPages,
    present: m.cpus.present,
    online: m.cpus.online,
    // The masks are in `present` / `online`; the block view is what must not change.
    inspect: view.ok ? structuredClone({ ...view.value, cpus: undefined }) : view.error,
    objects: objects.map((o) =>
      [...copies(a, o.p)].map(([cpu, addr]) => ({
        cpu,
        addr,
        hex: hex(unwrap(a.read(addr, o.size))),
      })),
    ),
  };
}

/** Pages held by the allocator and everything under it, all nodes and zones. */
export function pagesHeld(a: PercpuAllocator): number {
  return totalPages(machineOf(a).pages.heldBy());
}

/** The integer powers of two from `from` to `to` inclusive. */
export function powersOfTwo(from: number, to: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v *= 2) out.push(v);
  return out;
}

/** A small deterministic generator (mulberry32) for churn sequences. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
