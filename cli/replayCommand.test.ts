import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckJson } from "./checkCommand.ts";
import type { ReplayJson } from "./replayCommand.ts";
import { runCli } from "./testing.ts";

const out = mkdtempSync(join(tmpdir(), "pcpu-verify-replay-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

let file = "";
beforeAll(async () => {
  const run = await runCli(
    "check",
    ...["--revision", "kiran-2005-09", "--invariant", "nr-cpus-independence"],
    ...["--runs", "5", "--max-commands", "10", "--no-model", "--out", out, "--json"],
  );
  const json = JSON.parse(run.stdout) as CheckJson;
  file = json.results[0]?.counterexample?.file ?? "";
});

describe("pcpu-verify replay", () => {
  it("replays a file written by check: the violation reproduces, exit 1", async () => {
    const run = await runCli("replay", file);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("kiran-2005-09");
    expect(run.stdout).toMatch(/o1 = 0x[0-9a-f]+: cpu\d+ 0x[0-9a-f]+/);
    expect(run.stdout).toMatch(/present [0-9,-]+; online [0-9,-]+; pages held node0 \d+/);
    expect(run.stdout).toContain("violation reproduces: nr-cpus-independence: ");
  });

  it("--json prints the trace with the state after each step", async () => {
    const run = await runCli("replay", file, "--json");
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as ReplayJson;
    expect(Object.keys(json)).toEqual([
      "file",
      "target",
      "invariant",
      "reproduced",
      "message",
      "steps",
    ]);
    expect(json).toMatchObject({
      file,
      target: "kiran-2005-09",
      invariant: "nr-cpus-independence",
      reproduced: true,
    });
    expect(json.message).toMatch(/NR_CPUS 8/);
    expect(json.steps.length).toBeGreaterThan(0);
    for (const s of json.steps) {
      expect(Object.keys(s)).toEqual([
        "index",
        "step",
        "live",
        "present",
        "online",
        "pages_by_node",
      ]);
      for (const o of s.live) {
        expect(o.ptr).toMatch(/^0x[0-9a-f]+$/);
        for (const addr of Object.values(o.copies)) expect(addr).toMatch(/^0x[0-9a-f]+$/);
      }
    }
  });

  it("exits 0 when the violation no longer happens", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as { commands: unknown[]; expect: string };
    const fixed = join(out, "no-steps.json");
    writeFileSync(fixed, JSON.stringify({ ...json, commands: [], expect: "pass" }));
    const run = await runCli("replay", fixed);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("no violation: the file's expect is pass");
  });

  it("a malformed file: the message names the file and the field, exit 2", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const bad = join(out, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ ...json, topology: { ...(json.topology as object), nr_cpus: "8" } }),
    );
    const run = await runCli("replay", bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toContain("topology.nr_cpus");
  });

  it("a step naming an object no earlier step makes: an error naming the file and the step, exit 2", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as { commands: unknown[] };
    const bad = join(out, "unknown-object.json");
    writeFileSync(
      bad,
      JSON.stringify({ ...json, commands: [...json.commands, { op: "free", obj: "o9" }] }),
    );
    const run = await runCli("replay", bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      `${bad}: field commands.${json.commands.length}: step ${json.commands.length}, free(o9), names o9, which no earlier step makes`,
    );
  });

  it("a topology whose online CPU is not present is refused before boot, naming the field and the CPU", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as { topology: object };
    const bad = join(out, "online-not-present.json");
    const topology = {
      ...json.topology,
      ...{ nr_cpus: 8, nr_nodes: 1, cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0] },
      ...{ possible: [0], present: [0], online: [0, 5] },
    };
    writeFileSync(bad, JSON.stringify({ ...json, topology, commands: [] }));
    const run = await runCli("replay", bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${bad}: field topology.online: online CPU 5 is not present`);
    expect(run.stderr).not.toMatch(/valid|boot/);
  });

  it("a topology the allocator refuses at boot is not called valid", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as { topology: object };
    const bad = join(out, "page-size.json");
    writeFileSync(
      bad,
      JSON.stringify({ ...json, topology: { ...json.topology, page_size: 1000 } }),
    );
    const run = await runCli("replay", bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${bad}: field topology: kiran-2005-09: boot refused the topology`,
    );
    expect(run.stderr).toContain("page_size is 1000");
    expect(run.stderr).not.toContain("valid");
  });

  it("a file that is not JSON, exit 2", async () => {
    const bad = join(out, "not-json.json");
    writeFileSync(bad, "{ nope");
    const run = await runCli("replay", bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toContain("not JSON");
  });

  it("an unknown target or invariant lists the valid ids, exit 2", async () => {
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const target = join(out, "unknown-target.json");
    writeFileSync(target, JSON.stringify({ ...json, target: { kind: "revision", id: "nope" } }));
    const t = await runCli("replay", target);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("target.id");
    expect(t.stderr).toContain("kiran-2005-09");

    const invariant = join(out, "unknown-invariant.json");
    writeFileSync(invariant, JSON.stringify({ ...json, invariant: "nope" }));
    const i = await runCli("replay", invariant);
    expect(i.code).toBe(2);
    expect(i.stderr).toContain("field invariant");
    expect(i.stderr).toContain("no-overlap");
  });

  it("a missing file, exit 2", async () => {
    const missing = join(out, "missing.json");
    const run = await runCli("replay", missing);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(missing);
  });

  it("no file at all is a usage error", async () => {
    const run = await runCli("replay");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("file");
  });
});
