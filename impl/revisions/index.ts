/**
 * The revisions: faithful models of real percpu allocator designs, by id.
 * Each module's header says what it models and where each rule comes from.
 */
import type { PercpuAllocator } from "../allocator.ts";
import { KiranAllocator } from "./kiran/kiranAllocator.ts";
import { LegacyAllocator } from "./legacy/legacyAllocator.ts";

export interface RevisionEntry {
  readonly id: string;
  readonly title: string;
  /** Where the design comes from (file, mails, commits). */
  readonly source: string;
  readonly create: () => PercpuAllocator;
}

export const REVISIONS: readonly RevisionEntry[] = [
  {
    id: "legacy-2.6.10",
    title: "kmalloc_node per possible CPU behind an NR_CPUS pointer array",
    source: "mm/slab.c of Linux 2.6.10 (__alloc_percpu, free_percpu)",
    create: () => new LegacyAllocator(),
  },
  {
    id: "kiran-2005-09",
    title: "interlaced 8 KiB blocks, 4-byte currency bitmap, best fit, CPU_UP_PREPARE handler",
    source:
      "LKML [patch 2/11] <20050913155608.GD3570@localhost.localdomain>, [patch 11/11] <20050913161914.GM3570@localhost.localdomain>; review <20050113005730.0e10b2d9.akpm@osdl.org>",
    create: () => new KiranAllocator(),
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
export type { Bufctl } from "./kiran/kiranAllocator.ts";
export { PcpuBlock } from "./kiran/pcpuBlock.ts";
