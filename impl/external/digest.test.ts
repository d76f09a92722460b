/**
 * Digests (docs/protocol.md, the capability `digest`): the digest is FNV-1a 64 as published;
 * both harnesses of this repository compute it over the bytes they hold and answer `"same"`
 * only where it is the one sent; the client sends `unless` only for bytes it has seen there,
 * gives the checks the bytes either way, and takes a wrong `same` for a protocol error; and a
 * check's verdicts are the same with digests and without (`--no-digest`), at the same seed, on
 * the C example harness, its seeded bug and the real kernel's harness.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { findLinuxTree } from "../../properties/index.ts";
import type { BootConfig } from "../allocator.ts";
import { HarnessFailure } from "./harnessFailure.ts";
import { HarnessPool } from "./harnessPool.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { digestOf } from "./readDigests.ts";
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

const text = (s: string) => new TextEncoder().encode(s);

/** A page of bytes from a fixed seed (a linear congruential sequence). */
function seededPage(seed: number): Uint8Array {
  const page = new Uint8Array(4096);
  let x = seed;
  for (let i = 0; i < page.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    page[i] = x >>> 24;
  }
  return page;
}

describe("the digest: FNV-1a 64 over the bytes, 16 hexadecimal digits", () => {
  it("is the published FNV-1a 64 (the test vectors of its authors)", () => {
    expect(digestOf(text(""))).toBe("cbf29ce484222325");
    expect(digestOf(text("a"))).toBe("af63dc4c8601ec8c");
    expect(digestOf(text("foobar"))).toBe("85944171f73967e8");
    expect(digestOf(new Uint8Array(8))).toBe("a8c7f832281a39c5");
  });

  it("is what the C example harness computes over a page it holds: same where equal, else the bytes", () => {
    buildCHarness();
    const h = new HarnessProcess(C_HARNESS, OPTIONS);
    try {
      expect(h.request("hello").capabilities).toContain("digest");
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
      const made = h.request("alloc", { size: 4096, align: 4096 });
      const addr = h.request("ptr", { ptr: made.ptr, cpu: 0 }).addr as string;
      const page = seededPage(20051);
      const hex = Buffer.from(page).toString("hex");
      expect(h.request("write", { addr, hex }).ok).toBe(true);
      expect(h.request("read", { addr, len: 4096, unless: digestOf(page) })).toMatchObject({
        ok: true,
        same: true,
      });
      const other = page.slice();
      other[4095] = (other[4095] ?? 0) ^ 1;
      const changed = h.request("read", { addr, len: 4096, unless: digestOf(other) });
      expect(changed).toMatchObject({ ok: true, hex });
      expect(changed.same).toBeUndefined();
      expect(h.request("read", { addr, len: 4096, unless: "0x12" })).toMatchObject({
        ok: false,
        error: "EPROTO",
        message: expect.stringMatching(/field unless/),
      });
    } finally {
      h.close();
    }
  });
});

describe("the client's reads with digests", () => {
  beforeAll(() => buildCHarness());

  it("sends unless only for bytes it has seen there, and gives the bytes either way", () => {
    pool = new HarnessPool(C_HARNESS, OPTIONS);
    expect(pool.info().digest).toBe(true);
    const a = pool.create();
    expect(a.boot(CONFIG).ok).toBe(true);
    const ptr = a.alloc(64, 8);
    if (!ptr.ok) throw new Error("alloc failed");
    const copy = a.ptr(ptr.value, 1);
    if (!copy.ok) throw new Error("ptr failed");
    const page = copy.value - (copy.value % 4096);
    const sent: Record<string, unknown>[] = [];
    const answered: Record<string, unknown>[] = [];
    const proto = HarnessProcess.prototype;
    const request = proto.request;
    proto.request = function (this: HarnessProcess, op, fields) {
      const answer = request.call(this, op, fields);
      if (op === "read") {
        sent.push({ ...fields });
        answered.push(answer);
      }
      return answer;
    };
    try {
      const first = a.read(page, 4096);
      const again = a.read(page, 4096);
      expect(a.write(copy.value, Uint8Array.of(1, 2, 3)).ok).toBe(true);
      const written = a.read(page, 4096);
      expect(first.ok && again.ok && written.ok).toBe(true);
      if (!first.ok || !again.ok || !written.ok) return;
      expect(again.value).toEqual(first.value);
      expect(Array.from(written.value.slice(copy.value - page, copy.value - page + 3))).toEqual([
        1, 2, 3,
      ]);
      expect(sent.map((f) => f.unless)).toEqual([
        undefined,
        digestOf(first.value),
        digestOf(first.value),
      ]);
      expect(answered.map((x) => [x.same, typeof x.hex])).toEqual([
        [undefined, "string"],
        [true, "undefined"],
        [undefined, "string"],
      ]);
      // The bytes given are the caller's: changing them changes nothing kept.
      written.value.fill(0xff);
      const third = a.read(page, 4096);
      expect(third.ok && third.value).not.toEqual(written.value);
      expect(answered.at(-1)?.same).toBe(true);
    } finally {
      proto.request = request;
    }
  });

  it("without the capability, no read carries unless", () => {
    pool = new HarnessPool(`${C_HARNESS} --no-digest`, OPTIONS);
    expect(pool.info().digest).toBe(false);
    const a = pool.create();
    expect(a.boot(CONFIG).ok).toBe(true);
    const ptr = a.alloc(8, 8);
    const copy = ptr.ok ? a.ptr(ptr.value, 0) : ptr;
    if (!copy.ok) throw new Error("no copy");
    const sent: Record<string, unknown>[] = [];
    const proto = HarnessProcess.prototype;
    const request = proto.request;
    proto.request = function (this: HarnessProcess, op, fields) {
      if (op === "read") sent.push({ ...fields });
      return request.call(this, op, fields);
    };
    try {
      a.read(copy.value, 8);
      a.read(copy.value, 8);
    } finally {
      proto.request = request;
    }
    expect(sent.map((f) => f.unless)).toEqual([undefined, undefined]);
  });
});

describe("a read answered wrongly by a harness with digest is a protocol error", () => {
  const CASES = [
    { mode: "digest-unasked", says: /read answered "same" without being sent "unless"/ },
    { mode: "digest-both", says: /read answered both "same" and "hex"/ },
    { mode: "digest-false", says: /read answered "same": false; expected "same": true or "hex"/ },
  ] as const;
  for (const c of CASES) {
    it(c.mode, () => {
      pool = new HarnessPool(fakeHarness(c.mode), OPTIONS);
      expect(pool.info().digest).toBe(true);
      const a = pool.create();
      expect(a.boot(CONFIG).ok).toBe(true);
      let failure: unknown;
      try {
        a.read(0x100000, 8);
        a.read(0x100000, 8);
      } catch (e) {
        failure = e;
      }
      expect(failure).toBeInstanceOf(HarnessFailure);
      expect((failure as HarnessFailure).kind).toBe("protocol-error");
      expect((failure as HarnessFailure).message).toMatch(c.says);
    });
  }
});

describe("the same verdicts with digests and without, at the same seed", () => {
  beforeAll(() => buildCHarness());

  it("the C example harness: every invariant passes both ways, after the same steps", () => {
    const on = checkedWith(C_HARNESS, 40, "digest");
    const off = checkedWith(`${C_HARNESS} --no-digest`, 40, "digest");
    expect([on.offered, off.offered]).toEqual([true, false]);
    expect(on.verdicts.results.every((r) => r.status === "pass")).toBe(true);
    expect(on.verdicts).toEqual(off.verdicts);
  }, 300_000);

  it("its seeded bug: the same counterexample both ways", () => {
    const on = checkedWith(C_HARNESS_BUG, 40, "digest");
    const off = checkedWith(`${C_HARNESS_BUG} --no-digest`, 40, "digest");
    expect(on.verdicts.results.some((r) => r.status === "fail")).toBe(true);
    expect(on.verdicts).toEqual(off.verdicts);
  }, 300_000);
});

const LINUX = fileURLToPath(new URL("../../harnesses/linux/", import.meta.url));
const tree = findLinuxTree("6.12")?.dir;

describe("the real kernel's harness (6.12) with digests", () => {
  if (tree === undefined) {
    it("is not built: no 6.12 tree in .cache/linux nor in the environment", () => {
      expect(findLinuxTree("6.12")).toBeUndefined();
    });
    return;
  }
  // The bad-free build batch.test.ts uses: counterexamples (bad-input, no-oops) to compare.
  const build = "build/batch-test-6.12";
  const bin = `${LINUX}${build}/pcpu-linux-badfree`;
  beforeAll(() => {
    execFileSync(
      "make",
      ["-C", LINUX, "-j1", `KSRC=${tree}`, `BUILD=${build}`, "BAD_FREE=kernel"],
      { stdio: "pipe" },
    );
  }, 300_000);

  it("a check of the bad-free build: the same counterexamples both ways", () => {
    const on = checkedWith(bin, 20, "digest");
    const off = checkedWith(`${bin} --no-digest`, 20, "digest");
    expect([on.offered, off.offered]).toEqual([true, false]);
    expect(on.verdicts.results.filter((r) => r.status === "fail").map((r) => r.invariant)).toEqual(
      expect.arrayContaining(["no-oops"]),
    );
    expect(on.verdicts).toEqual(off.verdicts);
  }, 600_000);
});
