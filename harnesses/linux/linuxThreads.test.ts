/**
 * Interleavings on the real code (issue 17 §4): the harness's threads (the capability
 * `threads`, docs/protocol.md) driven by properties/interleave's scheduler through
 * impl/external/harnessThreads.ts, wherever a Linux tree is there (`.cache/linux/VERSION` or
 * PCPU_LINUX_KSRC_*, as linux.test.ts finds it); without one, a single line says so and the
 * only test asserts the absence.
 *
 * Every run boots 2 CPUs with 32 KiB units (`--small-unit`) and fills the first chunk's 20 KiB
 * dynamic area first, so that T1's `alloc 8` (GFP_KERNEL) makes a chunk and populates its page:
 * it drops pcpu_lock to create the chunk and again to populate, and reads
 * pcpu_nr_empty_pop_pages with no lock after it drops pcpu_alloc_mutex.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLinuxTree, LINUX_VERSIONS } from "../../properties/index.ts";
import { externalTarget, type ExternalTarget } from "../../properties/targets.ts";
import { formatTrace, runInterleaved } from "../../properties/interleave/run.ts";
import { harnessThreads, type ExternalAllocator } from "../../impl/external/index.ts";
import { callLabel, type ConcurrentCall } from "../../impl/sections/index.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));

const BOOT = {
  nrCpus: 8,
  possible: [0, 1],
  present: [0, 1],
  online: [0, 1],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};
const BOOT_WIRE = {
  op: "boot",
  nr_cpus: 8,
  possible: [0, 1],
  present: [0, 1],
  online: [0, 1],
  cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0],
  nr_nodes: 1,
  page_size: 4096,
};
/** The first chunk's dynamic area with --small-unit: filled by the set-up. */
const FILL = 20480;

const KERNEL_8: ConcurrentCall = { op: "alloc", size: 8, align: 8, atomic: false };
const ATOMIC_8: ConcurrentCall = { op: "alloc", size: 8, align: 8, atomic: true };
const BALANCE: ConcurrentCall = { op: "balance" };

type Answer = Record<string, unknown> & { id: number; ok: boolean };

/** Sends `requests` (ids added in order) to a fresh harness process; its answers. */
function session(bin: string, requests: Record<string, unknown>[]): Answer[] {
  const input = requests.map((r, i) => JSON.stringify({ id: i + 1, ...r })).join("\n") + "\n";
  const run = spawnSync(bin, ["--small-unit"], { input, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Answer);
}

const absent = LINUX_VERSIONS.filter((v) => findLinuxTree(v) === undefined);
if (absent.length > 0) {
  console.log(
    `harnesses/linux threads: no linux ${absent.join(" or ")} tree, its interleaving tests not run; get one with ${absent.map((v) => `scripts/fetch-linux-source.sh ${v}`).join(", ")}`,
  );
}

for (const version of LINUX_VERSIONS) {
  const tree = findLinuxTree(version)?.dir;
  describe(`linux ${version}: interleavings on the real code (the capability threads)`, () => {
    if (tree === undefined) {
      it("is not built: no tree in .cache/linux nor in the environment", () => {
        expect(findLinuxTree(version)).toBeUndefined();
      });
      return;
    }
    const build = join("build", `test-${version}`);
    const bin = join(HERE, build, "pcpu-linux");
    let target: ExternalTarget;
    beforeAll(() => {
      execFileSync("make", ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`], {
        stdio: "pipe",
      });
      target = externalTarget(`${bin} --small-unit`);
    }, 120_000);
    afterAll(() => target.close());

    /** T1, T2, ... each making one call, under the schedule, on a booted and filled harness. */
    const interleave = (calls: readonly ConcurrentCall[], schedule: readonly number[]) => {
      const allocator = target.create() as ExternalAllocator;
      expect(allocator.boot(BOOT).ok).toBe(true);
      expect(allocator.alloc(FILL, 4).ok).toBe(true);
      const system = harnessThreads(allocator);
      const run = runInterleaved({
        threads: calls.map((call, i) => ({
          name: `T${i + 1}`,
          calls: [call],
          ...(call.op === "alloc" && call.atomic ? { atomic: true } : {}),
        })),
        system: { start: (call) => system.start(call), label: callLabel },
        schedule,
        shared: system.shared,
      });
      const trace = formatTrace(run);
      // The trace of the real code, for a reviewer (vitest shows it with the test's output).
      console.log(trace.map((line, i) => `${i}: ${line}`).join("\n"));
      return { run, trace };
    };

    it("hello declares threads", () => {
      const [hello] = session(bin, [{ op: "hello" }, { op: "quit" }]);
      expect(hello?.capabilities).toEqual(expect.arrayContaining(["threads"]));
      expect(target.create().hello().capabilities).toContain("threads");
    });

    it("an atomic allocation runs while T1 has dropped pcpu_lock to populate its new chunk", () => {
      // T1: mutex, scan (no fit), chunk made, area reserved and pcpu_lock dropped (7 sections);
      // then T2's three sections and its return; then T1 populates.
      const { run, trace } = interleave([KERNEL_8, ATOMIC_8], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
      expect(run.findings).toEqual([]);
      expect(run.completed).toBe(true);
      const populated = trace.findIndex((l) => /^T1 .*pages populated/.test(l));
      // The last section T1 ran before it populated: the area reserved, pcpu_lock dropped.
      let dropped = populated - 1;
      while (dropped > 0 && !String(trace[dropped]).startsWith("T1 ")) dropped--;
      expect(trace[dropped]).toMatch(
        /^T1 .*pcpu_lock taken in pcpu_alloc(_noprof)?, pcpu_nr_empty_pop_pages 0 -> -1, pcpu_lock dropped in pcpu_alloc/,
      );
      expect(trace[3]).toMatch(/^T1 .*chunk's vm areas made/);
      expect(populated).toBeGreaterThan(dropped);
      // T2 runs in between: it takes and drops pcpu_lock (T1 holds only the mutex) and finds
      // no populated space in the chunk T1 has not populated yet.
      const between = trace.slice(dropped + 1, populated);
      expect(between.length).toBeGreaterThan(0);
      expect(between.every((l) => l.startsWith("T2 "))).toBe(true);
      expect(between.join("\n")).toMatch(/pcpu_lock taken in pcpu_alloc.*pcpu_lock dropped/);
      const [t1, t2] = run.calls;
      expect(t1?.result?.ok).toBe(true);
      expect(t2?.result).toMatchObject({ ok: false, error: "ENOMEM" });
      expect(between.join("\n")).toMatch(/returned ENOMEM/);
      expect(t2?.response).toBeLessThan(populated);
    });

    it("pcpu_alloc_mutex keeps two GFP_KERNEL allocations apart: the second waits", () => {
      const alternate = Array.from({ length: 24 }, (_, i) => i % 2);
      const { run, trace } = interleave([KERNEL_8, KERNEL_8], alternate);
      expect(run.completed).toBe(true);
      const taken = trace.findIndex((l) => /^T1 .*pcpu_alloc_mutex taken/.test(l));
      const dropped = trace.findIndex((l) => /^T1 .*pcpu_alloc_mutex dropped/.test(l));
      expect(taken).toBeGreaterThan(0);
      expect(dropped).toBeGreaterThan(taken);
      // T2's first section ends before the mutex; none of its sections runs while T1 holds it,
      // though the schedule asks for T2 at every other step.
      expect(trace.slice(0, taken).some((l) => /^T2 .*then takes pcpu_alloc_mutex/.test(l))).toBe(
        true,
      );
      expect(trace.slice(taken, dropped + 1).every((l) => l.startsWith("T1 "))).toBe(true);
      expect(trace[dropped + 1]).toMatch(/^T2 .*pcpu_alloc_mutex taken/);
      // Both served, from the chunk T1 made: distinct objects.
      const [a, b] = run.calls.map((c) => c.result);
      expect(a?.ok && b?.ok && a.value !== b.value).toBe(true);
    });

    it("the same through the protocol: thread_step of the waiting thread is an error naming both, and changes nothing", () => {
      const answers = session(bin, [
        BOOT_WIRE,
        { op: "alloc", size: FILL, align: 4 },
        { op: "thread_start", thread: 1, call: "alloc", size: 8, align: 8 },
        { op: "thread_start", thread: 2, call: "alloc", size: 8, align: 8 },
        { op: "thread_step", thread: 1 },
        { op: "thread_step", thread: 1 },
        { op: "thread_step", thread: 2 },
        { op: "thread_step", thread: 2 },
        { op: "thread_state" },
        { op: "alloc", size: 8, align: 8 },
        { op: "thread_start", thread: 1, call: "balance" },
        { op: "thread_start", thread: 5, call: "balance" },
        { op: "thread_start", thread: 3, call: "free", ptr: "0x1234" },
        { op: "thread_step", thread: 4 },
        { op: "thread_step", thread: 1 },
        { op: "quit" },
      ]);
      expect(answers.slice(0, 4).every((a) => a.ok)).toBe(true);
      expect(answers[4]).toMatchObject({
        state: "boundary",
        acquire: ["pcpu_alloc_mutex"],
        held: [],
        release: [],
      });
      expect(answers[5]).toMatchObject({
        state: "boundary",
        section: expect.stringMatching(/^pcpu_alloc_mutex taken in pcpu_alloc/),
        acquire: ["pcpu_lock"],
        held: ["pcpu_alloc_mutex"],
      });
      expect(answers[6]).toMatchObject({ state: "boundary", acquire: ["pcpu_alloc_mutex"] });
      expect(answers[7]).toMatchObject({ ok: false, error: "EINVAL" });
      expect(String(answers[7]?.message)).toMatch(
        /thread 2 .* waits for pcpu_alloc_mutex, held by thread 1 .*expected a runnable thread/,
      );
      expect(answers[8]?.threads).toEqual([
        expect.objectContaining({ thread: 1, state: "runnable", held: ["pcpu_alloc_mutex"] }),
        expect.objectContaining({
          thread: 2,
          state: "waiting",
          lock: "pcpu_alloc_mutex",
          held_by: 1,
        }),
      ]);
      expect(String(answers[9]?.message)).toMatch(/alloc: thread 1 .* is started and not done/);
      expect(String(answers[10]?.message)).toMatch(/thread 1 is running alloc 8 .*not done/);
      expect(String(answers[11]?.message)).toMatch(/thread 5: expected a thread number 1..4/);
      expect(String(answers[12]?.message)).toMatch(/free 0x1234: the pointer was never handed out/);
      expect(String(answers[13]?.message)).toMatch(/thread 4 is idle/);
      // Nothing refused changed the threads: T1 goes on where it was, to pcpu_lock.
      expect(answers[14]).toMatchObject({
        ok: true,
        section: expect.stringMatching(/^pcpu_lock taken in pcpu_alloc/),
      });
    });

    it("the watermark race: T1's unlocked read of pcpu_nr_empty_pop_pages after mutex_unlock, between the balance worker's sections", () => {
      // T1 runs until it drops pcpu_alloc_mutex (10 sections); the worker T2 takes the mutex,
      // pcpu_lock, drops it to populate, and updates pcpu_nr_empty_pop_pages under pcpu_lock
      // (5 sections); then T1's last section reads the count, holding nothing, while T2 still
      // holds the mutex; then T2 finishes.
      const schedule = [...Array<number>(10).fill(0), 1, 1, 1, 1, 1, 0, 1];
      const { run, trace } = interleave([KERNEL_8, BALANCE], schedule);
      expect(run.completed).toBe(true);
      const write = run.accesses.find((a) => a.thread === "T2" && a.write);
      const read = run.accesses.find((a) => a.thread === "T1" && !a.write && a.held.length === 0);
      expect(write?.field).toBe("pcpu_nr_empty_pop_pages");
      expect(write?.held).toEqual(["pcpu_alloc_mutex", "pcpu_lock"]);
      expect(write?.section).toMatch(/pcpu_lock taken in pcpu_balance_populated/);
      expect(read?.section).toMatch(/pcpu_nr_empty_pop_pages read \(4\)/);
      expect(read?.step).toBe((write?.step ?? 0) + 1);
      expect(trace[(read?.step ?? 0) + 1]).toMatch(/^T2 balance: pcpu_alloc_mutex dropped/);
      const race = run.findings.find((f) => f.invariant === "data-race");
      expect(race?.message).toMatch(
        /^data-race on pcpu_nr_empty_pop_pages \(protected by pcpu_lock\): T2 writes it in "balance: pcpu_lock taken in pcpu_balance_populated.*" \(step \d+, holding pcpu_alloc_mutex, pcpu_lock\) and T1 reads it in "alloc 8 align 8: pcpu_nr_empty_pop_pages read \(4\), returned 0x[0-9a-f]+" \(step \d+, holding nothing\), with no lock held in common$/,
      );
    });
  });
}

/**
 * "percpu: fix pcpu_reclaim() locking" (971f3918a5a8, 2009) put back into 6.12
 * (mutations-interleaved/reclaim-unlocked.mut: pcpu_reclaim_populated drops pcpu_alloc_mutex
 * around the depopulation, as the 2009 pcpu_reclaim() did). percpu-vm.c's pages array
 * (pcpu_get_pages) is shared by every population and depopulation, and only the mutex keeps
 * them apart: with sleep points, a GFP_KERNEL allocation that makes a chunk X stops between
 * its page allocations; the worker, holding nothing, depopulates chunk C through the same
 * array (overwriting X's entries with C's pages, then freeing them); the allocation goes on
 * and maps the array, so one of X's copies is a page C freed and the allocation itself took
 * again for another copy: two copies of one object share a page.
 */
for (const version of LINUX_VERSIONS) {
  const tree = findLinuxTree(version)?.dir;
  const id = "reclaim-unlocked";
  describe(`linux ${version}: '${id}' caught under an interleaving (sleep points)`, () => {
    if (tree === undefined) {
      it("is not built: no tree in .cache/linux nor in the environment", () => {
        expect(findLinuxTree(version)).toBeUndefined();
      });
      return;
    }
    const build = join("build", `test-${version}`);
    const bin = join(HERE, build, "pcpu-linux");
    const targets: ExternalTarget[] = [];
    beforeAll(() => {
      for (const mutation of [[], [`MUTATION=${id}`]]) {
        execFileSync("make", ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`, ...mutation], {
          stdio: "pipe",
        });
      }
    }, 120_000);
    afterAll(() => targets.forEach((t) => t.close()));

    /**
     * C: a 7-page object beside a live 4-byte one, the 7 pages freed (C isolated for
     * depopulation, the first chunk's 5 empty pages keeping the count above HIGH); then T1
     * the worker and T2 an allocation of a whole unit (a new chunk X, 8 pages on each CPU)
     * under `schedule`. The pages (CPU, page) of T2's object that do not read back what was
     * written to them (another copy's write reached them), and the trace.
     */
    const race = (harness: string, schedule: readonly number[]) => {
      const target = externalTarget(`${harness} --small-unit`);
      targets.push(target);
      const allocator = target.create() as ExternalAllocator;
      expect(allocator.boot(BOOT).ok).toBe(true);
      const a1 = allocator.alloc(28672, 4);
      expect(allocator.alloc(4, 4).ok).toBe(true);
      if (!a1.ok) throw new Error(a1.message);
      expect(allocator.free(a1.value).ok).toBe(true);
      const system = harnessThreads(allocator, { sleepPoints: true });
      const run = runInterleaved({
        threads: [
          { name: "T1", calls: [BALANCE] },
          { name: "T2", calls: [{ op: "alloc", size: 32768, align: 4, atomic: false }] },
        ],
        system: { start: (call) => system.start(call), label: callLabel },
        schedule,
        shared: system.shared,
      });
      const trace = formatTrace(run);
      console.log(`${harness}:\n${trace.map((line, i) => `${i}: ${line}`).join("\n")}`);
      expect(run.completed).toBe(true);
      const result = run.calls[1]?.result;
      if (!result?.ok || result.value === undefined) throw new Error("T2's allocation failed");
      const pages: [number, number, number][] = [];
      for (const cpu of [0, 1]) {
        const base = allocator.ptr(result.value, cpu);
        if (!base.ok) throw new Error(base.message);
        for (let page = 0; page < 8; page++) pages.push([cpu, page, base.value + page * 4096]);
      }
      pages.forEach(([, , addr], k) => {
        expect(allocator.write(addr, Uint8Array.of(k + 1)).ok).toBe(true);
      });
      const aliased = pages.flatMap(([cpu, page, addr], k) => {
        const got = allocator.read(addr, 1);
        return got.ok && got.value[0] === k + 1 ? [] : [`cpu ${cpu} page ${page}`];
      });
      return { trace, aliased };
    };

    // T1 to its mutex_unlock in pcpu_reclaim_populated (4 sections), T2 to its second page
    // allocation in pcpu_alloc_pages (15 sections), T1's depopulation, then the rest.
    const schedule = [0, 0, 0, 0, ...Array<number>(15).fill(1), 0];

    it("two copies of the new object share a page on the mutant; none on 6.12 as it is, under the same schedule", () => {
      const mutant = race(`${bin}-${id}`, schedule);
      const depopulated = mutant.trace.findIndex((l) =>
        /^T1 balance: pages depopulated \(14 page mappings removed\), 14 pages freed/.test(l),
      );
      expect(mutant.trace[3]).toMatch(
        /^T1 balance: pcpu_alloc_mutex dropped in pcpu_reclaim_populated/,
      );
      expect(mutant.trace[depopulated - 1]).toMatch(/^T2 .*then sleeps in alloc_pages_node/);
      expect(mutant.trace.slice(depopulated + 1).some((l) => /^T2 .*pages populated/.test(l))).toBe(
        true,
      );
      expect(mutant.aliased).toEqual(["cpu 0 page 0"]);
      // The fixed code keeps the mutex: T2 waits, and the schedule's choices of T2 go to T1.
      const real = race(bin, schedule);
      expect(
        real.trace.some((l) => /pcpu_alloc_mutex dropped in pcpu_reclaim_populated/.test(l)),
      ).toBe(false);
      expect(real.aliased).toEqual([]);
    }, 60_000);
  });
}
