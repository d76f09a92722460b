/**
 * bitmap-2017's operations with no checks (alloc of 8 to 71 bytes and free, up to 200 live,
 * one fixed sequence), as ops/s, median of 5: what writing pcpu_alloc and free_percpu as
 * atomic sections that `drain` runs (impl/sections/) costs the bare allocator. Run it in two
 * checkouts, one after the other, to compare them (BENCHMARKS.md §21):
 *
 *   npx tsx bench/bitmapOps.ts
 */
import { BitmapAllocator, unwrap } from "../impl/index.ts";
import { BitmapKernelAllocator } from "../impl/revisions/bitmap/bitmapKernelAllocator.ts";
import { measure, perSecond } from "./measure.ts";

const OPS = 200_000;

function churn(a: BitmapAllocator): void {
  unwrap(
    a.boot({
      nrCpus: 4,
      nrNodes: 2,
      cpuToNode: [0, 0, 1, 1],
      pageSize: 4096,
      possible: [0, 1, 2, 3],
      present: [0, 1, 2, 3],
      online: [0, 1, 2, 3],
    }),
  );
  const live: number[] = [];
  let seed = 1;
  for (let i = 0; i < OPS; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    if (live.length < 200 && (seed & 3) !== 0) live.push(unwrap(a.alloc(8 + (seed % 64), 8)));
    else if (live.length > 0) unwrap(a.free(live.splice(seed % live.length, 1)[0] as number));
  }
}

for (const [name, make] of [
  ["bitmap-2017", () => new BitmapAllocator()],
  ["bitmap-2017-kernel", () => new BitmapKernelAllocator()],
] as const) {
  const m = measure(() => churn(make()));
  console.log(`${name}: ${perSecond(OPS, m.medianMs)} ops/s (median of ${m.samplesMs.length})`);
}
