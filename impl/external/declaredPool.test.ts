/**
 * `hello`'s `pool` and `min_align`: the schema that validates them, and the bound the suite
 * works out from a declared pool and the boot (the in-process chunk designs' arithmetic).
 */
import { describe, expect, it } from "vitest";
import { bootConfig } from "../revisions/testing.ts";
import { BITMAP_POOL, spareChunksBound } from "../revisions/index.ts";
import { declaredPool } from "./declaredPool.ts";
import { helloHarness } from "./externalAllocator.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { describeIssue, helloAnswer } from "./protocolSchemas.ts";
import { buildCHarness, C_HARNESS, ruleHarness } from "./testing.ts";

const HELLO = { protocol: 1, name: "x", revision: "1", capabilities: [] };

/** The first problem of parsing `hello` with these extra fields, or "ok". */
function problem(extra: Record<string, unknown>): string {
  const r = helloAnswer.safeParse({ ...HELLO, ...extra });
  return r.success ? "ok" : describeIssue(r.error);
}

describe("hello's pool and min_align: the schema", () => {
  it("accepts a pool by its constants and a power-of-two min_align, and neither", () => {
    expect(problem({})).toBe("ok");
    expect(problem({ pool: { chunks: 1, unit_bytes: 2097152 } })).toBe("ok");
    expect(problem({ pool: { chunks: 2, unit_bytes: 32768, meta_pages: 3 } })).toBe("ok");
    for (const a of [1, 4, 4096]) expect(problem({ min_align: a })).toBe("ok");
  });

  it("refuses a wrong pool, naming the field", () => {
    expect(problem({ pool: { chunks: 0, unit_bytes: 4096 } })).toMatch(/^field pool\.chunks: /);
    expect(problem({ pool: { chunks: 1.5, unit_bytes: 4096 } })).toMatch(/^field pool\.chunks: /);
    expect(problem({ pool: { chunks: 1 } })).toMatch(/^field pool\.unit_bytes: Required/);
    expect(problem({ pool: { chunks: 1, unit_bytes: 0 } })).toMatch(/^field pool\.unit_bytes: /);
    expect(problem({ pool: { chunks: 1, unit_bytes: 4096, meta_pages: -1 } })).toMatch(
      /^field pool\.meta_pages: /,
    );
    // A pool is the rule's constants only: a figure of the allocator's state is refused.
    expect(problem({ pool: { chunks: 1, unit_bytes: 4096, pages: 9 } })).toMatch(
      /^field pool: Unrecognized key.*'pages'/,
    );
    expect(problem({ pool: 1 })).toMatch(/^field pool: Expected object/);
  });

  it("refuses a min_align that is not a power of two from 1 to 4096, naming the field", () => {
    for (const a of [0, 3, 6, 8192, 2.5, -4])
      expect(problem({ min_align: a })).toMatch(/^field min_align: /);
    expect(problem({ min_align: 3 })).toBe(
      "field min_align: expected a power of two from 1 to 4096",
    );
  });

  it("a harness declaring a bad field fails hello with a protocol-error naming it", () => {
    buildCHarness();
    const h = new HarnessProcess(
      ruleHarness(C_HARNESS, "--hello", `{"pool":{"chunks":0,"unit_bytes":4096}}`),
      { timeoutMs: 60000 },
    );
    expect(() => helloHarness(h)).toThrow(/protocol-error.*hello answer: field pool\.chunks: /s);
    h.close();
  });
});

describe("the bound of a declared pool", () => {
  it("is worked out from the constants and the boot: chunks × possible CPUs × unit, and metadata", () => {
    const pool = declaredPool({ chunks: 1, unitBytes: 2097152, metaPages: 0 });
    // 3 possible CPUs of 8: 3 units of 512 pages and 3 × 2 MiB of vm area.
    const three = bootConfig({ nrCpus: 8, possible: [0, 1, 2], present: [0, 1], online: [0] });
    expect(pool.bound(three, 0)).toEqual({ pages: 3 * 512, vmBytes: 3 * 2097152 });
    const two = declaredPool({ chunks: 2, unitBytes: 32768, metaPages: 5 });
    expect(two.bound(three, 100)).toEqual({ pages: 2 * (3 * 8 + 5), vmBytes: 2 * 3 * 32768 });
  });

  it("a unit that is not whole pages counts its last page", () => {
    expect(
      spareChunksBound({ chunks: 1, units: 2, unitBytes: 5000, metaPages: 0, pageSize: 4096 }),
    ).toEqual({ pages: 4, vmBytes: 10000 });
  });

  it("is the arithmetic of bitmap-2017's pool: one chunk of 32 KiB units with its metadata", () => {
    const config = bootConfig({ nrCpus: 8, possible: [0, 1, 2, 3], present: [0], online: [0] });
    const bitmap = BITMAP_POOL.bound(config, 0);
    const meta = bitmap.pages - 4 * 8;
    expect(meta).toBeGreaterThan(0);
    expect(declaredPool({ chunks: 1, unitBytes: 32768, metaPages: meta }).bound(config, 0)).toEqual(
      bitmap,
    );
  });
});
