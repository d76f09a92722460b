import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrap, type BootConfig } from "../index.ts";
import { HarnessPool } from "./harnessPool.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { buildCHarness, C_HARNESS, processExists } from "./testing.ts";

/**
 * The answer timeout here: far above what the C harness needs on a loaded machine (the default
 * 5 s is a user's bound, not a test's: a test must not fail because the machine is busy).
 */
const OPTIONS = { timeoutMs: 60_000 } as const;

const CONFIG: BootConfig = {
  nrCpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1],
  cpuToNode: [0, 0, 1, 1, 0, 0, 1, 1],
  nrNodes: 2,
  pageSize: 4096,
};

describe("ExternalAllocator on the C example harness", () => {
  let pool: HarnessPool;
  beforeAll(() => {
    buildCHarness();
    pool = new HarnessPool(C_HARNESS, OPTIONS);
  });
  afterAll(() => pool.close());

  it("says hello with its capabilities and size limit", () => {
    const info = pool.info();
    expect(info.name).toBe("c-arena");
    expect(info.capabilities).toEqual(["cpu_add", "cpu_remove", "fail_page_alloc", "reclaim"]);
    expect(info.maxSize).toBe(32768);
  });

  it("runs the protocol's example: alloc, ptr, node, read, write, EINVAL", () => {
    const a = pool.create();
    unwrap(a.boot(CONFIG));
    const p = unwrap(a.alloc(24, 8));
    const on3 = unwrap(a.ptr(p, 3));
    expect(unwrap(a.node(on3))).toBe(1);
    expect(unwrap(a.read(on3, 24))).toEqual(new Uint8Array(24));
    unwrap(a.write(on3 + 4, Uint8Array.of(0xab, 0xcd)));
    expect([...unwrap(a.read(on3 + 4, 2))]).toEqual([0xab, 0xcd]);
    expect(unwrap(a.read(unwrap(a.ptr(p, 2)) + 4, 2))).toEqual(new Uint8Array(2));
    expect(a.alloc(0, 8)).toMatchObject({ ok: false, error: "EINVAL" });
    expect(a.ptr(p, 8)).toMatchObject({ ok: false, error: "EINVAL" });
    expect(a.node(0x10)).toMatchObject({ ok: false, error: "EFAULT" });
    expect(a.inspect()).toMatchObject({ ok: false, error: "ENOTSUP" });
    unwrap(a.free(p));
    expect(a.free(p)).toMatchObject({ ok: false, error: "EINVAL" });
    unwrap(a.reclaim());
    expect(unwrap(a.stats()).pagesByNode).toEqual([0, 0]);
  });

  it("boot forgets every earlier allocation: one process serves many runs", () => {
    const a = pool.create();
    unwrap(a.boot(CONFIG));
    const p = unwrap(a.alloc(8, 8));
    const b = pool.create();
    const c = pool.create();
    unwrap(c.boot(CONFIG));
    expect(c.ptr(p, 0)).toMatchObject({ ok: false, error: "EINVAL" });
    // A client whose process went to a newer one refuses to be used.
    expect(() => a.stats()).toThrow(/handed to a newer client/);
    void b;
  });

  it("close sends quit and reaps the harness", () => {
    // Dead either way: by quit, or killed and reaped once quit's 1 s of grace is over.
    const h = new HarnessProcess(C_HARNESS, OPTIONS);
    const pid = h.pid as number;
    expect(processExists(pid)).toBe(true);
    h.close();
    expect(processExists(pid)).toBe(false);
  });
});
