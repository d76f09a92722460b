/**
 * Test helpers for external harnesses: building the C example harness, the fake harnesses of
 * fixtures/, and whether a process still exists.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const C_HARNESS_DIR = fileURLToPath(new URL("../../examples/c-harness/", import.meta.url));
export const C_HARNESS = `${C_HARNESS_DIR}build/pcpu-harness`;
export const C_HARNESS_BUG = `${C_HARNESS_DIR}build/pcpu-harness-bug`;

/** `make -C examples/c-harness`: both builds (the correct one and the seeded bug). */
export function buildCHarness(): void {
  execFileSync("make", ["-C", C_HARNESS_DIR], { stdio: "pipe" });
}

/** The command line of a fake harness in MODE (fixtures/fakeHarness.mjs). */
export function fakeHarness(mode: string): string {
  const script = fileURLToPath(new URL("./fixtures/fakeHarness.mjs", import.meta.url));
  return `'${process.execPath}' '${script}' ${mode}`;
}

/** Whether a process with this id exists (kill(pid, 0) does not fail with ESRCH). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Whether a process runs: exists and is not a zombie. For a grandchild of the suite: once its
 * parent (the harness) is killed it is reaped by init, not by us, which may take a moment.
 */
export function processRuns(pid: number): boolean {
  if (!processExists(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
