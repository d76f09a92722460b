/**
 * The workloads as scripts, without an allocator.
 *
 *   kiran-2005:  alloc-1 (N) | free-1 (N/2 random) | refill-1 (N) | free-2 | refill-2 ...
 *   zhou-2017:   alloc-S-order (N) | free-S-order (N), S in 4..1024 and 4-align8
 *
 * Expect every script to be a function of its seed, to free only live objects, and to have the
 * published shape: the phase names and sizes of the 2005 mail and of Zhou's cover letter.
 */
import { describe, expect, it } from "vitest";
import {
  findWorkload,
  freeOrder,
  GROUP_SHAPES,
  GUSHCHIN_KEEP_EVERY,
  SeededRandom,
  WORKLOADS,
  ZHOU_SIZES,
  type AllocOp,
  type WorkloadPhase,
} from "./index.ts";

const build = (id: string, seed = 20051, objects = 200, rounds = 1) =>
  (findWorkload(id) ?? expect.unreachable(`no workload ${id}`)).build({ seed, objects, rounds });

/** Replays a script's keys; throws on a free of a dead key or a reused key. */
function checkKeys(phases: readonly WorkloadPhase[]): number {
  const live = new Set<number>();
  const seen = new Set<number>();
  for (const p of phases) {
    for (const op of p.ops) {
      if (op.op === "alloc") {
        expect(seen.has(op.key), `${p.name}: key ${op.key} reused`).toBe(false);
        seen.add(op.key);
        live.add(op.key);
      } else if (op.op === "free") {
        expect(live.has(op.key), `${p.name}: key ${op.key} freed while not live`).toBe(true);
        live.delete(op.key);
      }
    }
  }
  return live.size;
}

describe("workloads", () => {
  it.each(WORKLOADS.map((w) => w.id))(
    "%s: the same seed gives the same script, another seed another",
    (id) => {
      expect(build(id, 7)).toEqual(build(id, 7));
      // counters, zhou-2017 and gushchin-2021 draw nothing at random.
      if (id === "kiran-2005" || id === "kernel-mix")
        expect(build(id, 7)).not.toEqual(build(id, 8));
    },
  );

  it.each(WORKLOADS.map((w) => w.id))("%s: frees name live objects only, with 3 rounds", (id) => {
    expect(checkKeys(build(id, 1, 120, 3))).toBeGreaterThanOrEqual(0);
  });

  it("kiran-2005: 2000 random sizes 4..4096 aligned 1..32, a half freed, 2000 more", () => {
    const phases = build("kiran-2005", 20051, 2000);
    expect(phases.map((p) => [p.name, p.ops.length])).toEqual([
      ["alloc-1", 2000],
      ["free-1", 1000],
      ["refill-1", 2000],
    ]);
    const allocs = phases.flatMap((p) => p.ops.filter((o): o is AllocOp => o.op === "alloc"));
    expect(Math.min(...allocs.map((a) => a.size))).toBeLessThan(12);
    expect(Math.max(...allocs.map((a) => a.size))).toBeGreaterThan(4080);
    expect(Math.max(...allocs.map((a) => a.size))).toBeLessThanOrEqual(4096);
    expect(new Set(allocs.map((a) => a.align))).toEqual(new Set([1, 2, 4, 8, 16, 32]));
    expect(checkKeys(phases)).toBe(3000);
  });

  it("churn rounds after the first give back as many as they free", () => {
    const phases = build("kiran-2005", 3, 100, 3);
    expect(phases.map((p) => `${p.name}:${p.ops.length}`)).toEqual([
      "alloc-1:100",
      "free-1:50",
      "refill-1:100",
      "free-2:75",
      "refill-2:75",
      "free-3:75",
      "refill-3:75",
    ]);
  });

  it("counters: 2000 objects of 4 bytes, a random half freed, 2000 more (the thread's rows)", () => {
    const phases = build("counters", 1, 2000);
    expect(phases.map((p) => [p.name, p.ops.length])).toEqual([
      ["alloc-1", 2000],
      ["free-1", 1000],
      ["refill-1", 2000],
    ]);
    expect(
      phases
        .flatMap((p) => p.ops)
        .every((o) => o.op !== "alloc" || (o.size === 4 && o.align === 4)),
    ).toBe(true);
    expect(checkKeys(phases)).toBe(3000);
  });

  it("zhou-2017: each size and 4-align8, allocated and freed in the three orders", () => {
    const phases = build("zhou-2017", 1, 16);
    expect(phases).toHaveLength((ZHOU_SIZES.length + 1) * 6);
    expect(phases.slice(0, 6).map((p) => p.name)).toEqual([
      "alloc-4-in-order",
      "free-4-in-order",
      "alloc-4-alternating",
      "free-4-alternating",
      "alloc-4-reverse",
      "free-4-reverse",
    ]);
    const last = phases[phases.length - 2]?.ops[0];
    expect(last).toMatchObject({ op: "alloc", size: 4, align: 8 });
    expect(checkKeys(phases)).toBe(0);
    expect(freeOrder([10, 11, 12, 13, 14], "alternating")).toEqual([10, 12, 14, 11, 13]);
    expect(freeOrder([10, 11, 12], "reverse")).toEqual([12, 11, 10]);
  });

  it("kernel-mix: mostly counters, structs up to 256 bytes, a few 1..4 KiB objects", () => {
    const allocs = build("kernel-mix", 5, 2000)[0]?.ops as AllocOp[];
    const counters = allocs.filter((a) => a.size <= 8).length;
    const large = allocs.filter((a) => a.size >= 1024).length;
    expect(counters / allocs.length).toBeGreaterThan(0.45);
    expect(counters / allocs.length).toBeLessThan(0.55);
    expect(large).toBeGreaterThan(50);
    expect(large).toBeLessThan(150);
    expect(allocs.every((a) => a.size <= 4096 && a.size % a.align === 0)).toBe(true);
  });

  it("bad options are refused with the option named", () => {
    expect(() => build("counters", 1, 0)).toThrow(/objects 0: expected a positive integer/);
    expect(() => build("counters", 1, 10, 0)).toThrow(/rounds 0/);
    expect(() => new SeededRandom(1.5)).toThrow(/seed 1.5/);
  });

  it("the random source is uniform enough: 10,000 draws of 0..9 each land 900..1100 times", () => {
    const r = new SeededRandom(42);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10000; i++) counts[r.int(0, 9)]! += 1;
    for (const c of counts) {
      expect(c).toBeGreaterThan(900);
      expect(c).toBeLessThan(1100);
    }
  });
});

describe("gushchin-2021", () => {
  it("allocates groups, frees 10 of every 11, then asks for one reclaim", () => {
    const phases = build("gushchin-2021", 20051, 22);
    expect(phases.map((p) => [p.name, p.ops.length])).toEqual([
      ["alloc-1", 22 * GROUP_SHAPES.length],
      ["free-1", 20 * GROUP_SHAPES.length],
      ["reclaim-1", 1],
    ]);
    expect(phases[2]?.ops).toEqual([{ op: "reclaim" }]);
    // The survivors are groups 0 and 11: whole groups, spread over the allocation order.
    const survivors = checkKeys(phases);
    expect(survivors).toBe(2 * GROUP_SHAPES.length);
    const freed = new Set(phases[1]?.ops.map((o) => (o.op === "free" ? o.key : -1)));
    const kept = [...Array(22 * GROUP_SHAPES.length).keys()].filter((k) => !freed.has(k));
    const group = (k: number) => Math.floor(k / GROUP_SHAPES.length);
    expect([...new Set(kept.map(group))]).toEqual([0, GUSHCHIN_KEEP_EVERY]);
  });
});
