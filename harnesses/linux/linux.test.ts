/**
 * The real-kernel harness, wherever a Linux tree is there: `.cache/linux/VERSION` (made by
 * scripts/fetch-linux-source.sh VERSION) or PCPU_LINUX_KSRC_6_12 / PCPU_LINUX_KSRC_6_1. With a
 * tree, the harness is built from it and must speak the protocol and pass a short check;
 * without one, a single line says so and how to get it, and the only test asserts the absence.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckJson } from "../../cli/checkCommand.ts";
import { runCli } from "../../cli/testing.ts";
import {
  findLinuxTree,
  INVARIANTS,
  kernelVersion,
  LINUX_VERSIONS,
  notApplicable,
  parseMutation,
} from "../../properties/index.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));

/** The tree of VERSION: the environment's, else the cache's (the kill matrix's lookup). */
function treeOf(version: string): string | undefined {
  return findLinuxTree(version)?.dir;
}

type Answer = Record<string, unknown> & { id: number; ok: boolean };

/** Sends `requests` (ids added in order) to a fresh harness process; its answers. */
function session(bin: string, requests: Record<string, unknown>[], args: string[] = []): Answer[] {
  const input = requests.map((r, i) => JSON.stringify({ id: i + 1, ...r })).join("\n") + "\n";
  const run = spawnSync(bin, args, { input, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Answer);
}

/**
 * With 32 KiB units on one CPU: a 7-page object a1 is read (its translations cached), then
 * freed beside a live 4-byte a2, so reclaim depopulates its chunk; a2's free and a second
 * reclaim return the chunk to the free slot, and a3 repopulates the same addresses with other
 * pages. Read through the TLB, a3 is zero only if depopulation flushed a1's translations.
 * The bytes of a3 as the protocol reads them, as a set of byte values.
 */
function staleTlbBytes(bin: string): Set<string> {
  const one = { ...BOOT, possible: [0], present: [0], online: [0], nr_nodes: 1 };
  one.cpu_to_node = BOOT.cpu_to_node.map(() => 0);
  const small = ["--small-unit"];
  // A fresh process gives the same pointers and addresses: learn them first.
  const setup = [one, { op: "alloc", size: 28672, align: 4 }, { op: "alloc", size: 4, align: 4 }];
  const learnt = session(bin, setup, small);
  const [a1, a2] = [String(learnt[1]?.ptr), String(learnt[2]?.ptr)];
  const addr = String(session(bin, [...setup, { op: "ptr", ptr: a1, cpu: 0 }], small)[3]?.addr);
  const answers = session(
    bin,
    [
      ...setup,
      { op: "read", addr, len: 28672 },
      { op: "free", ptr: a1 },
      { op: "reclaim" },
      { op: "free", ptr: a2 },
      { op: "reclaim" },
      { op: "alloc", size: 28672, align: 4 },
      { op: "read", addr, len: 28672 },
      { op: "quit" },
    ],
    small,
  );
  expect(answers[8]?.ptr).toBe(a1);
  return new Set(String(answers[9]?.hex).match(/../g));
}

/** Whether the tree's mm/FILE holds the pattern of mutations/ID.mut (the fix it undoes). */
function hasFix(tree: string, id: string): boolean {
  const path = join(HERE, "mutations", `${id}.mut`);
  const mutation = parseMutation(path, readFileSync(path, "utf8"));
  return (
    notApplicable(mutation, { version: "", dir: tree, kernel: kernelVersion(tree) }) === undefined
  );
}

/**
 * With a 2 MiB static area the units are 4 MiB, so a 32 KiB object at 2,020 KiB of a chunk
 * spans pages 505 to 512 and its mapping needs the page table of the second 2 MiB: that
 * allocation fails (the 8 data pages come first), then the same allocation is retried. The
 * retry's answer: ok where the failing CPU's mappings were cleaned up, else ENOMEM (its
 * mapping runs into the pte left behind).
 */
function retryAfterMapFailure(bin: string): string {
  const one = { ...BOOT, possible: [0], present: [0], online: [0], nr_nodes: 1 };
  one.cpu_to_node = BOOT.cpu_to_node.map(() => 0);
  const fill = Array.from({ length: 63 }, () => ({ op: "alloc", size: 32768, align: 4 }));
  const answers = session(
    bin,
    [
      one,
      { op: "alloc", size: 28672, align: 4 },
      { op: "alloc", size: 4096, align: 4 },
      ...fill,
      { op: "fail_page_alloc", after: 8, count: 1 },
      { op: "alloc", size: 32768, align: 4 },
      { op: "alloc", size: 32768, align: 4 },
      { op: "quit" },
    ],
    ["--static-size", "2097152"],
  );
  expect(answers.slice(0, 67).every((a) => a.ok)).toBe(true);
  expect(answers[67]?.error).toBe("ENOMEM");
  return answers[68]?.ok ? "ok" : String(answers[68]?.error);
}

const BOOT = {
  op: "boot",
  nr_cpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1],
  cpu_to_node: [0, 0, 1, 1, 0, 0, 1, 1],
  nr_nodes: 2,
  page_size: 4096,
};

const VERSIONS = LINUX_VERSIONS;
const absent = VERSIONS.filter((v) => treeOf(v) === undefined);
if (absent.length > 0) {
  console.log(
    `harnesses/linux: no linux ${absent.join(" or ")} tree, its tests not run; get one with ${absent.map((v) => `scripts/fetch-linux-source.sh ${v}`).join(", ")}`,
  );
}

for (const version of VERSIONS) {
  const tree = treeOf(version);
  describe(`linux ${version} harness (harnesses/linux)`, () => {
    if (tree === undefined) {
      it("is not built: no tree in .cache/linux nor in the environment", () => {
        expect(treeOf(version)).toBeUndefined();
      });
      return;
    }
    const build = join("build", `test-${version}`);
    const bin = join(HERE, build, "pcpu-linux");
    const out = mkdtempSync(join(tmpdir(), "pcpu-linux-"));
    afterAll(() => rmSync(out, { recursive: true, force: true }));
    beforeAll(() => {
      execFileSync("make", ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`], {
        stdio: "pipe",
      });
    }, 120_000);

    it("hello names the kernel version of the tree's Makefile, no mutation, its bad-free rule, pool and min_align", () => {
      const [hello] = session(bin, [{ op: "hello" }, { op: "quit" }]);
      expect(hello).toMatchObject({
        ok: true,
        protocol: 1,
        name: "linux",
        revision: kernelVersion(tree),
        kernel: kernelVersion(tree),
        mutation: null,
      });
      expect(hello?.capabilities).toEqual(expect.arrayContaining(["reclaim", "inspect"]));
      expect(String(hello?.bad_free)).toMatch(/EINVAL .* without calling the kernel/);
      // The kernel's rules by the tree's constants: one spare chunk of units up to the first
      // chunk's alloc_size (256 KiB of sizes rounded up to the 2 MiB atom), PCPU_MIN_ALLOC_SIZE.
      expect(hello).toMatchObject({
        pool: { chunks: 1, unit_bytes: 2 << 20, meta_pages: 0 },
        min_align: 4,
      });
    });

    it("per_cpu_ptr gives addresses that read and write reach, on the CPU's node; unmapped is EFAULT", () => {
      const a = session(bin, [BOOT, { op: "alloc", size: 24, align: 8 }, { op: "quit" }]);
      const ptr = String(a[1]?.ptr);
      const cpus = [0, 1, 2, 3];
      const addrs = session(bin, [
        BOOT,
        { op: "alloc", size: 24, align: 8 },
        ...cpus.map((cpu) => ({ op: "ptr", ptr, cpu })),
        { op: "quit" },
      ]).slice(2, 6);
      expect(addrs.every((x) => x.ok)).toBe(true);
      const addr = (cpu: number) => String(addrs[cpu]?.addr);
      const answers = session(bin, [
        BOOT,
        { op: "alloc", size: 24, align: 8 },
        ...cpus.map((cpu) => ({ op: "write", addr: addr(cpu), hex: `0${cpu}`.repeat(24) })),
        ...cpus.map((cpu) => ({ op: "read", addr: addr(cpu), len: 24 })),
        ...cpus.map((cpu) => ({ op: "node", addr: addr(cpu) })),
        { op: "read", addr: "0x8", len: 4 },
        { op: "quit" },
      ]);
      for (const cpu of cpus) {
        expect(answers[2 + cpu]?.ok).toBe(true);
        expect(answers[6 + cpu]?.hex).toBe(`0${cpu}`.repeat(24));
        expect(answers[10 + cpu]?.node).toBe(BOOT.cpu_to_node[cpu]);
      }
      expect(answers[14]).toMatchObject({ ok: false, error: "EFAULT" });
    });

    it("a double free and a pointer never handed out get EINVAL; the kernel refuses size 0 and 32 KiB + 1", () => {
      const answers = session(bin, [
        BOOT,
        { op: "alloc", size: 64, align: 8 },
        { op: "alloc", size: 8, align: 8, reserved: true },
        { op: "alloc", size: 0, align: 8 },
        { op: "alloc", size: 32769, align: 8 },
        { op: "quit" },
      ]);
      expect(answers[1]?.ok).toBe(true);
      expect(answers[2]?.ok).toBe(true);
      expect(answers[3]).toMatchObject({ ok: false, error: "EINVAL" });
      expect(answers[4]).toMatchObject({ ok: false, error: "EINVAL" });
      const ptr = String(answers[1]?.ptr);
      const frees = session(bin, [
        BOOT,
        { op: "alloc", size: 64, align: 8 },
        { op: "free", ptr },
        { op: "free", ptr },
        { op: "free", ptr: "0x123" },
        { op: "quit" },
      ]);
      expect(frees[1]?.ptr).toBe(ptr);
      expect(frees.slice(2, 5).map((f) => f.error ?? "ok")).toEqual(["ok", "EINVAL", "EINVAL"]);
    });

    it("the kernel rounds an alignment below 4 up before its power-of-two check: 0 and 3 are served, 6 and 8192 refused", () => {
      const answers = session(bin, [
        BOOT,
        ...[0, 3, 6, 8192].map((align) => ({ op: "alloc", size: 8, align })),
        { op: "quit" },
      ]);
      expect(answers.slice(1, 5).map((a) => a.error ?? "ok")).toEqual([
        "ok",
        "ok",
        "EINVAL",
        "EINVAL",
      ]);
    });

    it("an allocation that outgrows the first chunk makes a chunk in the vmalloc area; stats and inspect say so", () => {
      const answers = session(bin, [
        BOOT,
        { op: "stats" },
        { op: "alloc", size: 32768, align: 8 },
        { op: "alloc", size: 32768, align: 8 },
        { op: "stats" },
        { op: "inspect" },
        { op: "quit" },
      ]);
      const before = answers[1] as Answer & { vm_bytes: number; nr_chunks: number };
      const after = answers[4] as Answer & { vm_bytes: number; nr_chunks: number };
      expect(before.vm_bytes).toBe(0);
      expect(after.vm_bytes).toBeGreaterThan(0);
      expect(after.nr_chunks).toBeGreaterThan(before.nr_chunks);
      const blocks = (answers[5] as Answer & { blocks: { live: number }[] }).blocks;
      expect(blocks.reduce((s, b) => s + b.live, 0)).toBe(2);
    });

    it("a TLB entry outlives depopulation only without the flush of 'percpu: flush tlb in pcpu_reclaim_populated()'", () => {
      execFileSync(
        "make",
        [
          "-C",
          HERE,
          "-j1",
          `KSRC=${tree}`,
          `BUILD=${build}`,
          "MUTATION=flush-tlb-in-reclaim-populated",
        ],
        { stdio: "pipe" },
      );
      expect(staleTlbBytes(bin)).toEqual(new Set(["00"]));
      // Without the flush, a3 read through the stale entries reaches a1's freed, poisoned pages.
      expect(staleTlbBytes(`${bin}-flush-tlb-in-reclaim-populated`)).toContain("aa");
    }, 120_000);

    it("a GFP_NOIO or GFP_NOFS allocation may make a chunk, but not before 'mm, percpu: do not consider sleepable allocations atomic'", () => {
      const id = "do-not-consider-sleepable-allocations-atomic";
      execFileSync(
        "make",
        ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`, `MUTATION=${id}`],
        {
          stdio: "pipe",
        },
      );
      // 32 KiB does not fit the first chunk's dynamic area: each needs a new chunk.
      const requests = ["noio", "nofs", "kernel"].map((gfp) => ({
        op: "alloc",
        size: 32768,
        align: 8,
        gfp,
      }));
      const codes = (b: string) =>
        session(b, [BOOT, ...requests, { op: "quit" }])
          .slice(1, 4)
          .map((a) => (a.ok ? "ok" : String(a.error)));
      expect(codes(bin)).toEqual(["ok", "ok", "ok"]);
      expect(codes(`${bin}-${id}`)).toEqual(["ENOMEM", "ENOMEM", "ok"]);
    }, 120_000);

    it("a double free handed to the kernel corrupts the chunk's free bytes, unless the double-free check refuses it", () => {
      const make = (extra: string[]) =>
        execFileSync(
          "make",
          ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`, "BAD_FREE=kernel", ...extra],
          { stdio: "pipe" },
        );
      make([]);
      make(["EDIT=double-free-check"]);
      const ptr = String(session(bin, [BOOT, { op: "alloc", size: 64, align: 8 }])[1]?.ptr);
      const run = (b: string) => {
        const a = session(b, [
          BOOT,
          { op: "alloc", size: 64, align: 8 },
          { op: "free", ptr },
          { op: "inspect" },
          { op: "free", ptr },
          { op: "inspect" },
          { op: "quit" },
        ]);
        const first = (i: number) =>
          (a[i] as Answer & { blocks: { free_bytes: number; live: number }[] }).blocks;
        return { second: a[4]?.error ?? "ok", before: first(3), after: first(5) };
      };
      const asIs = run(`${bin}-badfree`);
      expect(asIs.second).toBe("ok");
      // The region's bytes counted free twice: more free bytes than before, one object fewer than none.
      expect(asIs.after).not.toEqual(asIs.before);
      const checked = run(`${bin}-double-free-check-badfree`);
      expect(checked.second).toBe("EINVAL");
      expect(checked.after).toEqual(checked.before);
    }, 120_000);

    it("after a mapping fails mid-range, a retry succeeds only where pcpu_map_pages() cleans up the failing CPU ('clean up all mappings when pcpu_map_pages() fails')", () => {
      const id = "clean-up-all-mappings-when-map-pages-fails";
      if (!hasFix(tree, id)) {
        // 6.1.192 has the old unwind: the real kernel itself fails the retry (README, finding 7).
        expect(retryAfterMapFailure(bin)).toBe("ENOMEM");
        return;
      }
      execFileSync(
        "make",
        ["-C", HERE, "-j1", `KSRC=${tree}`, `BUILD=${build}`, `MUTATION=${id}`],
        {
          stdio: "pipe",
        },
      );
      expect(retryAfterMapFailure(bin)).toBe("ok");
      expect(retryAfterMapFailure(`${bin}-${id}`)).toBe("ENOMEM");
    }, 120_000);

    it("a short check: every black-box invariant passes, the kernel's pool and alignment rule declared (README, findings 1, 2, 10)", async () => {
      const blackBox = INVARIANTS.filter((i) => i.designs === undefined).map((i) => i.id);
      const args = ["--runs", "8", "--max-commands", "20", "--no-model", "--out", out, "--json"];
      const run = await runCli("check", "--external", bin, ...args);
      const json = JSON.parse(run.stdout) as CheckJson;
      expect(json.results.map((r) => r.invariant)).toEqual(blackBox);
      for (const r of json.results) {
        expect(r.status, `${r.invariant}: ${r.counterexample?.message ?? ""}`).toBe("pass");
      }
    }, 300_000);
  });
}
