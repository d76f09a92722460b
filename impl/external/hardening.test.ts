/**
 * Harnesses that fail as processes: each fake harness (fixtures/fakeHarness.mjs) misbehaves in
 * one way and gets a finding of its own kind, with the steps sent so far, no child left behind,
 * and no hang.
 *
 * No outcome here depends on how fast the machine is. A harness-hang is only expected from a
 * fixture that never answers (so any timeout gives it; 300 ms keeps the test short), and its
 * start (the spawn and the answer to hello) is bounded apart by `startTimeoutMs` (60 s by
 * default). Every other case gets an answer timeout of 60 s, far above what a loaded 2-core
 * machine needs to answer: with 300 ms, a nonjson or enormous harness slowed down by the load
 * was judged a harness-hang.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkTarget, externalTarget, type ExternalTarget } from "../../properties/index.ts";
import { HarnessFailure } from "./harnessFailure.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import { childrenWith, fakeHarness, processExists, processRuns, waitUntil } from "./testing.ts";

const SETTINGS = { seed: 1, runs: 5, maxCommands: 10, model: false } as const;

/** For the fixture that never answers boot: the hang is certain, so the timeout can be short. */
const NEVER_ANSWERS_MS = 300;
/** For every fixture that does answer (or exits): far above a loaded machine's slowest answer. */
const ANSWERS_MS = 60_000;

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
      const timeoutMs = c.mode === "hang" ? NEVER_ANSWERS_MS : ANSWERS_MS;
      target = externalTarget(fakeHarness(c.mode), { timeoutMs });
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
        // Killed with the harness's process group, then reaped by init, not by us: certain, but
        // not at once on a loaded machine, hence the wait (the bound only ends a broken test).
        expect(waitUntil(() => !processRuns(grandchild))).toBe(true);
      }
    });
  }

  it("the harness process itself is reaped after a hang", () => {
    // hello is answered within the start bound (60 s by default); boot never is.
    const h = new HarnessProcess(fakeHarness("hang"), { timeoutMs: NEVER_ANSWERS_MS });
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
    target = externalTarget(fakeHarness("bigaddr"), { timeoutMs: ANSWERS_MS });
    const report = checkTarget(target, SETTINGS);
    expect(report.harnessFailure?.failure.kind).toBe("protocol-error");
    expect(report.harnessFailure?.failure.message).toMatch(/0x20000000000000, at or above 2\^53/);
  });

  it("starting is not answering: a harness slow to start is not a harness-hang", () => {
    // slowstart reads nothing for its first second, so with the answer timeout of 300 ms
    // counting from the spawn (as it once did), hello was a harness-hang on any machine. The
    // start has its own bound (startTimeoutMs, 60 s by default); 300 ms is for later answers.
    const h = new HarnessProcess(fakeHarness("slowstart"), { timeoutMs: 300 });
    try {
      expect(h.request("hello")).toMatchObject({ ok: true, name: "fake-slowstart" });
    } finally {
      h.close();
    }
  });

  it("the start has a bound of its own: startTimeoutMs", () => {
    // slowstart reads nothing for its first second, so with a start bound of 300 ms it is
    // certain to be late, whatever the load: late to spawn (the bound covers the worker thread
    // and the spawn too, which a loaded machine may take 300 ms for) or late to answer hello.
    const start = () =>
      new HarnessProcess(fakeHarness("slowstart"), {
        timeoutMs: ANSWERS_MS,
        startTimeoutMs: 300,
      }).request("hello");
    expect(start).toThrow(
      /harness-hang: .*(did not start|no first answer) within 300 ms( of starting)?/,
    );
    // Killed and reaped either way.
    expect(childrenWith("fakeHarness.mjs slowstart")).toEqual([]);
  });
});
