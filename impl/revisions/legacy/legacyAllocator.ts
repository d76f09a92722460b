/**
 * legacy-2.6.10: the dynamic percpu allocator before 2005, `__alloc_percpu` in mm/slab.c of
 * Linux 2.6.10 (removed by Kiran's September 2005 series).
 *
 *   percpu pointer p = ~pdata                 ("Catch derefs w/o wrappers")
 *                        |
 *                        v
 *   struct percpu_data (kmalloc, the current node: "not node local")
 *   +---------+---------+---------+-- ... --+-------------------+------+
 *   | ptrs[0] | ptrs[1] |   NULL  |         | ptrs[NR_CPUS - 1] | blkp |
 *   +----|----+----|----+---------+-- ... --+---------|---------+------+
 *        v         v     (CPU 2 not possible)         v
 *   kmalloc_node   kmalloc_node                       kmalloc_node
 *   (size, node    (size, node                        (size, node of
 *    of CPU 0)      of CPU 1)                          CPU NR_CPUS-1)
 *
 * Rules, each from mm/slab.c of 2.6.10 (SOURCES.md, "The 2.6.10 allocator"):
 * - The array: `kmalloc(sizeof(struct percpu_data))`, NR_CPUS + 1 pointers, from the current
 *   node; it holds a pointer slot for every CPU below NR_CPUS, possible or not.
 * - For i < NR_CPUS, skipping CPUs that are not possible: `kmalloc_node(size, GFP_KERNEL,
 *   cpu_to_node(i))`, then `memset(ptrs[i], 0, size)`.
 * - On a failure, `while (--i >= 0)` kfree every copy made so far (possible CPUs only), then
 *   the array; the caller sees NULL (ENOMEM).
 * - The result is `~pdata`; `per_cpu_ptr(p, cpu)` complements it and loads `ptrs[cpu]`: one
 *   memory load per dereference, counted by the machine.
 * - `free_percpu`: kfree each possible CPU's copy, then the array.
 * - The `align` argument is not used: each copy has the natural alignment of its kmalloc cache
 *   (the class size). The model answers EINVAL for an alignment above that class (or above
 *   PAGE_SIZE) instead of silently returning a misaligned copy; `alloc_percpu(type)` passes
 *   `__alignof__(type)`, which never exceeds the class, so no real caller is refused.
 * - Sizes up to KMALLOC_MAX_SIZE (131072) are served, as kmalloc serves them.
 * - An unknown pointer would oops the kernel; the model answers EINVAL and changes nothing.
 * - Nothing is deferred (`reclaim` has nothing to do) and nothing is done on CPU hotplug.
 *
 * The complement is taken within the model's 48-bit address space (layout.ts) so that every
 * pointer stays an exact number.
 */
import type { Ptr } from "../../allocator.ts";
import {
  ADDRESS_MASK,
  KMALLOC_MAX_SIZE,
  kmallocClass,
  MachineError,
  PAGE_SIZE,
  POINTER_SIZE,
  type Machine,
} from "../../machine/index.ts";
import { err, ok, type Result } from "../../result.ts";
import { SimulatedAllocator, type DesignUsage, type SizeAlign } from "../simulatedAllocator.ts";

/** A live object of the model: the array's address and the size asked for. */
interface LiveObject {
  readonly pdata: number;
  readonly size: number;
}

export class LegacyAllocator extends SimulatedAllocator {
  readonly name = "legacy-2.6.10";
  readonly revision = "legacy-2.6.10";
  readonly maxSize = KMALLOC_MAX_SIZE;
  override readonly capabilities = ["cpu_add", "cpu_remove", "fail_page_alloc", "reclaim"] as const;

  /** Live objects by the pointer handed out (`~pdata`). */
  protected live = new Map<Ptr, LiveObject>();

  protected reset(_machine: Machine): void {
    this.live = new Map();
  }

  /** sizeof(struct percpu_data): NR_CPUS pointers and blkp. */
  protected get pdataSize(): number {
    return (this.machine.cpus.nrCpus + 1) * POINTER_SIZE;
  }

  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    const checked = super.checkSizeAlign(size, align);
    if (!checked.ok) return checked;
    const cls = kmallocClass(size) as number;
    if (align > cls) {
      return err(
        "EINVAL",
        `alloc: align ${align} above the ${cls}-byte kmalloc class that serves ${size} bytes (2.6.10 ignores align)`,
      );
    }
    return checked;
  }

  /** The CPUs a loop `for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i))` visits. */
  protected cpusToFill(): number[] {
    return this.machine.cpus.possibleList.slice();
  }

  protected allocate(size: number, _align: number): Result<Ptr> {
    const m = this.machine;
    const pdata = m.kmalloc.alloc(this.pdataSize, m.currentNode);
    if (!pdata.ok) return pdata;
    // kmalloc does not clear: the slots of CPUs that are not possible hold whatever was there;
    // only possible CPUs' slots are written, as in 2.6.10.
    const made: number[] = [];
    for (const cpu of this.cpusToFill()) {
      const copy = m.kmalloc.alloc(size, m.cpus.cpuToNode(cpu));
      if (!copy.ok) {
        this.unwind(pdata.value, made);
        return err("ENOMEM", `alloc: kmalloc_node for cpu ${cpu} failed: ${copy.message}`);
      }
      made.push(copy.value);
      this.mustSucceed(m.storeWord(pdata.value + cpu * POINTER_SIZE, copy.value));
      this.zeroCopy(copy.value, size);
    }
    const ptr = ADDRESS_MASK - pdata.value;
    this.live.set(ptr, { pdata: pdata.value, size });
    return { ok: true, value: ptr };
  }

  /** memset(pdata->ptrs[i], 0, size). */
  protected zeroCopy(addr: number, size: number): void {
    this.mustSucceed(this.machine.fill(addr, size, 0));
  }

  /** unwind_oom: `while (--i >= 0)` kfree the copies made, then the array. */
  protected unwind(pdata: number, made: readonly number[]): void {
    for (let i = made.length - 1; i >= 0; i--) this.machine.kmalloc.free(made[i] as number);
    this.machine.kmalloc.free(pdata);
  }

  protected mustSucceed(r: Result<unknown>): void {
    if (!r.ok) throw new MachineError(`${this.name}: ${r.message}`);
  }

  protected release(ptr: Ptr): Result<void> {
    const obj = this.live.get(ptr);
    if (obj === undefined)
      return err("EINVAL", `free: 0x${ptr.toString(16)} is not a live percpu pointer`);
    // free_percpu: the same loop as the allocation, kfree each copy, then the array.
    for (const cpu of this.cpusToFill()) {
      const copy = this.machine.loadWord(obj.pdata + cpu * POINTER_SIZE);
      this.mustSucceed(copy);
      if (copy.ok) this.machine.kmalloc.free(copy.value);
    }
    this.freeArray(obj.pdata);
    this.live.delete(ptr);
    return ok();
  }

  /** kfree(pdata). */
  protected freeArray(pdata: number): void {
    this.machine.kmalloc.free(pdata);
  }

  protected percpuPtr(ptr: Ptr, cpu: number): Result<number> {
    const obj = this.live.get(ptr);
    if (obj === undefined)
      return err("EINVAL", `ptr: 0x${ptr.toString(16)} is not a live percpu pointer`);
    // per_cpu_ptr: ((struct percpu_data *)~(ptr))->ptrs[cpu], one load.
    const addr = this.machine.loadWord(ADDRESS_MASK - ptr + cpu * POINTER_SIZE);
    this.mustSucceed(addr);
    return addr;
  }

  protected usage(): DesignUsage {
    let unitBytes = 0;
    for (const obj of this.live.values()) unitBytes += kmallocClass(obj.size) as number;
    const metaBytes = this.live.size * (kmallocClass(this.pdataSize) as number);
    return {
      unitBytes,
      metaBytes,
      vmBytes: this.machine.vmalloc.reservedBytes,
      memRefsPerDeref: 1,
    };
  }
}

/** The largest alignment legacy-2.6.10 honours for `size` (its kmalloc class, at most a page). */
export function legacyMaxAlign(size: number): number {
  return Math.min(PAGE_SIZE, kmallocClass(size) ?? PAGE_SIZE);
}
