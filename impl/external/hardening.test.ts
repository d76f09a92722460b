/**
 * Harnesses that fail as processes: each fake harness (fixtures/fakeHarness.mjs) misbehaves in
 * one way and gets a finding of its own kind, with the steps sent so far, no child left behind,
 * and no hang (the timeout is 300 ms here).
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkTarget, externalTarget, type ExternalTarget } from "../../properties/index.ts";
import { HarnessFailure } from "./harnessFailure.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { fakeHarness, processExists, processRuns } from "./testing.ts";

const SETTINGS = { seed: 1, runs: 5, maxCommands: 10, model: false } as const;

const CASES = [
  { mode: "exit", kind: "harness-crash", says: /exited with code 7/ },
  { mode: "sigkill", kind: "harness-crash", says: /died by signal SIGKILL/ },
  { mode: "hang", kind: "harness-hang", says: /no answer within 300 ms/ },
  { mode: "nonjson", kind: "protocol-error", says: /not JSON: "this is not JSON"/ },
  { mode: "wrongid", kind: "protocol-error", says: /with id 3; expected id 2/ },
  { mode: "stderr", kind: "harness-crash", says: /the last line of the flood/ },
  { mode: "enormous", kind: "protocol-error", says: /longer than 1048576 bytes/ },
  { mode: "missing", kind: "protocol-error", says: /alloc answered ok with field ptr/ },
] as const;

describe("hardening: a harness that fails as a process", () => {
  let target: ExternalTarget | undefined;
  afterEach(() => target?.close());

  for (const c of CASES) {
    it(`${c.mode}: ${c.kind}, reported with the run so far, nothing left running`, () => {
      target = externalTarget(fakeHarness(c.mode), { timeoutMs: 300 });
      const seen = new Set<number>();
      const report = checkTarget(target, SETTINGS);
      for (const pid of target.pids()) seen.add(pid);
      const finding = report.harnessFailure;
      expect(finding?.failure).toBeInstanceOf(HarnessFailure);
      expect(finding?.failure.kind).toBe(c.kind);
      expect(finding?.failure.message).toMatch(c.says);
      // Every invariant not yet judged (a fake harness breaks some before it fails, and lacks
      // every capability) gets the failure's kind.
      for (const r of report.results) expect([c.kind, "not-checked", "fail"]).toContain(r.status);
      const hit = report.results.filter((r) => r.status === c.kind);
      expect(hit.length).toBeGreaterThan(0);
      expect(hit[0]?.counterexample?.invariant).toBe(c.kind);
      if (c.mode === "missing") {
        expect(finding?.counterexample.steps.at(-1)).toMatchObject({ op: "alloc" });
      }
      if (c.mode === "stderr") {
        // Standard error is kept bounded: its last 64 KiB.
        expect(finding?.failure.stderr.length).toBe(64 << 10);
      }
      target.close();
      expect(target.pids()).toEqual([]);
      for (const pid of seen) expect(processExists(pid)).toBe(false);
      if (c.mode === "hang") {
        const grandchild = Number(/grandchild (\d+)/.exec(finding?.failure.stderr ?? "")?.[1]);
        expect(grandchild).toBeGreaterThan(0);
        // Killed with the harness's process group (then reaped by init, not by us).
        const nap = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0; i < 50 && processRuns(grandchild); i++) Atomics.wait(nap, 0, 0, 20);
        expect(processRuns(grandchild)).toBe(false);
      }
    });
  }

  it("the harness process itself is reaped after a hang", () => {
    const h = new HarnessProcess(fakeHarness("hang"), { timeoutMs: 300 });
    const pid = h.pid as number;
    h.request("hello");
    expect(() => h.request("boot", { nr_nodes: 1 })).toThrow(/harness-hang/);
    expect(h.alive).toBe(false);
    expect(processExists(pid)).toBe(false);
    // Asked again, it fails the same way at once.
    expect(() => h.request("stats")).toThrow(/harness-hang/);
    h.close();
  });

  it("an address at or above 2^53 is a protocol-error", () => {
    target = externalTarget(fakeHarness("bigaddr"), { timeoutMs: 1000 });
    const report = checkTarget(target, SETTINGS);
    expect(report.harnessFailure?.failure.kind).toBe("protocol-error");
    expect(report.harnessFailure?.failure.message).toMatch(/0x20000000000000, at or above 2\^53/);
  });
});
