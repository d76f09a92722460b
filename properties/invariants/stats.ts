/** Comparisons of `stats` answers shared by the invariants. */
import type { AllocatorStats, PoolBound } from "../../impl/index.ts";

/** Pages per node and zone where the target reports zones, else per node, as text. */
export function pagesText(s: AllocatorStats): string {
  if (s.pagesByZone) {
    return s.pagesByZone.map((z, n) => `node ${n}: ${z.low} low + ${z.high} high`).join(", ");
  }
  return s.pagesByNode.map((p, n) => `node ${n}: ${p}`).join(", ");
}

/** Whether two answers hold the same pages (per node and zone where both report zones). */
export function samePages(a: AllocatorStats, b: AllocatorStats): boolean {
  if (a.pagesByZone && b.pagesByZone) {
    return (
      a.pagesByZone.length === b.pagesByZone.length &&
      a.pagesByZone.every(
        (z, n) => z.low === b.pagesByZone?.[n]?.low && z.high === b.pagesByZone?.[n]?.high,
      )
    );
  }
  return (
    a.pagesByNode.length === b.pagesByNode.length &&
    a.pagesByNode.every((p, n) => p === b.pagesByNode[n])
  );
}

/** What differs between two answers in pages and address space, or undefined if nothing. */
export function memoryChange(before: AllocatorStats, after: AllocatorStats): string | undefined {
  if (!samePages(before, after))
    return `pages went from [${pagesText(before)}] to [${pagesText(after)}]`;
  if (before.vmBytes !== after.vmBytes) {
    return `vmalloc space went from ${before.vmBytes} to ${after.vmBytes} bytes`;
  }
  return undefined;
}

/** Pages in all, over every node and zone. */
export function totalPages(s: AllocatorStats): number {
  return s.pagesByNode.reduce((a, b) => a + b, 0);
}

/**
 * What `to` holds beyond `from` that a retained pool of at most `pool` cannot explain, or
 * undefined. Without a pool nothing may differ (`memoryChange`); with one, pages in all and
 * vmalloc bytes may grow by up to the bound (and shrink freely: a pool may be given back).
 */
export function heldBeyond(
  from: AllocatorStats,
  to: AllocatorStats,
  pool: PoolBound | undefined,
): string | undefined {
  if (pool === undefined) return memoryChange(from, to);
  const pages = totalPages(to) - totalPages(from);
  if (pages > pool.pages) {
    return `pages went from [${pagesText(from)}] to [${pagesText(to)}]: ${pages} more, above the ${pool.pages} the retained pool may hold`;
  }
  const vm = to.vmBytes - from.vmBytes;
  if (vm > pool.vmBytes) {
    return `vmalloc space went from ${from.vmBytes} to ${to.vmBytes} bytes: ${vm} more, above the ${pool.vmBytes} the retained pool may hold`;
  }
  return undefined;
}

/** As `memoryChange`, and the design's own unit and metadata figures too. */
export function stateChange(before: AllocatorStats, after: AllocatorStats): string | undefined {
  const memory = memoryChange(before, after);
  if (memory !== undefined) return memory;
  if (before.unitBytes !== after.unitBytes) {
    return `unit_bytes went from ${before.unitBytes} to ${after.unitBytes}`;
  }
  if (before.metaBytes !== after.metaBytes) {
    return `meta_bytes went from ${before.metaBytes} to ${after.metaBytes}`;
  }
  return undefined;
}
