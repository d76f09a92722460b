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

  hello(): AllocatorInfo {
    return {
      name: "null",
      revision: "null",
      capabilities: ["cpu_add", "cpu_remove", "fail_page_alloc", "reclaim"],
    };
  }
  boot(config: BootConfig): Result<void> {
    this.nrCpus = config.nrCpus;
    return ok();
  }
  alloc(size: number): Result<number> {
    const p = this.next;
    this.next += Math.max(size, 8) * this.nrCpus;
    this.live.add(p);
    return ok(p);
  }
  free(ptr: number): Result<void> {
    return this.live.delete(ptr) ? ok() : err("EINVAL", "not live");
  }
  ptr(ptr: number, cpu: number): Result<number> {
    return ok(ptr + cpu);
  }
  node(): Result<number> {
    return ok(0);
  }
  read(_addr: number, len: number): Result<Uint8Array> {
    return ok(new Uint8Array(len));
  }
  write(): Result<void> {
    return ok();
  }
  cpuAdd(): Result<void> {
    return ok();
  }
  cpuRemove(): Result<void> {
    return ok();
  }
  cpuUp(): Result<void> {
    return ok();
  }
  cpuDown(): Result<void> {
    return ok();
  }
  failPageAlloc(): Result<void> {
    return ok();
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
