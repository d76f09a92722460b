/**
 * The .mut headers the kill matrix reads: `breaks:` is a comma-separated list of black-box
 * invariant ids and an optional (reason), `args:` the harness's arguments; unknown headers are
 * ignored; an unknown or white-box id is an error naming the file and the id. Every mutation of
 * harnesses/linux/mutations must read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findLinuxTree, kernelVersion, missingTreeReason } from "./linuxTrees.ts";
import { parseMutation, readLinuxMutations } from "./mutationFile.ts";

const BODY = ["--- pattern", "\tx = 1;", "--- replacement", "\tx = 2;", "--- end", ""];

function mut(...headers: string[]): string {
  return [...headers, ...BODY].join("\n");
}

describe(".mut headers", () => {
  it("reads breaks as ids and a reason, args as words, and ignores other headers", () => {
    const m = parseMutation(
      "a.mut",
      mut(
        "title: percpu: a fix",
        "commit: 0123456789ab",
        "breaks: integrity, zero-on-alloc (a stale page: read, and its bytes not zero)",
        "args: --small-unit --static-size 2097152",
        "file: mm/percpu.c",
        "why: one line",
        "why: another",
        "severity: whatever a later header says",
      ),
    );
    expect(m).toMatchObject({
      id: "a",
      title: "percpu: a fix",
      commit: "0123456789ab",
      breaks: ["integrity", "zero-on-alloc"],
      reason: "a stale page: read, and its bytes not zero",
      args: ["--small-unit", "--static-size", "2097152"],
      file: "mm/percpu.c",
      patterns: ["\tx = 1;"],
    });
    const bare = parseMutation(
      "b.mut",
      mut("title: t", "breaks: completeness", "file: mm/percpu.c"),
    );
    expect(bare).toMatchObject({ breaks: ["completeness"], reason: undefined, args: [] });
    expect(bare.commit).toBeUndefined();
  });

  it("refuses an unknown invariant, a white-box one, an empty id and a missing header, naming the file", () => {
    const parse = (breaks: string) => () =>
      parseMutation("m/x.mut", mut("title: t", breaks, "file: mm/percpu.c"));
    expect(parse("breaks: integrity, no-such-thing (why)")).toThrow(
      /^m\/x\.mut: breaks: unknown invariant "no-such-thing"; valid: no-overlap, /,
    );
    expect(parse("breaks: no-overlap and integrity (free text)")).toThrow(
      /m\/x\.mut: breaks: unknown invariant "no-overlap and integrity"/,
    );
    expect(parse("breaks: bitmap-populated")).toThrow(
      /m\/x\.mut: breaks: "bitmap-populated" is a white-box invariant \(of bitmap-2017\)/,
    );
    expect(parse("breaks: integrity,, completeness")).toThrow(
      /m\/x\.mut: breaks: .* empty invariant id/,
    );
    expect(parse("commit: none")).toThrow(/^m\/x\.mut: no "breaks:" header$/);
    expect(() =>
      parseMutation("y.mut", "title: t\nbreaks: integrity\nfile: mm/percpu.c\n"),
    ).toThrow(/^y\.mut: no "--- pattern" block$/);
  });

  it("reads every mutation of harnesses/linux/mutations, each naming what breaks", () => {
    const mutations = readLinuxMutations();
    expect(mutations.map((m) => m.id)).toEqual(
      expect.arrayContaining([
        "clean-up-all-mappings-when-map-pages-fails",
        "flush-tlb-in-reclaim-populated",
      ]),
    );
    for (const m of mutations) {
      expect(m.breaks.length, m.id).toBeGreaterThan(0);
      expect(m.patterns.length, m.id).toBeGreaterThan(0);
    }
  });
});

describe("Linux trees", () => {
  it("takes PCPU_LINUX_KSRC_6_1 over the cache, reads the version from the Makefile, and says how to get a tree", () => {
    const dir = mkdtempSync(join(tmpdir(), "pcpu-tree-"));
    try {
      const env = { PCPU_LINUX_KSRC_6_1: dir, PCPU_LINUX_CACHE: join(dir, "cache") };
      expect(findLinuxTree("6.1", env)).toBeUndefined();
      expect(missingTreeReason("6.1", env)).toBe(
        `PCPU_LINUX_KSRC_6_1=${dir} holds no mm/percpu.c and Makefile; get one with scripts/fetch-linux-source.sh 6.1, or set PCPU_LINUX_KSRC_6_1=DIR`,
      );
      expect(missingTreeReason("6.12", env)).toMatch(
        /^no linux 6\.12 tree in .*cache\/6\.12; get one with scripts\/fetch-linux-source\.sh 6\.12/,
      );
      writeFileSync(
        join(dir, "Makefile"),
        "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n",
      );
      expect(kernelVersion(dir)).toBe("6.1.192");
      mkdirSync(join(dir, "mm"));
      writeFileSync(join(dir, "mm", "percpu.c"), "");
      expect(findLinuxTree("6.1", env)).toEqual({ version: "6.1", dir, kernel: "6.1.192" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
