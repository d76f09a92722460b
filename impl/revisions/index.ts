/**
 * The revisions: faithful models of real percpu allocator designs, by id.
 * Each module's header says what it models and where each rule comes from.
 */
import type { PercpuAllocator } from "../allocator.ts";
import { KMALLOC_MAX_SIZE, PAGE_SIZE } from "../machine/index.ts";
import { AreamapAllocator, PCPU_MIN_UNIT_SIZE } from "./areamap/areamapAllocator.ts";
import { KiranAllocator, MAX_OBJSIZE } from "./kiran/kiranAllocator.ts";
import { KiranJanuaryAllocator } from "./kiran/kiranJanuaryAllocator.ts";
import { LegacyAllocator, legacyMaxAlign } from "./legacy/legacyAllocator.ts";
import { BitmapAllocator } from "./bitmap/bitmapAllocator.ts";
import { BITMAP_POOL } from "./bitmap/bitmapPool.ts";
import { PCPU_UNIT_SIZE } from "./bitmap/percpuVm.ts";
import { AREAMAP_POOL } from "./areamap/areamapPool.ts";
import { AREAMAP_DIFFERENCES } from "./areamap/areamapDifferences.ts";
import type { RetainedPool } from "./retainedPool.ts";
import type { ReservedArea } from "../external/reservedArea.ts";
import { BitmapKernelAllocator, KERNEL_GEOMETRY } from "./bitmap/bitmapKernelAllocator.ts";
import { BITMAP_KERNEL_DIFFERENCES, BITMAP_KERNEL_POOL } from "./bitmap/bitmapKernelPool.ts";

export interface RevisionEntry {
  readonly id: string;
  readonly title: string;
  /**
   * The design family: the `design` its `inspect` detail carries and the key of its white-box
   * invariants (revisions of one design share them).
   */
  readonly design: string;
  /** Where the design comes from (file, mails, commits). */
  readonly source: string;
  readonly create: () => PercpuAllocator;
  /** The largest size served. */
  readonly maxSize: number;
  /** The largest alignment honoured for a size. */
  readonly maxAlign: (size: number) => number;
  /** Alignment 0 is accepted (and means the design's own minimum). */
  readonly zeroAlignValid: boolean;
  /**
   * Each known difference from the source the revision models, with the reason (its header
   * lists the same); absent: none recorded yet.
   */
  readonly differences?: readonly string[];
  /**
   * The reserved area (`__alloc_reserved_percpu`), for a revision with the capability
   * `reserved`: where it starts in pointer space after a boot, as a harness's hello declares it.
   */
  readonly reservedArea?: ReservedArea;
  /**
   * The bytes of one unit, as a harness's hello `pool.unit_bytes` declares it: runs then draw
   * page-scale requests and population failures at that scale (properties/commands/pageScale.ts).
   */
  readonly unitBytes?: number;
  /**
   * The smallest alignment served: a request below it (0 included) is valid and served at it,
   * as a harness's hello `min_align` says; absent: alignments are the design's own rule.
   */
  readonly minAlign?: number;
  /** Invariants the design does not keep, with why: its "what does not hold". */
  readonly knownViolations: Readonly<Record<string, string>>;
  /**
   * What the design keeps on purpose with nothing live (a spare chunk, maps that never
   * shrink), and its bound; absent: it returns to its boot baseline exactly.
   */
  readonly pool?: RetainedPool;
  /**
   * The design runs only on possible CPUs 0..n-1, with why; its runs draw dense possible sets
   * and its boot refuses another. Absent: any possible set.
   */
  readonly densePossible?: string;
  /**
   * An atomic request is served only from populated memory, so it may fail with ENOMEM where a
   * sleeping one would succeed (docs/protocol.md `alloc`'s `atomic`); false: served as any other.
   */
  readonly atomicFromPopulated: boolean;
}

/** Why the 2005 designs fall below 98% after churn (utilization-after-churn), with the figures. */
const KIRAN_CHURN =
  "a block is released only when wholly free and best fit cannot fill every hole the random frees leave in the others with the refill's random sizes: the thread's one round holds at its own seed (98.07% after refill-1 of kiran-2005, seed 20051: the thread's 98.2%) but not at every seed (97.95% after refill-1 of 2000 objects of 4..4096 bytes, align 1, half freed, seed 45042: the check's shrunk workload), and the later rounds settle at 96.7 to 97.2% (refill-2..5 of kiran-2005 --rounds 5)";

/** Why the chunk designs fall below 98% after churn, with the figures (areamap-2009 and bitmap-2017 place alike). */
const chunkChurn = (fit: string): string =>
  `a chunk is released only when wholly free, and ${fit} does not fill with the refill's random sizes every hole the random frees leave in its 32 KiB units: 98.70% after refill-1, 97.26% after refill-2 of 2047 objects of 4..4096 bytes, align 1, half freed, seed 0 (the check's shrunk workload), 96.0 to 97.0% in refill-2..5 of kiran-2005 --rounds 5`;

/** The areamap-2009 populate bug, shared by the invariants it breaks. */
const POPULATE_BUG =
  "2.6.30's pcpu_populate_chunk error path calls pcpu_depopulate_chunk(chunk, off, size), which frees and unmaps every page of the request's page range, those populated before and shared with live neighbours included: a live object loses its page (alloc(1, 1), a failed page allocation, alloc(8192, 1)); ce3141a277ff 'percpu: drop pcpu_chunk->page[]' (2.6.32) made the error path undo only what the call did";

export const REVISIONS: readonly RevisionEntry[] = [
  {
    id: "legacy-2.6.10",
    design: "legacy",
    title: "kmalloc_node per possible CPU behind an NR_CPUS pointer array",
    source: "mm/slab.c of Linux 2.6.10 (__alloc_percpu, free_percpu)",
    create: () => new LegacyAllocator(),
    maxSize: KMALLOC_MAX_SIZE,
    maxAlign: legacyMaxAlign,
    zeroAlignValid: false,
    atomicFromPopulated: false,
    differences: [
      "an alignment above the copy's kmalloc class (or above PAGE_SIZE) is refused with EINVAL, where 2.6.10 ignores `align` and returns a copy with its class's natural alignment: alloc_percpu(type) passes __alignof__(type), which never exceeds the class, so no real caller is refused",
      "a free or per_cpu_ptr of an unknown pointer answers EINVAL and changes nothing, where the kernel would dereference it (the protocol's bad input)",
      "the percpu pointer's complement (~pdata) is taken within the model's 48-bit address space, so that every pointer stays an exact number",
    ],
    knownViolations: {
      "nr-cpus-independence":
        "every object has a struct percpu_data of NR_CPUS + 1 pointers from kmalloc: 72 bytes (a 128-byte object) at NR_CPUS 8, 4104 bytes (an 8 KiB object, two pages) at NR_CPUS 512; the 2005 thread's 'NR_CPUS pointer array for each allocation'",
      "utilization-after-churn":
        "every copy is a kmalloc_node of a power-of-two size class, so sizes uniform over 4..4096 waste about a quarter whatever the churn: 74.85% after refill-1 of 2000 objects of 4..4096 bytes, align 1, half freed (the check's shrunk workload), 75.0 to 75.6% in every phase of kiran-2005 --rounds 5",
    },
  },
  {
    id: "kiran-2005-01",
    design: "kiran-2005",
    title:
      "the January 2005 patch as reviewed: 8-byte currency, bubble sort, NR_CPUS loops, 9 management pages, low memory only",
    source:
      'LKML Jan 2005 "Reimplementation of dynamic percpu memory allocator"; review <20050113005730.0e10b2d9.akpm@osdl.org>; answers <20050114150519.GA3189@impedimenta.in.ibm.com>',
    create: () => new KiranJanuaryAllocator(),
    maxSize: MAX_OBJSIZE,
    maxAlign: () => PAGE_SIZE,
    zeroAlignValid: true,
    atomicFromPopulated: false,
    differences: [
      "the i386 build (sizeof(void *) 4: currency 4, 16-byte bufctls, 9 management pages, 36 bytes of page pointers), as the thread's figures are; the 64-bit build is the constructor option KiranJanuaryAllocator(8)",
      "the January patch text is not at hand: its firstnotfull pointer, block struct and unwind are taken to be the September ones (kiranAllocator.ts) except where the review names a January detail",
      "a free of an unknown address answers EINVAL where the kernel BUGs (the protocol's bad input)",
      "the data pages' owner is the model's index of live objects and pages; the kernel reaches them through the vm area",
    ],
    knownViolations: { "utilization-after-churn": KIRAN_CHURN },
  },
  {
    id: "kiran-2005-09",
    design: "kiran-2005",
    title: "interlaced 8 KiB blocks, 4-byte currency bitmap, best fit, CPU_UP_PREPARE handler",
    source:
      "LKML [patch 2/11] <20050913155608.GD3570@localhost.localdomain>, [patch 11/11] <20050913161914.GM3570@localhost.localdomain>; review <20050113005730.0e10b2d9.akpm@osdl.org>",
    create: () => new KiranAllocator(),
    maxSize: MAX_OBJSIZE,
    maxAlign: () => PAGE_SIZE,
    zeroAlignValid: true,
    atomicFromPopulated: false,
    differences: [
      "the 64-bit build (sizeof(void *) 8): the 15 and 19 management pages are 64-bit figures",
      "sizes above the currency that are not a multiple of it are rounded up where patch 2/11 has BUG_ON(!IS_ALIGNED(size, PCPU_CURR_SIZE)), which the model has as an option (KiranAllocator's bugOnUnaligned: the request is a kernel BUG, judged by no-oops, which then fails in one step on such a size: kiranAllocator.test.ts): the revision's runs draw any size, as the patch's callers rounded theirs, and a BUG would end most runs at their first odd size",
      "a free of an unknown address answers EINVAL where the kernel BUGs (the protocol's bad input)",
      "lib/sort.c is not stable: free runs of equal size are taken in address order, the model's choice",
      "the CPU_UP_PREPARE rollback of patch 11/11 (pages[j] freed down to 0, other CPUs' live pages included) is modelled but never runs here: the possible set is fixed at boot and every block has every possible CPU's pages; it runs on the mutant kiran-cpu-down-releases (an offline CPU's pages freed), where failure-atomicity finds the failed cpu_up freeing CPUs 0 and 1's live pages (counterexamples/kiran-cpu-down-releases--failure-atomicity.json, 5 steps)",
    ],
    knownViolations: {
      "nr-cpus-independence":
        "each block's management area holds a page-pointer array of (PCPU_BLKSIZE >> PAGE_SHIFT) x NR_CPUS x 2 entries, so a block takes 15 management pages at NR_CPUS 8 and 19 at NR_CPUS 512 (the Sep 2005 patch 2/11, 64-bit; Kiran's 'not dependent on NR_CPUS' held for the January patch's 9 pages)",
      "utilization-after-churn": KIRAN_CHURN,
    },
  },
  {
    id: "areamap-2009",
    design: "areamap-2009",
    title:
      "chunks of one unit per possible CPU at cpu x unit_size, int area map first fit, free-size slots, the x86 4k first chunk",
    source:
      "mm/percpu.c of Linux 2.6.30 (Tejun Heo): pcpu_alloc, pcpu_alloc_area, pcpu_free_area, pcpu_populate_chunk, pcpu_depopulate_chunk, pcpu_reclaim; arch/x86/kernel/setup_percpu.c of 2.6.30: setup_pcpu_4k",
    densePossible:
      "2.6.30 places CPU c's unit at c x unit_size in a vm area of num_possible_cpus() units (pcpu_chunk_addr, pcpu_chunk_size), sound only for possible CPUs 0..n-1, which x86's prefill_possible_map always makes",
    create: () => new AreamapAllocator(),
    maxSize: PCPU_MIN_UNIT_SIZE,
    maxAlign: () => PAGE_SIZE,
    zeroAlignValid: false,
    atomicFromPopulated: false,
    pool: AREAMAP_POOL,
    knownViolations: {
      "areamap-populated": `${POPULATE_BUG}: the neighbour lies on a page no longer populated`,
      integrity: `${POPULATE_BUG}: reading the neighbour faults`,
      completeness: `${POPULATE_BUG}: a valid write to the neighbour faults`,
      "node-locality": `${POPULATE_BUG}: the neighbour's copy has no page, so no node`,
      "bad-align":
        "pcpu_alloc of 2.6.30 rejects only size 0, size > PCPU_MIN_UNIT_SIZE and align > PAGE_SIZE: an alignment that is not a power of two (0 included) is served at the kernel's ALIGN(off, align)",
      "areamap-live-areas":
        "a consequence of bad-align: an allocation with an alignment that is not a power of two is served, and the chunk counts an object the suite's model, which expects EINVAL, does not",
      "utilization-after-churn": chunkChurn("the area map's first fit"),
    },
    differences: AREAMAP_DIFFERENCES,
  },
  {
    id: "bitmap-2017",
    design: "bitmap-2017",
    title:
      "4-byte allocation bitmap with block hints, chunk slots, balance worker, partial depopulation",
    source:
      "mm/percpu.c, mm/percpu-internal.h, mm/percpu-vm.c (v5.14 and later); <20170724230220.21774-1-dennisz@fb.com>; <20210408035736.883861-1-guro@fb.com>",
    create: () => new BitmapAllocator(),
    maxSize: PCPU_UNIT_SIZE,
    maxAlign: () => PAGE_SIZE,
    zeroAlignValid: true,
    atomicFromPopulated: true,
    pool: BITMAP_POOL,
    differences: [
      "one 32 KiB unit per possible CPU (PCPU_MIN_UNIT_SIZE), units in node order then CPU order in one vm area, a configuration no kernel boots; bitmap-2017-kernel is the same chunk code as 6.12 boots it",
      "no first chunk and no reserved chunk: boot has no chunk, the first allocation makes one, and the empty-page count starts at 0 (bitmap-2017-kernel has both)",
      "the balance worker runs at the point the kernel schedules it, at once, and again on `reclaim` (bitmap-2017-kernel queues it for `reclaim`, as a workqueue runs it later)",
      "alignments 1 to 3 are refused with EINVAL where 6.12 raises them to PCPU_MIN_ALLOC_SIZE (bitmap-2017-kernel serves them at 4)",
      "no memcg accounting (obj_exts) and no percpu-km.c; metadata comes from the model's kmalloc slabs",
      "a free or per_cpu_ptr of an unknown pointer answers EINVAL and changes nothing, where the kernel's pcpu_chunk_addr_search would use it (the protocol's bad input)",
      "pcpu_alloc reads pcpu_nr_empty_pop_pages for the LOW check under pcpu_lock, as the fix 'percpu: fix data race with pcpu_nr_empty_pop_pages' does, and makes its backing allocations under pcpu_alloc_mutex without FS reclaim, as Kaitao Cheng's 2026 series does; bitmap-2017-kernel keeps 6.12.117's unlocked read and GFP_KERNEL backing allocations (one operation at a time both read the same value)",
    ],
    knownViolations: { "utilization-after-churn": chunkChurn("the bitmap's first fit") },
  },
  {
    id: "bitmap-2017-kernel",
    design: "bitmap-2017",
    title:
      "bitmap-2017 as a kernel boots it: first chunk, reserved chunk, units by pcpu_build_alloc_info, the worker queued for reclaim",
    source:
      "mm/percpu.c and mm/percpu-vm.c of 6.12.117 (pcpu_build_alloc_info, pcpu_setup_first_chunk, pcpu_alloc_first_chunk, pcpu_alloc_noprof's reserved path), in harnesses/linux's `pcpu-linux --small-unit` geometry",
    create: () => new BitmapKernelAllocator(),
    maxSize: PCPU_UNIT_SIZE,
    maxAlign: () => PAGE_SIZE,
    zeroAlignValid: true,
    atomicFromPopulated: true,
    pool: BITMAP_KERNEL_POOL,
    reservedArea: {
      start: KERNEL_GEOMETRY.staticSize,
      size: KERNEL_GEOMETRY.reservedSize,
      granule: 4,
      block: PAGE_SIZE,
    },
    minAlign: 4,
    unitBytes: PCPU_UNIT_SIZE,
    differences: BITMAP_KERNEL_DIFFERENCES,
    knownViolations: {
      "utilization-after-churn":
        "as bitmap-2017 (chunks released only when wholly free), and more so with the worker queued: the frees isolate chunks for depopulation (pcpu_should_reclaim_chunk), which wait on the to_depopulate list, out of every allocation's reach, until the worker runs, so the refill makes new chunks: 86.69% after refill-1 of 2047 objects of 4..4096 bytes, align 1, half freed, seed 0 (the check's shrunk workload; bitmap-2017 98.70%)",
      "lock-order":
        "6.12.117's own cycle, kept as the kernel has it: since 'mm, percpu: do not consider sleepable allocations atomic' (2025) a GFP_NOFS caller inside a filesystem takes pcpu_alloc_mutex, and pages populated under the mutex are GFP_KERNEL, which may enter filesystem reclaim: fs_lock → pcpu_alloc_mutex → fs_reclaim → fs_lock; Kaitao Cheng's 'mm/percpu: avoid IO/FS reclaim in backing allocations' (2026) removes the middle edge, as bitmap-2017 does",
      "data-race":
        "6.12.117's own race, kept as the kernel has it: pcpu_alloc_noprof reads pcpu_nr_empty_pop_pages for the LOW check after mutex_unlock, holding no lock, while a free or the balance worker changes it under pcpu_lock (syzbot's 2024 KCSAN report 'data-race in pcpu_alloc_noprof / pcpu_balance_workfn'; the fix 'percpu: fix data race with pcpu_nr_empty_pop_pages' reads it under the lock, as bitmap-2017 does)",
      completeness:
        "6.12.117's own bug (harnesses/linux/README.md, finding 13), kept as the kernel has it: pcpu_block_update_hint_free updates the chunk's hint with a block-relative end, so a free inside any block but the first of a full chunk is lost to the chunk's hint; the reserved chunk is never grown, so a reservation then fails with room to spare (alloc(4100, 1, reserved), alloc(4092, 1, reserved), free(o2), alloc(4092, 1, reserved))",
    },
  },
];

/** The revision with this id, or undefined. */
export function findRevision(id: string): RevisionEntry | undefined {
  return REVISIONS.find((r) => r.id === id);
}

export { SimulatedAllocator } from "./simulatedAllocator.ts";
export type { DesignUsage, SizeAlign, WorkCounters } from "./simulatedAllocator.ts";
export { LegacyAllocator, legacyMaxAlign } from "./legacy/legacyAllocator.ts";
export {
  KiranAllocator,
  PCPU_BLKSIZE,
  MAX_OBJSIZE,
  PAGES_PER_SLICE,
  BUFCTL_SIZE,
  DATA_OWNER,
  MGMT_OWNER,
} from "./kiran/kiranAllocator.ts";
export type { Bufctl, KiranDetail } from "./kiran/kiranAllocator.ts";
export { PcpuBlock } from "./kiran/pcpuBlock.ts";
export {
  KiranJanuaryAllocator,
  BLOCK_MANAGEMENT_PAGES,
  JANUARY_CURRENCY,
  JANUARY_BLOCK_STRUCT,
  JANUARY_WORD_SIZE,
  januaryBlockStruct,
  januaryBufctlSize,
  januaryMgmtBytes,
} from "./kiran/kiranJanuaryAllocator.ts";
export type { PoolBound, RetainedPool, SpareChunks } from "./retainedPool.ts";
export { spareChunksBound } from "./retainedPool.ts";
export { AREAMAP_POOL, mapEntriesAtMost, mapFootprint } from "./areamap/areamapPool.ts";
export { BITMAP_POOL } from "./bitmap/bitmapPool.ts";
export { AreamapAllocator } from "./areamap/areamapAllocator.ts";
export type { AreamapDetail } from "./areamap/areamapAllocator.ts";
export { BitmapAllocator } from "./bitmap/bitmapAllocator.ts";
export type { BitmapDetail, BitmapChunkDetail } from "./bitmap/bitmapDetail.ts";
