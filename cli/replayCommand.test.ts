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
        "returned",
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

  describe("what each step returned, as the kernel would print it", () => {
    const commands = [
      { op: "alloc", size: 0, align: 4, as: "o1" },
      { op: "write", addr: "0x10", hex: "ab" },
      { op: "fail_page_alloc", after: 0, count: 1 },
      { op: "alloc", size: 4, align: 4, as: "o2" },
      { op: "alloc", size: 4, align: 4, as: "o3" },
      { op: "ptr", obj: "o3", cpu: 1 },
      { op: "write", obj: "o3", cpu: 1, offset: 0, hex: "ab" },
      { op: "cpu_down", cpu: 1 },
      { op: "cpu_down", cpu: 0 },
      { op: "free", obj: "o3" },
      { op: "free", obj: "o3" },
    ];
    const returns = (ptr: string, copy: string) => [
      "-EINVAL", // size 0
      "-EFAULT", // nothing is mapped there
      "0",
      "-ENOMEM", // the injected page-allocation failure
      ptr,
      copy,
      "0",
      "0",
      "-EINVAL", // the last online CPU
      "0",
      "-EINVAL", // a double free
    ];
    const write = () => {
      const path = join(out, "returns.json");
      writeFileSync(
        path,
        JSON.stringify({
          schema: 1,
          target: { kind: "revision", id: "kiran-2005-09" },
          invariant: "no-overlap",
          message: "",
          expect: "pass",
          topology: {
            ...{ nr_cpus: 8, possible: [0, 1], present: [0, 1], online: [0, 1] },
            ...{ cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0], nr_nodes: 1, page_size: 4096 },
          },
          commands,
        }),
      );
      return path;
    };

    it("in the trace: -> 0x..., -> 0, -> -ENOMEM, -> -EINVAL, -> -EFAULT", async () => {
      const run = await runCli("replay", write());
      expect(run.code).toBe(0);
      const lines = run.stdout.split("\n").filter((l) => /^ {0,2}\d+ {2}/.test(l));
      const ptr = /alloc\(4, 4\) -> o3 = (0x[0-9a-f]+)$/.exec(lines[4] ?? "")?.[1] ?? "none";
      const copy = /ptr\(o3, cpu 1\) -> (0x[0-9a-f]+)$/.exec(lines[5] ?? "")?.[1] ?? "none";
      expect(run.stdout).toContain(`o3 = ${ptr}: cpu0 ${ptr}, cpu1 ${copy}`);
      expect(lines.map((l) => l.trim())).toEqual([
        "0  alloc(0, 4) -> -EINVAL",
        "1  write(0x10, 1 bytes 0xab) -> -EFAULT",
        "2  fail_page_alloc(after 0, count 1) -> 0",
        "3  alloc(4, 4) -> -ENOMEM",
        `4  alloc(4, 4) -> o3 = ${ptr}`,
        `5  ptr(o3, cpu 1) -> ${copy}`,
        "6  write(o3@cpu1+0, 1 bytes 0xab) -> 0",
        "7  cpu_down(1) -> 0",
        "8  cpu_down(0) -> -EINVAL",
        "9  free(o3) -> 0",
        "10  free(o3) -> -EINVAL",
      ]);
    });

    it("in --json: a returned field per step", async () => {
      const run = await runCli("replay", write(), "--json");
      expect(run.code).toBe(0);
      const json = JSON.parse(run.stdout) as ReplayJson;
      const o3 = json.steps[4]?.live.find((o) => o.name === "o3");
      expect(json.steps.map((s) => s.returned)).toEqual(
        returns(o3?.ptr ?? "none", o3?.copies["1"] ?? "none"),
      );
    });

    it("the step that breaks the invariant shows its return too", async () => {
      const run = await runCli("replay", file);
      const broke = run.stdout.split("\n").findIndex((l) => l.includes("breaks here"));
      const head = run.stdout
        .split("\n")
        .slice(0, broke)
        .reverse()
        .find((l) => /^ {0,2}\d+ {2}/.test(l));
      expect(head).toMatch(/ (-> -?[A-Z0-9]+|= 0x[0-9a-f]+|-> 0x[0-9a-f]+|-> 0)$/);
    });
  });

  it("a step where the allocator raised shows it, from the session's log", async () => {
    // kiran-stale-page-pointer: a failed page allocation leaves a stale page pointer, and the
    // next allocation touches it. Expect the breaking step to read "raised", not a value.
    const run = await runCli(
      "replay",
      join("counterexamples", "kiran-stale-page-pointer--no-oops.json"),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ +0 {2}fail_page_alloc\(after \d+, count 1\) -> 0$/m);
    expect(run.stdout).toMatch(/^ +1 {2}alloc\(\d+, \d+\) -> raised [A-Za-z]+$/m);
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
