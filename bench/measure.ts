/** Timing helpers for the benchmarks: the median of several runs, on a monotonic clock. */
import { performance } from "node:perf_hooks";

export interface Measurement {
  /** Median wall time of one repetition, in milliseconds. */
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

/** Runs `fn` once to warm up, then `repeat` times; the median of the timings. */
export function measure(fn: () => void, repeat = 5): Measurement {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] as number, samplesMs: samples };
}

export function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}
