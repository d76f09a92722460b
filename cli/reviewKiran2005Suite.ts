/**
 * The review of the 2005 patch as a test suite, run by reviewKiran2005.test.ts (its one line
 * `import "./reviewKiran2005Suite.ts";`).
 *
 *   kiran-2005-01 (Jan 2005, as reviewed)  ──review──>  kiran-2005-09 (Sep 2005, after review)
 *   currency sizeof(void *) = 4 (i386)                   sizeof(int) = 4
 *   bubble sort of the free runs                         lib/sort.c
 *   for (i = 0; i < NR_CPUS; i++) if cpu_possible(i)     for_each_cpu (possible CPUs)
 *   clear_page on the management pages                   __GFP_ZERO
 *   data pages from low memory                           __GFP_HIGHMEM
 *
 * Expect each review point of Andrew Morton <20050113005730.0e10b2d9.akpm@osdl.org> to show in
 * the numbers: utilization of 4-byte counters stays (the January revision is the i386 build its
 * figures came from, where sizeof(void *) is already 4; on a 64-bit build the 8-byte currency
 * halves it, kiranJanuaryAllocator.test.ts), comparisons per allocation on a
 * fragmented block fall, loop work per allocation at NR_CPUS 512 falls, data pages move to high
 * memory, and no invariant regresses; the September block's NR_CPUS page-pointer array makes
 * valloc_percpu's on-stack pages[] larger at 512-way ("How much stackspace ...?"): 9 pointers of
 * 4 bytes in January (i386), 19 of 8 at NR_CPUS 512 in September (64-bit).
 */
import { describe, expect, it } from "vitest";
import type { MetricRow, Review } from "../properties/index.ts";
import { runCli } from "./testing.ts";

type ReviewJson = Omit<Review, "reports">;

describe("review kiran-2005-01 -> kiran-2005-09: the 2005 review in numbers", async () => {
  const run = await runCli(
    "review",
    "kiran-2005-01",
    "kiran-2005-09",
    "--runs",
    "8",
    "--max-commands",
    "25",
    "--no-model",
    "--workload",
    "counters",
    "--workload",
    "kiran-2005",
    "--objects",
    "2000",
    "--growth-max",
    "1000",
    "--json",
  );
  const r = JSON.parse(run.stdout) as ReviewJson;
  const metric = (workload: string, name: string): MetricRow =>
    r.metrics.find((m) => m.workload === workload && m.metric === name) ??
    expect.unreachable(`no metric ${workload}/${name}`);

  it("runs with no invariant regression", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(r.invariants.filter((i) => i.change === "regression")).toEqual([]);
  });

  it("currency sizeof(void *) -> sizeof(int): 4 bytes on both on i386, counters fill the same", () => {
    const u = metric("counters", "utilization_after_alloc_1");
    expect(u.base).toBeGreaterThan(0.95);
    expect(u.head).toBe(u.base);
  });

  it("bubble sort -> library sort: fewer comparisons per allocation at 1000 live objects", () => {
    const c = metric("counters", "comparisons_per_alloc_at_1000_live");
    expect(c.head).toBeLessThan((c.base ?? 0) / 5);
  });

  it("NR_CPUS loops -> possible CPUs: less loop work per allocation at NR_CPUS 512", () => {
    const at512 = metric("kiran-2005", "loop_iterations_per_alloc_at_nr_cpus_512");
    const at8 = metric("kiran-2005", "loop_iterations_per_alloc_at_nr_cpus_8");
    expect(at512.head).toBeLessThan(at512.base ?? 0);
    expect(at512.base).toBeGreaterThan(at8.base ?? Infinity);
    expect(at512.head).toBe(at8.head);
  });

  it("low -> high memory: the data pages move to high memory, low-memory use falls", () => {
    expect(metric("kiran-2005", "pages_in_high_memory").base).toBe(0);
    expect(metric("kiran-2005", "pages_in_high_memory").head).toBeGreaterThan(0);
    const low = metric("kiran-2005", "pages_in_low_memory");
    expect(low.head).toBeLessThan(low.base ?? 0);
  });

  it("stack on 512-way: 9 page pointers (i386) in January, 19 at NR_CPUS 512 in September", () => {
    const stack = metric("kiran-2005", "scratch_bytes_per_operation_at_nr_cpus_512");
    expect(stack).toMatchObject({ base: 9 * 4, head: 19 * 8, worse: true });
  });

  it("clear_page -> __GFP_ZERO: new objects read zero on both", () => {
    const zero = r.invariants.find((i) => i.invariant === "zero-on-alloc");
    expect(zero).toMatchObject({ base: { status: "pass" }, head: { status: "pass" } });
  });
});
