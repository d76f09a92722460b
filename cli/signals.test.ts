/**
 * Ctrl-C and SIGTERM stop `check`, in-process and over an external harness: the real command
 * (bin/pcpu-verify.js, which runs `check` in a worker thread and keeps its main thread free
 * for signals) is started as a child process; once it shows it has started, the signal is
 * sent; it must print what it judged (the table, the rest "interrupted by SIG..."), the
 * summary, kill its harnesses and exit 128+N. `--runs 100000` makes the check far longer than
 * any wait here, so the signal always comes during the work. Nothing here measures time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildCHarness, C_HARNESS, fakeHarness, processRuns } from "../impl/external/testing.ts";
import { checkCommand, defaultCheckOptions } from "./checkCommand.ts";
import { bufferedIo } from "./cliIo.ts";

const BIN = fileURLToPath(new URL("../bin/pcpu-verify.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pcpu-verify-signals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => buildCHarness());

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Commands started by a test, with the harness pid file of each: a command a failing test left
 * running is ended (SIGKILL), with its harnesses (still its children then, so their pids are
 * theirs). Nothing is sent to a pid once its command has ended: the pid may be another's.
 */
const started: { child: ChildProcess; pidFile?: string }[] = [];
afterEach(() => {
  for (const { child, pidFile } of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of pidFile !== undefined ? pidsIn(pidFile) : []) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          // ESRCH: gone.
        }
      }
    }
    child.kill("SIGKILL");
  }
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `pcpu-verify ARGS`; `output()` is its standard output so far. */
function start(
  args: readonly string[],
  pidFile?: string,
): {
  child: ChildProcess;
  output: () => string;
  ended: Promise<Ended>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  started.push({ child, ...(pidFile !== undefined ? { pidFile } : {}) });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<Ended>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, output: () => stdout, ended };
}

/** Waits (without a deadline of its own: the test's timeout bounds it) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await pause(20);
}

function pidsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

describe("check stops on a signal", () => {
  it("SIGINT during an in-process check: what was judged, the rest interrupted, exit 130", async () => {
    const run = start([
      ...["check", "--revision", "kiran-2005-09", "--runs", "100000"],
      ...["--out", join(dir, "ce")],
    ]);
    await until(() => run.output().includes("counterexamples go to"));
    run.child.kill("SIGINT");
    const { code, stdout, stderr } = await run.ended;
    expect(code).toBe(130);
    expect(stdout).toMatch(/^ {2}no-overlap\s+not-checked\s+0\s+interrupted by SIGINT$/m);
    expect(stdout).toMatch(/\nsummary\n/);
    expect(stdout).toMatch(
      /INTERRUPTED by SIGINT: \d+ of \d+ \(target, invariant\) units? not judged \(exit 130\)/,
    );
    // Not a terminal: no progress line.
    expect(stderr).toBe("");
  }, 120_000);

  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} during check --external: the harness is killed, exit ${code}`, async () => {
      const pidFile = join(dir, `pids-${signal}`);
      // The harness writes its pid (sh execs it, keeping the pid) and then runs for long.
      const harness = `sh -c 'echo $$ >> ${pidFile}; exec ${C_HARNESS}'`;
      const run = start(
        [
          ...["check", "--external", harness, "--runs", "100000"],
          ...["--out", join(dir, "ce"), "--json"],
        ],
        pidFile,
      );
      await until(() => pidsIn(pidFile).length > 0);
      run.child.kill(signal);
      const ended = await run.ended;
      expect(ended.code).toBe(code);
      const json = JSON.parse(ended.stdout) as {
        results: { status: string; reason?: string }[];
        interrupted_by: string;
        exit_code: number;
      };
      expect(json.interrupted_by).toBe(signal);
      expect(json.exit_code).toBe(code);
      expect(
        json.results.filter(
          (r) => r.status === "not-checked" && r.reason === `interrupted by ${signal}`,
        ).length,
      ).toBeGreaterThan(0);
      // Killed with their process groups, then reaped by init: wait for that, bounded by the
      // test's timeout, not by a clock of ours.
      for (const pid of pidsIn(pidFile)) await until(() => !processRuns(pid));
      for (const pid of pidsIn(pidFile)) expect(processRuns(pid)).toBe(false);
    }, 120_000);
  }
});

describe("check stops on a signal even while a harness does not answer", () => {
  it("SIGINT while waiting for an answer that never comes: exit 130, the harness killed", async () => {
    const pidFile = join(dir, "pids-hang");
    // A harness that never answers boot; the wait for it would last 10 minutes.
    const harness = `sh -c "echo \\$\\$ >> ${pidFile}; exec ${fakeHarness("hang")}"`;
    const run = start(
      [
        ...["check", "--external", harness, "--harness-timeout", "600000"],
        ...["--out", join(dir, "ce")],
      ],
      pidFile,
    );
    await until(() => pidsIn(pidFile).length > 0);
    run.child.kill("SIGINT");
    const ended = await run.ended;
    expect(ended.code).toBe(130);
    for (const pid of pidsIn(pidFile)) await until(() => !processRuns(pid));
    for (const pid of pidsIn(pidFile)) expect(processRuns(pid)).toBe(false);
  }, 120_000);
});

describe("check's progress", () => {
  it("on a terminal, a status line on standard error: target, round, runs, elapsed", () => {
    const buffered = bufferedIo();
    const code = checkCommand(
      {
        ...defaultCheckOptions(),
        revision: ["kiran-2005-09"],
        invariant: ["no-overlap"],
        runs: 3,
        maxCommands: 5,
        model: false,
        out: join(dir, "progress"),
      },
      { out: buffered.out, err: buffered.err, interactive: true },
    );
    expect(code).toBe(0);
    const erase = "\r\u001b[K";
    const shown = buffered
      .stderr()
      .split(erase)
      .filter((l) => l !== "");
    expect(shown[0]).toMatch(/^check: target 1\/1 kiran-2005-09, round 1, \d+ runs?, \d+ ms$/);
    expect(buffered.stderr().startsWith(erase)).toBe(true);
    // Cleared before the results are printed; the results themselves carry no escape.
    expect(buffered.stderr().endsWith(erase)).toBe(true);
    expect(buffered.stdout()).not.toContain("\u001b");
  });

  it("not on a terminal: nothing on standard error", () => {
    const io = bufferedIo();
    checkCommand(
      {
        ...defaultCheckOptions(),
        revision: ["kiran-2005-09"],
        invariant: ["no-overlap"],
        runs: 3,
        maxCommands: 5,
        model: false,
        out: join(dir, "progress"),
      },
      io,
    );
    expect(io.stderr()).toBe("");
  });
});
