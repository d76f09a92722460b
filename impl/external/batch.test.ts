/**
 * Batches (docs/protocol.md, the capability `batch`): a harness that answers a batch wrongly
 * gets a protocol error naming what was expected (fixtures/fakeHarness.mjs, batch-* modes);
 * and a check's verdicts are the same with batches and without, at the same seed, on the C
 * example harness and on the real kernel's (each takes `--no-batch` to leave the capability
 * out): the same pass, the same counterexample.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findLinuxTree } from "../../properties/index.ts";
import type { BootConfig } from "../allocator.ts";
import { HarnessFailure } from "./harnessFailure.ts";
import { HarnessPool } from "./harnessPool.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { checkedWith } from "./verdictsEitherWay.ts";
import { buildCHarness, C_HARNESS, C_HARNESS_BUG, fakeHarness } from "./testing.ts";

/** An answer timeout far above what a loaded machine needs: no outcome depends on speed. */
const OPTIONS = { timeoutMs: 60_000 } as const;

const CONFIG: BootConfig = {
  nrCpus: 8,
  possible: [0, 1],
  present: [0, 1],
  online: [0, 1],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};

let pool: HarnessPool | undefined;
afterEach(() => {
  pool?.close();
  pool = undefined;
});

/** The failure of an allocation batched with its stats, on the fake harness in MODE. */
function batchFailure(mode: string): HarnessFailure {
  pool = new HarnessPool(fakeHarness(mode), OPTIONS);
  expect(pool.info().batch).toBe(true);
  const a = pool.create();
  expect(a.boot(CONFIG).ok).toBe(true);
  expect(a.plan([{ op: "stats" }], true)).toBe(true);
  try {
    a.alloc(8, 8);
  } catch (e) {
    if (e instanceof HarnessFailure) return e;
    throw e;
  }
  throw new Error(`${mode}: the batch was taken`);
}

describe("a batch answered wrongly is a protocol error naming what was expected", () => {
  it("a batch answered right: the allocation's answer, and the stats after it kept", () => {
    pool = new HarnessPool(fakeHarness("batch-good"), OPTIONS);
    const a = pool.create();
    expect(a.boot(CONFIG).ok).toBe(true);
    a.plan([{ op: "stats" }], true);
    expect(a.alloc(8, 8)).toEqual({ ok: true, value: 0x100000 });
    expect(a.stats().ok).toBe(true);
  });

  const CASES = [
    {
      mode: "batch-short",
      kind: "protocol-error",
      says: /answered a batch of 2 requests \(ids 3 to 4\) with 1 answers, the last "ok": true; expected 2 answers in the order of the requests, or fewer ending at the first "ok": false answer/,
    },
    {
      mode: "batch-order",
      kind: "protocol-error",
      says: /answer 1 of a batch of 2 requests \(ids 3 to 4\) has id 4; expected id 3 \(a batch is answered in the order of its requests\)/,
    },
    {
      mode: "batch-extra",
      kind: "protocol-error",
      says: /answered a batch of 2 requests \(ids 3 to 4\) with 3 answers; expected 2 answers/,
    },
    {
      mode: "batch-after-error",
      kind: "protocol-error",
      says: /answer 1 of a batch of 2 requests \(ids 3 to 4\) is "ok": false, yet 1 more follow; expected the batch to stop at its first error/,
    },
    {
      mode: "batch-notlist",
      kind: "protocol-error",
      says: /answered a batch of 2 requests \(ids 3 to 4\) with .*; expected a JSON list of their answers, in order/,
    },
    { mode: "batch-die", kind: "harness-crash", says: /exited with code 9/ },
  ] as const;
  for (const c of CASES) {
    it(`${c.mode}: ${c.kind}`, () => {
      const failure = batchFailure(c.mode);
      expect(failure.kind).toBe(c.kind);
      expect(failure.message).toMatch(c.says);
      // The batch line is the request shown.
      expect(failure.message).toContain(
        '[{"id":3,"op":"alloc","size":8,"align":8},{"id":4,"op":"stats"}]',
      );
    });
  }

  it("the requests a batch did not run give their ids back: the next request takes the first", () => {
    const h = new HarnessProcess(C_HARNESS, OPTIONS);
    try {
      h.request("hello");
      const boot = {
        nr_cpus: 8,
        possible: [0],
        present: [0],
        online: [0],
        cpu_to_node: Array(8).fill(0),
        nr_nodes: 1,
        page_size: 4096,
      };
      expect(h.request("boot", boot).ok).toBe(true);
      const answers = h.requestBatch([
        { op: "alloc", fields: { size: 8, align: 8 } },
        { op: "free", fields: { ptr: "0x1" } },
        { op: "stats", fields: {} },
      ]);
      expect(answers.map((a) => [a.id, a.ok])).toEqual([
        [3, true],
        [4, false],
      ]);
      expect(h.request("stats")).toMatchObject({ id: 5, ok: true });
    } finally {
      h.close();
    }
  });
});

describe('"ptr": "@alloc": the object the batch has just made', () => {
  it("is the pointer the latest alloc before it answered; with none before, EPROTO", () => {
    const h = new HarnessProcess(C_HARNESS, OPTIONS);
    try {
      h.request("hello");
      const boot = {
        nr_cpus: 8,
        possible: [0, 1],
        present: [0, 1],
        online: [0, 1],
        cpu_to_node: Array(8).fill(0),
        nr_nodes: 1,
        page_size: 4096,
      };
      expect(h.request("boot", boot).ok).toBe(true);
      expect(h.requestBatch([{ op: "ptr", fields: { ptr: "@alloc", cpu: 1 } }])).toMatchObject([
        { id: 3, ok: false, error: "EPROTO", message: expect.stringMatching(/no alloc/) },
      ]);
      const [made, c0, c1] = h.requestBatch([
        { op: "alloc", fields: { size: 8, align: 8 } },
        { op: "ptr", fields: { ptr: "@alloc", cpu: 0 } },
        { op: "ptr", fields: { ptr: "@alloc", cpu: 1 } },
      ]);
      expect(made?.ok).toBe(true);
      expect(c0?.addr).toBe(h.request("ptr", { ptr: made?.ptr, cpu: 0 }).addr);
      expect(c1?.addr).toBe(h.request("ptr", { ptr: made?.ptr, cpu: 1 }).addr);
    } finally {
      h.close();
    }
  });

  it("the client asks an allocation's copies in its line and answers ptr from them", () => {
    pool = new HarnessPool(C_HARNESS, OPTIONS);
    const a = pool.create();
    expect(a.boot(CONFIG).ok).toBe(true);
    a.plan(
      [
        { op: "ptr", ptr: "new", cpu: 0 },
        { op: "ptr", ptr: "new", cpu: 1 },
      ],
      true,
    );
    const lines = { n: 0 };
    const proto = HarnessProcess.prototype;
    const request = proto.request;
    proto.request = function (this: HarnessProcess, ...args) {
      lines.n++;
      return request.apply(this, args);
    };
    try {
      const ptr = a.alloc(8, 8);
      expect(ptr.ok).toBe(true);
      const before = lines.n;
      const copies = [0, 1].map((cpu) => a.ptr(ptr.ok ? ptr.value : 0, cpu));
      expect(copies.every((c) => c.ok)).toBe(true);
      expect(lines.n).toBe(before);
    } finally {
      proto.request = request;
    }
  });
});

describe("the same verdicts with batches and without, at the same seed", () => {
  beforeAll(() => buildCHarness());

  it("the C example harness: every invariant passes both ways, after the same steps", () => {
    const on = checkedWith(C_HARNESS, 40, "batch");
    const off = checkedWith(`${C_HARNESS} --no-batch`, 40, "batch");
    expect([on.offered, off.offered]).toEqual([true, false]);
    expect(on.verdicts.results.every((r) => r.status === "pass")).toBe(true);
    expect(on.verdicts).toEqual(off.verdicts);
  }, 300_000);

  it("its seeded bug: the same counterexample both ways", () => {
    const on = checkedWith(C_HARNESS_BUG, 40, "batch");
    const off = checkedWith(`${C_HARNESS_BUG} --no-batch`, 40, "batch");
    expect(on.verdicts.results.some((r) => r.status === "fail")).toBe(true);
    expect(on.verdicts).toEqual(off.verdicts);
  }, 300_000);
});

const LINUX = fileURLToPath(new URL("../../harnesses/linux/", import.meta.url));
const tree = findLinuxTree("6.12")?.dir;

describe("the real kernel's harness (6.12): batches and its oops", () => {
  if (tree === undefined) {
    it("is not built: no 6.12 tree in .cache/linux nor in the environment", () => {
      expect(findLinuxTree("6.12")).toBeUndefined();
    });
    return;
  }
  // Bad frees handed to the kernel: a double free corrupts the chunk (bad-input fails) and a
  // free of a static address is a kernel BUG (no-oops fails): counterexamples to compare.
  const build = "build/batch-test-6.12";
  const bin = `${LINUX}${build}/pcpu-linux-badfree`;
  beforeAll(() => {
    execFileSync(
      "make",
      ["-C", LINUX, "-j1", `KSRC=${tree}`, `BUILD=${build}`, "BAD_FREE=kernel"],
      {
        stdio: "pipe",
      },
    );
  }, 300_000);

  it("an oops in the middle of a batch: the answers before it, then EOOPS, on one line; EOOPS until the next boot", () => {
    const boot = {
      op: "boot",
      nr_cpus: 8,
      possible: [0, 1],
      present: [0, 1],
      online: [0, 1],
      cpu_to_node: Array(8).fill(0),
      nr_nodes: 1,
      page_size: 4096,
    };
    const line = (reqs: Record<string, unknown>[], first: number) =>
      `[${reqs.map((r, i) => JSON.stringify({ id: first + i, ...r })).join(",")}]`;
    const input = [
      JSON.stringify({ id: 1, op: "hello" }),
      JSON.stringify({ id: 2, ...boot }),
      line(
        [
          { op: "alloc", size: 8, align: 8 },
          { op: "stats" },
          { op: "free", ptr: "0x1000" },
          { op: "stats" },
        ],
        3,
      ),
      line([{ op: "stats" }], 6),
      JSON.stringify({ id: 7, ...boot }),
      line([{ op: "alloc", size: 8, align: 8 }], 8),
      JSON.stringify({ id: 9, op: "quit" }),
    ].join("\n");
    const run = spawnSync(bin, [], { input: `${input}\n`, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    expect(lines[2]).toMatchObject([
      { id: 3, ok: true },
      { id: 4, ok: true },
      { id: 5, ok: false, error: "EOOPS", message: expect.stringMatching(/^kernel oops: SIGABRT/) },
    ]);
    expect(lines[3]).toMatchObject([{ id: 6, ok: false, error: "EOOPS" }]);
    expect(lines[5]).toMatchObject([{ id: 8, ok: true }]);
  });

  it("a check of the bad-free build: the same counterexamples both ways", () => {
    const on = checkedWith(bin, 20, "batch");
    const off = checkedWith(`${bin} --no-batch`, 20, "batch");
    expect([on.offered, off.offered]).toEqual([true, false]);
    expect(on.verdicts.results.filter((r) => r.status === "fail").map((r) => r.invariant)).toEqual(
      expect.arrayContaining(["no-oops"]),
    );
    expect(on.verdicts).toEqual(off.verdicts);
  }, 600_000);
});
