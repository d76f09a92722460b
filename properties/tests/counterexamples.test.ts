/**
 * Every counterexample file under counterexamples/ (the committed regression corpus) replays on
 * a clean clone with the outcome it records: still failing on its target (expect "fail") or
 * passing once it records a fix (expect "pass"). A malformed file gets an error that names the
 * file and the field. The corpus is not where a user's `check` writes: that goes to check's
 * default `--out`, which git ignores, so a check run in a checkout never changes what this
 * test replays.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_OUT, DEFAULT_SEED } from "../../cli/index.ts";
import {
  counterexampleFileName,
  externalTarget,
  findInvariant,
  findTarget,
  parseCounterexample,
  readCounterexample,
  replayCounterexample,
} from "../index.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const DIR = join(ROOT, "counterexamples");
const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

describe("the corpus and check's output", () => {
  it("check's default --out is another folder, and git ignores it and junit.xml", () => {
    expect(resolve(ROOT, DEFAULT_OUT)).not.toBe(DIR);
    expect(resolve(ROOT, DEFAULT_OUT).startsWith(`${DIR}/`)).toBe(false);
    const ignored = readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n");
    expect(ignored).toContain(`${DEFAULT_OUT}/`);
    expect(ignored).toContain("junit.xml");
    // Nor does `npm run lint` read what a check wrote (its JSON is laid out for people).
    const unformatted = readFileSync(join(ROOT, ".prettierignore"), "utf8").split("\n");
    expect(unformatted).toContain(DEFAULT_OUT);
  });

  it("npm run corpus regenerates this folder at the default seed", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const words = (pkg.scripts.corpus ?? "").split(/\s+/);
    expect(words.slice(0, 3)).toEqual(["node", "bin/pcpu-verify.js", "check"]);
    expect(words[words.indexOf("--out") + 1]).toBe("counterexamples");
    expect(words[words.indexOf("--seed") + 1]).toBe(String(DEFAULT_SEED));
  });
});

describe("counterexample files", () => {
  it("there is at least one per mutant", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)("%s replays with its recorded outcome", (file) => {
    const ce = readCounterexample(join(DIR, file));
    const target = findTarget(ce.target.id);
    expect(target, `target ${ce.target.id}`).toBeDefined();
    const inv = findInvariant(ce.invariant);
    expect(inv, `invariant ${ce.invariant}`).toBeDefined();
    const r = replayCounterexample(ce, target!, inv!);
    if (ce.expect === "fail") {
      expect(r.violation?.invariant).toBe(ce.invariant);
      expect(r.violation?.detail).toBe(ce.message);
    } else {
      expect(r.violation).toBeUndefined();
    }
  });
});

describe("counterexample file names", () => {
  it("a revision or a mutant: <id>--<invariant>.json", () => {
    expect(counterexampleFileName(findTarget("kiran-free-extra-bit")!, "no-overlap")).toBe(
      "kiran-free-extra-bit--no-overlap.json",
    );
  });

  it("an external harness: named after its program and arguments, not their folders", () => {
    const name = (command: string) => counterexampleFileName(externalTarget(command), "no-leak");
    expect(name("/home/me/pcpu-verify/examples/c-harness/build/pcpu-harness-bug")).toBe(
      "ext-pcpu-harness-bug--no-leak.json",
    );
    expect(name("examples/c-harness/build/pcpu-harness")).toBe("ext-pcpu-harness--no-leak.json");
    expect(name("'/usr/bin/node' /opt/h/fake.mjs --mode 'a b'")).toBe(
      "ext-node-fake.mjs-mode-a_b--no-leak.json",
    );
  });
});

describe("malformed counterexample files", () => {
  const good = {
    schema: 1,
    target: { kind: "revision", id: "kiran-2005-09" },
    invariant: "no-overlap",
    message: "m",
    expect: "pass",
    topology: {
      nr_cpus: 8,
      possible: [0],
      present: [0],
      online: [0],
      cpu_to_node: [0, 0, 0, 0, 0, 0, 0, 0],
      nr_nodes: 1,
      page_size: 4096,
    },
    commands: [{ op: "alloc", size: 4, align: 4, as: "o1" }],
  };

  it("accepts a well-formed file", () => {
    expect(parseCounterexample(JSON.stringify(good), "good.json").commands).toHaveLength(1);
  });

  it.each([
    ["not JSON", "{", /bad\.json: not JSON/],
    [
      "a missing field",
      JSON.stringify({ ...good, invariant: undefined }),
      /bad\.json: field invariant/,
    ],
    [
      "an unknown op",
      JSON.stringify({ ...good, commands: [{ op: "explode" }] }),
      /bad\.json: field commands\.0\.op/,
    ],
    [
      "a bad object name",
      JSON.stringify({ ...good, commands: [{ op: "free", obj: "x" }] }),
      /bad\.json: field commands\.0\.obj/,
    ],
    [
      "a string size",
      JSON.stringify({ ...good, commands: [{ op: "alloc", size: "4", align: 4, as: "o1" }] }),
      /bad\.json: field commands\.0\.size/,
    ],
    [
      "a name made twice",
      JSON.stringify({ ...good, commands: [good.commands[0], good.commands[0]] }),
      /bad\.json: field commands\.1\.as: o1 is made twice/,
    ],
    [
      "a free of an object no step makes",
      JSON.stringify({ ...good, commands: [good.commands[0], { op: "free", obj: "o9" }] }),
      /bad\.json: field commands\.1: step 1, free\(o9\), names o9, which no earlier step makes/,
    ],
    [
      "a write to an object made only later",
      JSON.stringify({
        ...good,
        commands: [{ op: "write", obj: "o1", cpu: 0, offset: 0, hex: "ab" }, good.commands[0]],
      }),
      /bad\.json: field commands\.0: step 0, write\(o1@cpu0\+0, 1 bytes 0xab\), names o1, which no earlier step makes/,
    ],
    [
      "a ptr of an object no step makes",
      JSON.stringify({ ...good, commands: [{ op: "ptr", obj: "o2", cpu: 0 }] }),
      /bad\.json: field commands\.0: step 0, ptr\(o2, cpu 0\), names o2/,
    ],
    [
      "a bad topology",
      JSON.stringify({ ...good, topology: { ...good.topology, possible: "all" } }),
      /bad\.json: field topology\.possible/,
    ],
    [
      "an online CPU that is not present",
      JSON.stringify({ ...good, topology: { ...good.topology, online: [0, 5] } }),
      /^bad\.json: field topology\.online: online CPU 5 is not present \(online ⊆ present\)$/,
    ],
    [
      "a present CPU that is not possible",
      JSON.stringify({ ...good, topology: { ...good.topology, present: [0, 3] } }),
      /^bad\.json: field topology\.present: present CPU 3 is not possible \(present ⊆ possible\)$/,
    ],
    [
      "a CPU at or above nr_cpus",
      JSON.stringify({ ...good, topology: { ...good.topology, possible: [0, 8] } }),
      /^bad\.json: field topology\.possible: possible holds 8, expected CPU numbers 0\.\.7/,
    ],
    ["a wrong schema", JSON.stringify({ ...good, schema: 2 }), /bad\.json: field schema/],
  ])("names the file and the field for %s", (_what, text, pattern) => {
    expect(() => parseCounterexample(text, "bad.json")).toThrow(pattern);
  });
});

describe("machine-event counterexamples", () => {
  it("a replay has an answer for every step that ran, the breaking one included", () => {
    const ce = readCounterexample(join(DIR, "kiran-release-on-reclaim--refinement.json"));
    const target = findTarget(ce.target.id)!;
    const r = replayCounterexample(ce, target, findInvariant(ce.invariant)!, undefined, "f");
    expect(r.violation?.invariant).toBe("refinement");
    expect([...r.returned.keys()]).toEqual(r.ran);
    expect(r.returned.get(0)).toMatch(/^0x[0-9a-f]+$/); // alloc(4096, 8)
    expect(r.returned.get(1)).toBe("0"); // free(o1), where refinement breaks
  });

  it("an event list that is not a path of the model is refused, naming the field", () => {
    const file = join(DIR, "kiran-release-on-reclaim--refinement.json");
    const ce = readCounterexample(file);
    // Freeing from a full block before anything was allocated: the machine never offers it.
    const bad = {
      ...ce,
      machine_events: [{ type: "obj.free" as const, from: "fullWhole" as const }],
    };
    expect(() =>
      replayCounterexample(
        bad,
        findTarget(ce.target.id)!,
        findInvariant(ce.invariant)!,
        undefined,
        "bad.json",
      ),
    ).toThrow(/bad\.json: field machine_events: event 0 .* is not offered/);
  });
});
