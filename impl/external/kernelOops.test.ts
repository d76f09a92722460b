/**
 * An allocator's oops answered through the protocol (docs/protocol.md, `oops`): the C example
 * harness behind fixtures/oopsHarness.mjs oopses on a double free. Declared, the EOOPS answer
 * is judged by no-oops with a shrunk, 1-minimal counterexample and the check goes on with the
 * other invariants; undeclared it is a protocol-error; a crash stays a harness-crash.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkTarget,
  externalTarget,
  findInvariant,
  reproduces,
  type ExternalTarget,
  type Invariant,
} from "../../properties/index.ts";
import { unwrap, type BootConfig } from "../index.ts";
import { HarnessPool } from "./harnessPool.ts";
import { KernelOops } from "./kernelOops.ts";
import { buildCHarness, C_HARNESS, oopsHarness } from "./testing.ts";

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

let target: ExternalTarget | undefined;
let pool: HarnessPool | undefined;
beforeAll(() => buildCHarness());
afterEach(() => {
  target?.close();
  pool?.close();
});
afterAll(() => target?.close());

/**
 * Seed 3's 30 runs draw a double free (a run whose swarm configuration has frees and bad input
 * on); at seed 20051 the swarm's runs reach one only after 30 runs, and then through a drain.
 */
function check(invariants: string[], ...flags: string[]) {
  target = externalTarget(oopsHarness(C_HARNESS, ...flags), OPTIONS);
  const report = checkTarget(target, {
    seed: 3,
    runs: 30,
    maxCommands: 30,
    model: false,
    invariants: invariants.map((id) => findInvariant(id) as Invariant),
  });
  return { report, result: (id: string) => report.results.find((r) => r.invariant === id) };
}

describe("an oops answered EOOPS by a harness that declares it", () => {
  it("the client throws KernelOops, and the harness refuses all but boot until the next boot", () => {
    pool = new HarnessPool(oopsHarness(C_HARNESS, "--declare"), OPTIONS);
    expect(pool.info().oops).toBe(true);
    expect(pool.info().unknownCapabilities).toEqual([]);
    const a = pool.create();
    unwrap(a.boot(CONFIG));
    const p = unwrap(a.alloc(8, 8));
    unwrap(a.free(p));
    expect(() => a.free(p)).toThrow(KernelOops);
    expect(() => a.stats()).toThrow(/stats answered EOOPS: the kernel oopsed earlier/);
    // The process survived: a new client boots it again.
    const b = pool.create();
    const c = pool.create();
    unwrap(c.boot(CONFIG));
    expect(unwrap(c.alloc(8, 8))).toBe(p);
    void b;
  });

  it("no-oops fails with a shrunk, 1-minimal counterexample; the other invariants are judged", () => {
    const { result } = check(["no-oops", "bad-input", "no-overlap"], "--declare");
    const r = result("no-oops");
    expect(r?.status).toBe("fail");
    const ce = r?.counterexample;
    expect(ce?.message).toMatch(/raised KernelOops: free answered EOOPS: kernel oops: SIGSEGV/);
    // alloc, free, and the same free again: nothing shorter oopses, nothing may be left out.
    expect(ce?.steps.map((s) => s.op)).toEqual(["alloc", "free", "free"]);
    const inv = findInvariant("no-oops") as Invariant;
    const steps = ce?.steps ?? [];
    expect(reproduces(target as ExternalTarget, ce?.config ?? CONFIG, steps, inv)).toBe(true);
    steps.forEach((_, i) => {
      const without = steps.filter((__, j) => j !== i);
      expect(
        reproduces(target as ExternalTarget, ce?.config ?? CONFIG, without, inv),
        `step ${i}`,
      ).toBe(false);
    });
    // A double free is bad input the harness did not refuse: bad-input diverges quietly (the
    // run stops, as for an in-process raise), and the rest of the check is judged as usual.
    expect(result("bad-input")?.status).toBe("pass");
    expect(result("no-overlap")?.status).toBe("pass");
  });

  it("an oops at boot, before any step, is a harness-crash", () => {
    const { result } = check(["no-oops"], "--declare", "--at-boot");
    expect(result("no-oops")?.status).toBe("harness-crash");
    expect(result("no-oops")?.reason).toMatch(/the allocator oopsed at boot/);
  });
});

describe("what is not a declared oops", () => {
  it("EOOPS from a harness that does not declare oops is a protocol-error", () => {
    const { result } = check(["no-oops"]);
    expect(result("no-oops")?.status).toBe("protocol-error");
    expect(result("no-oops")?.reason).toMatch(/did not declare the capability "oops"/);
  });

  it("a harness that declares oops and exits instead stays a harness-crash", () => {
    const { result } = check(["no-oops"], "--declare", "--crash");
    expect(result("no-oops")?.status).toBe("harness-crash");
  });
});
