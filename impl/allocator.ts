/**
 * The allocator-under-test interface: the TypeScript form of docs/protocol.md (version 1).
 *
 * Every allocator, a TypeScript revision in this process or an external harness, is driven
 * through these operations, so a property is written once and runs on both. Names follow the
 * protocol's ops (`cpu_add` is `cpuAdd`, `fail_page_alloc` is `failPageAlloc`); answers are
 * `Result`s carrying the protocol's error codes. Bad input never throws and never changes state.
 *
 * Addresses and percpu pointers are JavaScript numbers below 2^53 (the protocol carries them as
 * hexadecimal strings; `formatAddr` / `parseAddr` convert).
 */
import type { Result } from "./result.ts";

/** A percpu pointer as `__alloc_percpu` returns it (an opaque cookie for some designs). */
export type Ptr = number;
/** A virtual address of one CPU's copy, as `per_cpu_ptr` returns it. */
export type Addr = number;

/**
 * Operations beyond the required ones (docs/protocol.md, "Capabilities"). `threads`: the calls
 * run as atomic sections for interleaved runs (impl/sections/concurrent.ts); the models offer it
 * through `concurrently`, a harness through the protocol's thread_start, thread_step and
 * thread_state (impl/external/harnessThreads.ts).
 */
export type Capability =
  | "cpu_add"
  | "cpu_remove"
  | "fail_page_alloc"
  | "reclaim"
  | "inspect"
  | "gfp"
  | "reserved"
  | "threads";

export const CAPABILITIES: readonly Capability[] = [
  "cpu_add",
  "cpu_remove",
  "fail_page_alloc",
  "reclaim",
  "inspect",
  "gfp",
  "reserved",
  "threads",
];

/** The answer to `hello`. */
export interface AllocatorInfo {
  readonly name: string;
  readonly revision: string;
  readonly capabilities: readonly Capability[];
}

/** The request of `boot`: a fresh system with this topology and these limits. */
export interface BootConfig {
  /** CONFIG_NR_CPUS: the compile-time bound; every CPU number is below it. */
  readonly nrCpus: number;
  /** cpu_possible_mask: fixed at boot. */
  readonly possible: readonly number[];
  /** cpu_present_mask: a subset of possible. */
  readonly present: readonly number[];
  /** cpu_online_mask: a non-empty subset of present. */
  readonly online: readonly number[];
  /** cpu_to_node(cpu) for every cpu below nrCpus. */
  readonly cpuToNode: readonly number[];
  readonly nrNodes: number;
  /** PAGE_SIZE; the simulated machine supports 4096. */
  readonly pageSize: number;
  /** Pages of memory per NUMA node (both zones); the default is the machine's. */
  readonly pagesPerNode?: number;
  /** Size of the vmalloc area in bytes (default 128 MiB, the 32-bit x86 figure of 2005). */
  readonly vmallocBytes?: number;
}

/** Pages one allocator holds on one node, by zone. */
export interface ZonePages {
  readonly low: number;
  readonly high: number;
}

/** The answer to `stats`. */
export interface AllocatorStats {
  /** Pages held per node, both zones (docs/protocol.md `pages_by_node`). */
  readonly pagesByNode: readonly number[];
  /** Pages held per node and zone (an extension; absent for a harness that does not say). */
  readonly pagesByZone?: readonly ZonePages[];
  /** Bytes of per-CPU area held for each possible CPU, free and used. */
  readonly unitBytes: number;
  /** The allocator's own bookkeeping, in bytes. */
  readonly metaBytes: number;
  /** Virtual address space reserved, in bytes. */
  readonly vmBytes: number;
  /** Memory loads that `per_cpu_ptr` needs. */
  readonly memRefsPerDeref: number;
  /** The work a harness counts in its allocator, since it started (an extension: `work`). */
  readonly work?: HarnessWork;
}

/**
 * Work counted by a harness (docs/protocol.md `stats`, `work`): calls of its allocator's bitmap
 * helpers and the words they read or wrote, and the wall-clock nanoseconds spent in its
 * allocator's own code (a time: never judged, only reported with the median of several runs).
 */
export interface HarnessWork {
  readonly bitmapCalls: number;
  readonly bitmapWords: number;
  readonly kernelNs?: number;
}

/** Block or chunk lifecycle states visible through `inspect`. */
export type BlockState = "populating" | "empty" | "partial" | "full";

export interface BlockView {
  readonly id: number;
  readonly state: BlockState;
  /** Live objects in the block. */
  readonly live: number;
  readonly freeBytes: number;
}

/** The answer to `inspect`: the lifecycle view, plus a design's own white-box detail. */
export interface InspectView {
  readonly blocks: readonly BlockView[];
  /** The CPU masks as the allocator's machine has them (an extension of the protocol). */
  readonly cpus?: { readonly present: readonly number[]; readonly online: readonly number[] };
  /**
   * The block each live object is in, by pointer, and where given its offset in its unit (an
   * extension of the protocol).
   */
  readonly objects?: readonly {
    readonly ptr: Ptr;
    readonly block: number;
    readonly offset?: number;
  }[];
  readonly detail?: unknown;
}

/** The sleepable gfp masks beyond GFP_KERNEL that `alloc` may name (the capability `gfp`). */
export type SleepableGfp = "noio" | "nofs";

export interface AllocOptions {
  /** `__alloc_percpu_gfp(..., GFP_ATOMIC)`: may use only memory already populated. */
  readonly atomic?: boolean;
  /**
   * `__alloc_percpu_gfp(..., GFP_NOIO or GFP_NOFS)`: it may sleep, so it is served as a
   * GFP_KERNEL one (a design without gfp masks ignores it).
   */
  readonly gfp?: SleepableGfp;
  /** `__alloc_reserved_percpu(size, align)`: from the reserved area (the capability `reserved`). */
  readonly reserved?: boolean;
}

/** A question that changes nothing: what `plan` announces (the protocol's ptr, node, read, stats). */
export type Query =
  | { readonly op: "ptr"; readonly ptr: Ptr; readonly cpu: number }
  /** per_cpu_ptr of the object the next allocation makes (planned before it is made). */
  | { readonly op: "ptr"; readonly ptr: "new"; readonly cpu: number }
  | { readonly op: "node"; readonly addr: Addr }
  | { readonly op: "read"; readonly addr: Addr; readonly len: number }
  | { readonly op: "stats" };

/** One allocator under test, driven through the protocol's operations. */
export interface PercpuAllocator {
  /**
   * A hint, never an answer: these questions will be asked soon, in this state, or with
   * `afterChange` in the state after the next call that may change something (replacing what
   * was planned so before). An allocator may answer them ahead (an external harness with the
   * capability `batch` sends them in the line of the next request); true when it takes the
   * hint. Absent or false: each is asked when it is asked.
   */
  plan?(queries: readonly Query[], afterChange?: boolean): boolean;
  hello(): AllocatorInfo;
  boot(config: BootConfig): Result<void>;
  alloc(size: number, align: number, options?: AllocOptions): Result<Ptr>;
  free(ptr: Ptr): Result<void>;
  ptr(ptr: Ptr, cpu: number): Result<Addr>;
  node(addr: Addr): Result<number>;
  read(addr: Addr, len: number): Result<Uint8Array>;
  /**
   * `read(addr, out.length)` into `out`: the same answer (`out` holds the bytes when it is ok)
   * without a new array. Optional: the checks, which read whole pages after every step, reuse
   * their page buffers where an in-process allocator offers it, and `read` otherwise.
   */
  readInto?(addr: Addr, out: Uint8Array): Result<void>;
  write(addr: Addr, bytes: Uint8Array): Result<void>;
  cpuAdd(cpu: number): Result<void>;
  cpuRemove(cpu: number): Result<void>;
  cpuUp(cpu: number): Result<void>;
  cpuDown(cpu: number): Result<void>;
  failPageAlloc(after: number, count: number): Result<void>;
  reclaim(): Result<void>;
  stats(): Result<AllocatorStats>;
  inspect(): Result<InspectView>;
}

/** A hexadecimal address as the protocol writes it: `0x7f001000`. */
export function formatAddr(addr: number): string {
  return `0x${addr.toString(16)}`;
}

/** The number behind a protocol address string, or undefined if it is not one below 2^53. */
export function parseAddr(text: string): number | undefined {
  if (!/^0x[0-9a-fA-F]{1,14}$/.test(text)) return undefined;
  const value = Number.parseInt(text.slice(2), 16);
  return Number.isSafeInteger(value) ? value : undefined;
}
