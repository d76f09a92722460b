/**
 * A system that does nothing: answers every request at once, allocates nothing, remembers
 * nothing but its live pointers. Driving it with the same commands gives the ceiling of the
 * property harness itself (fast-check, the command objects, the session's bookkeeping).
 */
import {
  err,
  ok,
  type AllocatorInfo,
  type AllocatorStats,
  type BootConfig,
  type InspectView,
  type PercpuAllocator,
  type Result,
} from "../impl/index.ts";
import type { Target } from "../properties/index.ts";
import { validAlloc } from "../properties/engine/ops/allocOp.ts";
import { HOTPLUG_EVENT } from "../properties/engine/model.ts";
import { cpuEventRefusal } from "../model/cpuSetsMachine.ts";

const STATS: AllocatorStats = {
  pagesByNode: [0],
  unitBytes: 0,
  metaBytes: 0,
  vmBytes: 0,
  memRefsPerDeref: 0,
};

export class NullAllocator implements PercpuAllocator {
  private next = 0x1000_0000;
  private readonly live = new Set<number>();
  private nrCpus = 0;
  private possible: number[] = [];
  private readonly present = new Set<number>();
  private readonly online = new Set<number>();

  hello(): AllocatorInfo {
    return {
      name: "null",
      revision: "null",
      capabilities: ["cpu_add", "cpu_remove", "fail_page_alloc", "reclaim"],
    };
  }
  boot(config: BootConfig): Result<void> {
    this.nrCpus = config.nrCpus;
    this.possible = [...config.possible];
    for (const c of config.present) this.present.add(c);
    for (const c of config.online) this.online.add(c);
    return ok();
  }
  /**
   * `like`: the target whose limits the requests are judged by. Without it every allocation
   * succeeds, and a run's first invalid request (a size above the limit, a bad alignment)
   * diverges from the model and ends the run after a few steps.
   */
  constructor(private readonly like?: Target) {}

  alloc(size: number, align = 8): Result<number> {
    if (this.like !== undefined && !validAlloc(this.like, size, align).valid) {
      return err("EINVAL", `size ${size} align ${align} refused`);
    }
    const p = this.next;
    this.next += Math.max(size, 8) * this.nrCpus;
    this.live.add(p);
    return ok(p);
  }
  free(ptr: number): Result<void> {
    return this.live.delete(ptr) ? ok() : err("EINVAL", "not live");
  }
  ptr(ptr: number, cpu: number): Result<number> {
    if (this.like !== undefined && (!this.live.has(ptr) || !this.possible.includes(cpu))) {
      return err("EINVAL", "not live or not possible");
    }
    return ok(ptr + cpu);
  }
  node(): Result<number> {
    return ok(0);
  }
  read(_addr: number, len: number): Result<Uint8Array> {
    return ok(new Uint8Array(len));
  }
  write(addr: number): Result<void> {
    // The runs' wild writes go below the direct map, where nothing is mapped.
    return this.like !== undefined && addr < 0x1000_0000 ? err("EFAULT", "not mapped") : ok();
  }
  cpuAdd(cpu: number): Result<void> {
    return this.hotplug("cpu_add", cpu);
  }
  cpuRemove(cpu: number): Result<void> {
    return this.hotplug("cpu_remove", cpu);
  }
  cpuUp(cpu: number): Result<void> {
    return this.hotplug("cpu_up", cpu);
  }
  cpuDown(cpu: number): Result<void> {
    return this.hotplug("cpu_down", cpu);
  }
  /** A hotplug event as the CPU sets allow it (model/cpuSetsMachine.ts), with `like`. */
  private hotplug(op: keyof typeof HOTPLUG_EVENT, cpu: number): Result<void> {
    if (this.like === undefined) return ok();
    const sets = { possible: this.possible, present: [...this.present], online: [...this.online] };
    const refused = cpuEventRefusal(sets, { type: HOTPLUG_EVENT[op], cpu });
    if (refused !== undefined) return err("EINVAL", refused);
    if (op === "cpu_add") this.present.add(cpu);
    else if (op === "cpu_remove") this.present.delete(cpu);
    else if (op === "cpu_up") this.online.add(cpu);
    else this.online.delete(cpu);
    return ok();
  }
  failPageAlloc(after: number, count: number): Result<void> {
    return this.like !== undefined && (after < 0 || count < 0) ? err("EINVAL", "negative") : ok();
  }
  reclaim(): Result<void> {
    return ok();
  }
  stats(): Result<AllocatorStats> {
    return ok(STATS);
  }
  inspect(): Result<InspectView> {
    return err("ENOTSUP", "no inspect");
  }
}
