/**
 * kiran-2005-01: Ravikiran Thirumalai's "Reimplementation of dynamic percpu memory allocator"
 * as posted in January 2005 and reviewed by Andrew Morton <20050113005730.0e10b2d9.akpm@osdl.org>
 * (Kiran's answers <20050114150519.GA3189@impedimenta.in.ibm.com>). The same design as
 * kiran-2005-09 (kiranAllocator.ts: blocks, best fit, the sorted block list, the unwind), with
 * the January details the review objected to. Only those differ; each is a protected hook of
 * KiranAllocator:
 *
 *   one block, NR_CPUS 4, CPUs 0, 1 and 3 possible, 8-byte currency:
 *
 *   start        +8K          +16K         +24K         +32K
 *   | CPU 0      | CPU 1      | hole       | CPU 3      | 9 management pages       |
 *   | 2 low pages| 2 low pages| (skipped by| 2 low pages| (low memory, clear_page) |
 *   | node(0)    | node(1)    | cpu_possible)           | 1024 bufctls + block     |
 *
 *   bitmap: one bit per 8 bytes (1024 bits a block)   obj_map: |run 3|run 1|run 7| ...
 *                                                     bubble sort -> |1|3|7| ... best fit
 *
 *   for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i)) ...     NR_CPUS iterations, not P
 *
 * Rules (SOURCES.md, "The 2005 allocator"; the review's points in the DESIGN.md table):
 * - Word size: the i386 build (sizeof(void *) = 4) the thread's figures come from ("36
 *   bytes" of stack = 9 page pointers of 4 bytes; 2000 4-byte objects in 8000 of 8192 bytes);
 *   `new KiranJanuaryAllocator(8)` is the 64-bit build.
 * - Currency (PCPU_CURR_SIZE) is sizeof(void *): 4 on i386 (OBJS_PER_BLOCK 2048), 8 on a
 *   64-bit build, where a 1-byte object takes 8 bytes (OBJS_PER_BLOCK 1024); sizeof(int) came
 *   later in January "for better utilization for small objects", which only a 64-bit build sees.
 * - The obj_map of free runs is sorted ascending by size with a bubble sort ("simple bubble
 *   sort ... That'll be unpopular", Morton): every pass compares every adjacent pair, n(n-1)/2
 *   comparisons for n runs (the model's form: no early exit; bubble sort is stable, so ties
 *   keep address order, as kiran-2005-09's tie-break does). Each comparison is counted in
 *   `work.comparisons`.
 * - The CPU loops (populating a new block's slices, zeroing a new object's copies) run
 *   `for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i))` ("Isn't this equivalent to
 *   for_each_cpu()?"): NR_CPUS iterations each, counted in `work.loopIterations`.
 * - BLOCK_MANAGEMENT_PAGES is 9 (Kiran to Morton: "not dependent on NR_CPUS"): on i386 2048
 *   bufctls of 16 bytes (8 pages) and a 280-byte block struct with its 256-byte bitmap (the
 *   9th); on a 64-bit build 1024 of 32 bytes and 176 bytes, 9 pages as well; the January block
 *   struct has no NR_CPUS-sized page-pointer array (the Sep 2005 one has, see kiranAllocator.ts).
 *   The management pages come from low memory of the current node without __GFP_ZERO and are
 *   cleared with clear_page ("Can use __GFP_ZERO here").
 * - Slice pages come from low memory only: alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL, 0)
 *   ("Cannot highmem pages be used here?").
 * - No CPU_UP_PREPARE handler: the handler arrived with the Sep 2005 series ("[patch 11/11]"
 *   <20050913161914.GM3570@localhost.localdomain>). With the possible map fixed at boot every
 *   block already has every possible CPU's slice, so cpu_up needs none (the -09 handler never
 *   allocates in this model either).
 * - The unwind after a failed slice: the January code frees the slice pages made so far with
 *   `while (--i >= 0) __free_pages(...)`, then the vm area and the management pages; the model
 *   shares kiran-2005-09's unwind, which has the same effect.
 *
 * What holds that does not for kiran-2005-09: nr-cpus-independence (9 management pages at every
 * NR_CPUS on either build, data pages for possible CPUs only: rechecked on the i386 build). What does not change with NR_CPUS is memory; the
 * vm area (NR_CPUS x 8 KiB + 9 pages a block) and the loop work do.
 */
import { pfnToDirect, MachineError, PAGE_SIZE, type PageFrame } from "../../machine/index.ts";
import { ok, type Result } from "../../result.ts";
import { KiranAllocator, MGMT_OWNER, PCPU_BLKSIZE } from "./kiranAllocator.ts";
import type { FreeRun } from "./pcpuBlock.ts";

/** BLOCK_MANAGEMENT_PAGES of the January patch (on either build). */
export const BLOCK_MANAGEMENT_PAGES = 9;
/** The build the January figures come from: i386, sizeof(void *) = 4 ("36 bytes" = 9 x 4). */
export const JANUARY_WORD_SIZE = 4;
/** PCPU_CURR_SIZE in January: sizeof(void *) of the build (4 on i386, 8 on a 64-bit build). */
export const JANUARY_CURRENCY = JANUARY_WORD_SIZE;
/** sizeof(struct pcpu_bufctl) in January: list_head (two words), addr, size: four words. */
export function januaryBufctlSize(word: number): number {
  return 4 * word;
}
/** The January block struct: start, list link (two words), size_used, bufctl free list (two
 *  words), the bitmap of PCPU_BLKSIZE / word bits. */
export function januaryBlockStruct(word: number): number {
  return word + 2 * word + word + 2 * word + PCPU_BLKSIZE / word / 8;
}
/** The i386 block struct: 280 bytes, januaryBlockStruct(4). A literal, and the helpers above are
 *  declarations, so that no code of the revision runs at import: a mutation of code run at
 *  import is "static" to Stryker, which can then narrow no test to it and reruns them all. */
export const JANUARY_BLOCK_STRUCT = 280;

export class KiranJanuaryAllocator extends KiranAllocator {
  override readonly name: string = "kiran-2005-01";
  override readonly revision: string = "kiran-2005-01";
  /** sizeof(void *) of the build: 4 (i386, the thread's figures) unless told 8. */
  override readonly wordSize: number;
  /** PCPU_CURR_SIZE: sizeof(void *). */
  override readonly currency: number;

  constructor(wordSize: 4 | 8 = JANUARY_WORD_SIZE) {
    super();
    this.wordSize = wordSize;
    this.currency = wordSize;
  }

  /** BLOCK_MANAGEMENT_PAGES: 9 at every NR_CPUS. */
  override mgmtPagesPerBlock(): number {
    return BLOCK_MANAGEMENT_PAGES;
  }

  /** for (i = 0; i < NR_CPUS; i++) if (cpu_possible(i)): NR_CPUS iterations. */
  protected override forEachPossibleCpu(): readonly number[] {
    const cpus = this.machine.cpus;
    const out: number[] = [];
    for (let i = 0; i < cpus.nrCpus; i++) {
      this.work.loopIterations++;
      if (cpus.isPossible(i)) out.push(i);
    }
    return out;
  }

  /** Low memory of the current node, not zeroed by the page allocator; then clear_page. */
  protected override allocMgmtPage(): Result<PageFrame> {
    const m = this.machine;
    const page = m.pages.alloc({ node: m.currentNode, owner: MGMT_OWNER });
    if (!page.ok) return page;
    const cleared = m.fill(pfnToDirect(page.value.pfn), PAGE_SIZE, 0);
    if (!cleared.ok) {
      throw new MachineError(
        `${this.name}: clear_page of pfn ${page.value.pfn}: ${cleared.message}`,
      );
    }
    return page;
  }

  /** GFP_KERNEL: low memory only. */
  protected override sliceGfp(): { readonly highmem: boolean; readonly zero: boolean } {
    return { highmem: false, zero: false };
  }

  /** The bubble sort of the obj_map: ascending by size, every adjacent pair every pass. */
  protected override sortRuns(runs: FreeRun[]): void {
    for (let pass = 0; pass < runs.length - 1; pass++) {
      for (let j = 0; j < runs.length - 1 - pass; j++) {
        this.work.comparisons++;
        const a = runs[j] as FreeRun;
        const b = runs[j + 1] as FreeRun;
        if (a.bits > b.bits) {
          runs[j] = b;
          runs[j + 1] = a;
        }
      }
    }
  }

  /** No CPU_UP_PREPARE handler in January. */
  protected override cpuUpPrepare(): Result<void> {
    return ok();
  }
}

/** The size of the January management area, from its parts: 9 pages on either build
 *  (i386: 2048 bufctls of 16 bytes + 280; 64-bit: 1024 of 32 + 176). */
export function januaryMgmtBytes(word: number = JANUARY_WORD_SIZE): number {
  return (PCPU_BLKSIZE / word) * januaryBufctlSize(word) + januaryBlockStruct(word);
}
