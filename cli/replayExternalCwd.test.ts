/**
 * A counterexample file of an external harness replays from any folder: the file records the
 * harness command as given and the folder it was given in (`target.cwd`), and `replay` starts
 * the harness there. The file is named after the harness program, not its path.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readCounterexample } from "../properties/index.ts";
import type { CheckJson } from "./checkCommand.ts";
import { runCli, type CliRun } from "./testing.ts";

const FAKE = fileURLToPath(new URL("../impl/external/fixtures/fakeHarness.mjs", import.meta.url));
const root = realpathSync(mkdtempSync(join(tmpdir(), "pcpu-verify-cwd-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI with `dir` as the working directory (restored afterwards). */
async function runIn(dir: string, ...args: string[]): Promise<CliRun> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await runCli(...args);
  } finally {
    process.chdir(before);
  }
}

describe("replay of an external target's file from another folder", () => {
  it("runs the recorded command in the folder it was given in", async () => {
    const here = join(root, "project");
    const elsewhere = join(root, "elsewhere");
    mkdirSync(join(here, "harness"), { recursive: true });
    mkdirSync(elsewhere);
    copyFileSync(FAKE, join(here, "harness", "fake.mjs"));
    // A relative path: it means something only in `here`. The harness answers boot with a
    // line that is not JSON (a protocol error); started elsewhere, node would find no script
    // and the harness would crash instead.
    const command = `'${process.execPath}' harness/fake.mjs nonjson`;
    const out = join(root, "out");
    const run = await runIn(
      here,
      "check",
      "--external",
      command,
      "--no-model",
      "--out",
      out,
      "--json",
    );
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout) as CheckJson;
    const file = json.results.find((r) => r.counterexample !== undefined)?.counterexample?.file;
    expect(file).toBeDefined();
    expect(basename(file as string)).toBe(
      `ext-${basename(process.execPath)}-fake.mjs-nonjson--protocol-error.json`,
    );
    const ce = readCounterexample(file as string);
    expect(ce.target).toMatchObject({ kind: "external", command, cwd: here });

    const replay = await runIn(elsewhere, "replay", file as string);
    expect(replay.stderr).toBe("");
    expect(replay.code).toBe(3);
    expect(replay.stdout).toContain("the harness failure reproduces: protocol-error");

    // --external is a command given here: it runs here, not in the recorded folder.
    copyFileSync(FAKE, join(elsewhere, "other.mjs"));
    const other = `'${process.execPath}' other.mjs nonjson`;
    const overridden = await runIn(elsewhere, "replay", file as string, "--external", other);
    expect(overridden.code).toBe(3);
    expect(overridden.stdout).toContain("the harness failure reproduces: protocol-error");

    // A recorded folder that no longer exists: the command runs in the working directory.
    const moved = join(root, "moved.json");
    const text = readFileSync(file as string, "utf8");
    writeFileSync(moved, text.replace(JSON.stringify(here), JSON.stringify(join(root, "gone"))));
    expect(readCounterexample(moved).target.cwd).toBe(join(root, "gone"));
    const fromHere = await runIn(here, "replay", moved);
    expect(fromHere.code).toBe(3);
    expect(fromHere.stdout).toContain("the harness failure reproduces: protocol-error");
  });
});
