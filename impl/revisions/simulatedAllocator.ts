/**
 * What every in-process revision shares: the simulated machine, the protocol's argument checks,
 * the CPU hotplug rules, fault injection, reads and writes through the machine's translation.
 *
 * A revision supplies the design itself (allocate, release, per_cpu_ptr, its hotplug callbacks,
 * its usage figures and white-box view). Every check here runs before the design is called, so
 * bad input is answered EINVAL with the state untouched; what a design does with good input,
 * including rolling back after ENOMEM, is the design's own and is what the suite checks.
 */
import type {
  AllocOptions,
  AllocatorInfo,
  AllocatorStats,
  BootConfig,
  Capability,
  InspectView,
  PercpuAllocator,
  Ptr,
} from "../allocator.ts";
import { Machine, PAGE_SIZE, validateBootConfig, type ZoneCounts } from "../machine/index.ts";
import { err, isIntIn, isPowerOfTwo, ok, type Result } from "../result.ts";

/** The largest read or write one request may ask for. */
export const MAX_ACCESS_BYTES = 1 << 20;
/** Every address the model hands out is below this. */
const ADDR_LIMIT = 2 ** 48;

/** The design's own figures for `stats` (pages come from the machine's accounting). */
export interface DesignUsage {
  readonly unitBytes: number;
  readonly metaBytes: number;
  readonly vmBytes: number;
  readonly memRefsPerDeref: number;
}

/** Work a design does, counted as it runs (for the work-per-operation metrics). */
export interface WorkCounters {
  /** Comparisons made while sorting or searching. */
  comparisons: number;
  /** Iterations of loops over CPUs, blocks or list entries. */
  loopIterations: number;
  /** Bitmap bits or map entries examined. */
  bitsScanned: number;
}

/** A request's size and alignment after the design's own rounding. */
export interface SizeAlign {
  readonly size: number;
  readonly align: number;
}

export abstract class SimulatedAllocator implements PercpuAllocator {
  private current: Machine | undefined;
  /** Work counted since boot. */
  readonly work: WorkCounters = { comparisons: 0, loopIterations: 0, bitsScanned: 0 };

  abstract readonly name: string;
  abstract readonly revision: string;
  /** The largest object the design serves. */
  abstract readonly maxSize: number;
  readonly capabilities: readonly Capability[] = [
    "cpu_add",
    "cpu_remove",
    "fail_page_alloc",
    "reclaim",
    "inspect",
  ];

  hello(): AllocatorInfo {
    return { name: this.name, revision: this.revision, capabilities: this.capabilities };
  }

  /** The machine of the current boot (throws before the first boot: a harness bug). */
  protected get machine(): Machine {
    if (this.current === undefined) throw new Error(`${this.name}: used before boot`);
    return this.current;
  }

  get booted(): boolean {
    return this.current !== undefined;
  }

  /** The simulated machine, for white-box tests and metrics. */
  get machineForInspection(): Machine | undefined {
    return this.current;
  }

  boot(config: BootConfig): Result<void> {
    const valid = validateBootConfig(config);
    if (!valid.ok) return valid;
    this.current = new Machine(config);
    this.work.comparisons = this.work.loopIterations = this.work.bitsScanned = 0;
    this.reset(this.current);
    return ok();
  }

  /** Forget every allocation: a fresh design state on a fresh machine. */
  protected abstract reset(machine: Machine): void;

  private notBooted(op: string): Result<never> | undefined {
    return this.current === undefined ? err("EINVAL", `${op}: boot the system first`) : undefined;
  }

  /**
   * The protocol's checks of size and alignment: size 1..maxSize, alignment a power of two up to
   * PAGE_SIZE. A design overrides this where its rules differ (and says why in its header).
   */
  protected checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    if (!isIntIn(size, 1, this.maxSize)) {
      return err("EINVAL", `alloc: size ${String(size)} out of range, expected 1..${this.maxSize}`);
    }
    if (!isIntIn(align, 1, PAGE_SIZE) || !isPowerOfTwo(align)) {
      return err(
        "EINVAL",
        `alloc: align ${String(align)} invalid, expected a power of two 1..${PAGE_SIZE}`,
      );
    }
    return { ok: true, value: { size, align } };
  }

  alloc(size: number, align: number, options?: AllocOptions): Result<Ptr> {
    const early = this.notBooted("alloc");
    if (early) return early;
    const checked = this.checkSizeAlign(size, align);
    if (!checked.ok) return checked;
    return this.allocate(
      checked.value.size,
      checked.value.align,
      options?.atomic === true,
      options,
    );
  }

  /**
   * __alloc_percpu: memory for every possible CPU, zeroed; all or nothing. `options` is the
   * request's as given (its `gfp` and `reserved` matter to a design with those capabilities).
   */
  protected abstract allocate(
    size: number,
    align: number,
    atomic: boolean,
    options?: AllocOptions,
  ): Result<Ptr>;

  free(ptr: Ptr): Result<void> {
    const early = this.notBooted("free");
    if (early) return early;
    if (!isIntIn(ptr, 0, ADDR_LIMIT)) return err("EINVAL", `free: ${String(ptr)} is not a pointer`);
    return this.release(ptr);
  }

  /** free_percpu: EINVAL (and no change) for a pointer that is not a live object. */
  protected abstract release(ptr: Ptr): Result<void>;

  ptr(ptr: Ptr, cpu: number): Result<number> {
    const early = this.notBooted("ptr");
    if (early) return early;
    const c = this.machine.cpus.checkPossible(cpu, "ptr");
    if (!c.ok) return c;
    if (!isIntIn(ptr, 0, ADDR_LIMIT)) return err("EINVAL", `ptr: ${String(ptr)} is not a pointer`);
    return this.percpuPtr(ptr, cpu);
  }

  /** per_cpu_ptr: EINVAL for a pointer that is not a live object. */
  protected abstract percpuPtr(ptr: Ptr, cpu: number): Result<number>;

  private checkAddr(op: string, addr: number, len: number): Result<void> {
    if (!isIntIn(addr, 0, ADDR_LIMIT))
      return err("EINVAL", `${op}: ${String(addr)} is not an address`);
    if (!isIntIn(len, 0, MAX_ACCESS_BYTES)) {
      return err(
        "EINVAL",
        `${op}: length ${String(len)} out of range, expected 0..${MAX_ACCESS_BYTES}`,
      );
    }
    return ok();
  }

  node(addr: number): Result<number> {
    const early = this.notBooted("node") ?? this.checkAddr("node", addr, 0);
    if (!early.ok) return early;
    return this.machine.nodeOf(addr);
  }

  read(addr: number, len: number): Result<Uint8Array> {
    const early = this.notBooted("read") ?? this.checkAddr("read", addr, len);
    if (!early.ok) return early;
    return this.machine.read(addr, len);
  }

  readInto(addr: number, out: Uint8Array): Result<void> {
    const early = this.notBooted("read") ?? this.checkAddr("read", addr, out.length);
    if (!early.ok) return early;
    return this.machine.readInto(addr, out);
  }

  write(addr: number, bytes: Uint8Array): Result<void> {
    const early = this.notBooted("write");
    if (early) return early;
    if (!(bytes instanceof Uint8Array)) return err("EINVAL", "write: expected bytes");
    const c = this.checkAddr("write", addr, bytes.length);
    if (!c.ok) return c;
    return this.machine.write(addr, bytes);
  }

  cpuAdd(cpu: number): Result<void> {
    const early = this.notBooted("cpu_add") ?? this.machine.cpus.canAdd(cpu);
    if (!early.ok) return early;
    this.machine.cpus.markPresent(cpu, true);
    return ok();
  }

  cpuRemove(cpu: number): Result<void> {
    const early = this.notBooted("cpu_remove") ?? this.machine.cpus.canRemove(cpu);
    if (!early.ok) return early;
    this.machine.cpus.markPresent(cpu, false);
    return ok();
  }

  cpuUp(cpu: number): Result<void> {
    const early = this.notBooted("cpu_up") ?? this.machine.cpus.canUp(cpu);
    if (!early.ok) return early;
    const prepared = this.cpuUpPrepare(cpu);
    if (!prepared.ok) return prepared;
    this.machine.cpus.markOnline(cpu, true);
    return ok();
  }

  cpuDown(cpu: number): Result<void> {
    const early = this.notBooted("cpu_down") ?? this.machine.cpus.canDown(cpu);
    if (!early.ok) return early;
    this.machine.cpus.markOnline(cpu, false);
    this.cpuDead(cpu);
    return ok();
  }

  /** The design's CPU_UP_PREPARE callback; a failure aborts cpu_up (NOTIFY_BAD). */
  protected cpuUpPrepare(_cpu: number): Result<void> {
    return ok();
  }

  /** The design's CPU_DEAD callback. */
  protected cpuDead(_cpu: number): void {}

  failPageAlloc(after: number, count: number): Result<void> {
    const early = this.notBooted("fail_page_alloc");
    if (early) return early;
    if (!isIntIn(after, 0, 2 ** 31) || !isIntIn(count, 0, 2 ** 31)) {
      return err(
        "EINVAL",
        `fail_page_alloc: after ${String(after)} and count ${String(count)} must be integers >= 0`,
      );
    }
    this.machine.pages.failAfter(after, count);
    return ok();
  }

  reclaim(): Result<void> {
    const early = this.notBooted("reclaim");
    if (early) return early;
    this.runDeferredWork();
    return ok();
  }

  /** Deferred work a kernel worker would run (release empty blocks, rebalance). */
  protected runDeferredWork(): void {}

  stats(): Result<AllocatorStats> {
    const early = this.notBooted("stats");
    if (early) return early;
    const byZone: ZoneCounts[] = this.machine.pages.heldBy();
    return {
      ok: true,
      value: {
        pagesByNode: byZone.map((z) => z.low + z.high),
        pagesByZone: byZone,
        ...this.usage(),
      },
    };
  }

  /** The design's own figures. */
  protected abstract usage(): DesignUsage;

  inspect(): Result<InspectView> {
    const early = this.notBooted("inspect");
    if (early) return early;
    if (!this.capabilities.includes("inspect")) {
      return err("ENOTSUP", `inspect: ${this.name} has no block view`);
    }
    const cpus = this.machine.cpus;
    // Object.assign keeps a design's lazy `detail` getter lazy.
    const view = Object.assign(this.view(), {
      cpus: { present: cpus.present, online: cpus.online },
    });
    return { ok: true, value: view };
  }

  /** The white-box view (only called when the design lists `inspect`). */
  protected view(): InspectView {
    return { blocks: [] };
  }
}
