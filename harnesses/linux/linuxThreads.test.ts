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
