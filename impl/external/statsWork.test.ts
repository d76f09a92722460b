/**
 * `stats`'s `work` extension (docs/protocol.md): the counts a harness keeps of its allocator's
 * work. Optional; when given, whole numbers >= 0, kernel_ns optional within it.
 */
import { describe, expect, it } from "vitest";
import { describeIssue, statsAnswer } from "./protocolSchemas.ts";

const STATS = {
  pages_by_node: [1],
  unit_bytes: 0,
  meta_bytes: 0,
  vm_bytes: 0,
  mem_refs_per_deref: 1,
};

function problem(extra: Record<string, unknown>): string {
  const r = statsAnswer.safeParse({ ...STATS, ...extra });
  return r.success ? "ok" : describeIssue(r.error);
}

describe("stats: the work extension", () => {
  it("is optional, and kernel_ns within it", () => {
    expect(problem({})).toBe("ok");
    expect(problem({ work: { bitmap_calls: 3, bitmap_words: 7 } })).toBe("ok");
    expect(problem({ work: { bitmap_calls: 3, bitmap_words: 7, kernel_ns: 120 } })).toBe("ok");
  });

  it("refuses a negative or missing count, naming the field", () => {
    expect(problem({ work: { bitmap_calls: -1, bitmap_words: 7 } })).toMatch(
      /^field work\.bitmap_calls: /,
    );
    expect(problem({ work: { bitmap_calls: 1 } })).toMatch(/^field work\.bitmap_words: /);
    expect(problem({ work: { bitmap_calls: 1, bitmap_words: 2, kernel_ns: 0.5 } })).toMatch(
      /^field work\.kernel_ns: /,
    );
  });
});
