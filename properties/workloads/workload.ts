/**
 * A workload: a fixed script of allocations and frees, in named phases, made from a seed.
 *
 *   build({seed, objects, rounds})
 *        │
 *        v
 *   phase "alloc-1"   alloc k0 (size, align), alloc k1, ...        <- metrics taken after
 *   phase "free-1"    free k7, free k2, ...                           each phase
 *   phase "refill-1"  alloc k2000, ...
 *
 * Objects are named by keys (0, 1, 2, ...) so that a script does not depend on the pointers an
 * allocator hands out: the same seed gives the same script for every target, and two targets
 * can be compared phase by phase.
 */
import { SeededRandom } from "./seededRandom.ts";

export interface AllocOp {
  readonly op: "alloc";
  /** The object's name in the script. */
  readonly key: number;
  readonly size: number;
  readonly align: number;
}

export interface FreeOp {
  readonly op: "free";
  readonly key: number;
}

/** Runs the allocator's deferred work now (`reclaim`: the kernel's balance worker). */
export interface ReclaimOp {
  readonly op: "reclaim";
}

export type WorkloadOp = AllocOp | FreeOp | ReclaimOp;

export interface WorkloadPhase {
  /** "alloc-1", "free-1", "refill-1", "free-2", ... */
  readonly name: string;
  readonly ops: readonly WorkloadOp[];
}

export interface WorkloadOptions {
  readonly seed: number;
  /** The workload's scale: allocations in its first phase (or per size, for zhou-2017). */
  readonly objects: number;
  /** Free/refill rounds (1 is the published experiment; more study churn). */
  readonly rounds: number;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** Where it comes from (mail, cover letter). */
  readonly source: string;
  /** `objects` of the published experiment. */
  readonly defaultObjects: number;
  build(options: WorkloadOptions): readonly WorkloadPhase[];
}

/** A size and an alignment. */
export interface Shape {
  readonly size: number;
  readonly align: number;
}

/** Builds phases while keeping the set of live keys, so frees name live objects only. */
export class ScriptBuilder {
  readonly phases: WorkloadPhase[] = [];
  /** Live keys in allocation order. */
  private live: number[] = [];
  private nextKey = 0;

  constructor(readonly random: SeededRandom) {}

  get liveCount(): number {
    return this.live.length;
  }

  /** A phase of `count` allocations, each shaped by `draw`. */
  allocs(name: string, count: number, draw: (random: SeededRandom) => Shape): this {
    const ops: AllocOp[] = [];
    for (let i = 0; i < count; i++) {
      const { size, align } = draw(this.random);
      const key = this.nextKey++;
      ops.push({ op: "alloc", key, size, align });
      this.live.push(key);
    }
    this.phases.push({ name, ops });
    return this;
  }

  /** A phase freeing `count` live objects chosen at random. */
  freeRandom(name: string, count: number): this {
    const chosen = new Set(this.random.shuffle(this.live).slice(0, count));
    return this.freeInOrder(name, this.random.shuffle(this.live.filter((k) => chosen.has(k))));
  }

  /** A phase freeing these live keys in this order. */
  freeInOrder(name: string, keys: readonly number[]): this {
    const gone = new Set(keys);
    const live = new Set(this.live);
    if (gone.size !== keys.length || keys.some((k) => !live.has(k))) {
      throw new Error(`${name}: expected distinct live keys to free`);
    }
    this.live = this.live.filter((k) => !gone.has(k));
    this.phases.push({ name, ops: keys.map((key) => ({ op: "free", key })) });
    return this;
  }

  /** A phase of one `reclaim`: the deferred work run now, as the kernel's worker would. */
  reclaim(name: string): this {
    this.phases.push({ name, ops: [{ op: "reclaim" }] });
    return this;
  }

  /** Every live key, oldest first. */
  liveKeys(): readonly number[] {
    return this.live.slice();
  }
}

/** A power of two from 2^lo to 2^hi, uniformly over the exponents. */
export function randomPowerOfTwo(random: SeededRandom, lo: number, hi: number): number {
  return 2 ** random.int(lo, hi);
}

/** The thread's churn: a first batch, a random half freed, a refill; then `rounds - 1` more
 *  free-half / refill rounds that give back as many as were freed (steady churn). */
export function churnScript(
  options: WorkloadOptions,
  firstRefill: number,
  draw: (random: SeededRandom) => Shape,
): readonly WorkloadPhase[] {
  checkOptions(options);
  const b = new ScriptBuilder(new SeededRandom(options.seed));
  b.allocs("alloc-1", options.objects, draw);
  for (let round = 1; round <= options.rounds; round++) {
    const freed = Math.floor(b.liveCount / 2);
    b.freeRandom(`free-${round}`, freed);
    b.allocs(`refill-${round}`, round === 1 ? firstRefill : freed, draw);
  }
  return b.phases;
}

/** Throws a message naming the option when options are out of range. */
export function checkOptions(options: WorkloadOptions): void {
  if (!Number.isSafeInteger(options.objects) || options.objects < 1) {
    throw new Error(`objects ${String(options.objects)}: expected a positive integer`);
  }
  if (!Number.isSafeInteger(options.rounds) || options.rounds < 1) {
    throw new Error(`rounds ${String(options.rounds)}: expected a positive integer`);
  }
}
