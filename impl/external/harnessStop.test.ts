/**
 * A stop request (Ctrl-C or SIGTERM, seen by the command line's main thread while the check
 * runs in a worker) reaches a thread blocked waiting for a harness: the harness is killed with
 * its process group and the wait ends with `Stopped`, not a `HarnessFailure` (a stop is not the
 * harness's fault).
 *
 * Nothing here depends on timing. The harness used never answers boot, and its answer timeout
 * (30 s) is far above the time the stop takes to arrive, so the only way the wait can end
 * soon is the stop. The stop is set by another thread (this one is blocked in Atomics.wait, so a
 * timer of its own could not fire), released by a shared flag rather than after some delay.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearStop, newStopFlag, requestStop, Stopped, useStopFlag } from "../stop.ts";
import { HarnessFailure } from "./harnessFailure.ts";
import { HarnessProcess } from "./harnessProcess.ts";
import {
  childrenWith,
  fakeHarness,
  groupMembers,
  processExists,
  stopFromAnotherThread,
  waitUntil,
} from "./testing.ts";

/** Far above the time the helper thread needs to set the flag, on any load. */
const TIMEOUT_MS = 30_000;

describe("a stop request while a harness is waited for", () => {
  // A flag this file can hand to a helper thread, as the command line hands its own to the
  // worker that runs the check.
  const stop = newStopFlag();
  beforeAll(() => useStopFlag(stop.buffer as SharedArrayBuffer));
  afterEach(() => clearStop());
  afterAll(() => useStopFlag(newStopFlag().buffer as SharedArrayBuffer));

  it("waiting for an answer: the harness and its process group are killed, Stopped is thrown", async () => {
    const h = new HarnessProcess(fakeHarness("hang"), { timeoutMs: TIMEOUT_MS });
    h.request("hello");
    const pid = h.pid as number;
    // The hang fixture has started a grandchild (in its process group) before answering hello.
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(2);
    const sent = new Int32Array(new SharedArrayBuffer(4));
    const helper = stopFromAnotherThread(sent, stop, 15);
    Atomics.store(sent, 0, 1);
    Atomics.notify(sent, 0);
    let thrown: unknown;
    try {
      h.request("boot", { nr_nodes: 1 });
    } catch (e) {
      thrown = e;
    }
    await helper;
    expect(thrown).toBeInstanceOf(Stopped);
    expect(thrown).not.toBeInstanceOf(HarnessFailure);
    expect((thrown as Stopped).signal).toBe(15);
    expect(h.alive).toBe(false);
    // The harness is reaped by us before the throw; the grandchild by init, soon after.
    expect(processExists(pid)).toBe(false);
    expect(waitUntil(() => groupMembers(pid).length === 0)).toBe(true);
    // Asked again, it throws the same stop at once; close is a no-op.
    expect(() => h.request("stats")).toThrow(Stopped);
    expect(() => h.close()).not.toThrow();
  });

  it("waiting for the spawn: the harness is killed as soon as it runs, Stopped is thrown", () => {
    // Set before the constructor's first wait, so the stop is seen while waiting for "spawned".
    requestStop(2);
    expect(
      () => new HarnessProcess(fakeHarness("good stop-at-spawn"), { timeoutMs: TIMEOUT_MS }),
    ).toThrow(Stopped);
    expect(childrenWith("stop-at-spawn")).toEqual([]);
  });

  it("close on a stop request kills the harness and does not throw (it is clean-up code)", () => {
    const h = new HarnessProcess(fakeHarness("hang"), { timeoutMs: TIMEOUT_MS });
    h.request("hello");
    const pid = h.pid as number;
    requestStop(15);
    expect(() => h.close()).not.toThrow();
    expect(processExists(pid)).toBe(false);
    expect(h.alive).toBe(false);
  });
});
