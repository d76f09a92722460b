/**
 * A harness's declared rules judged end to end: the C example harness behind
 * fixtures/ruleHarness.mjs keeps a spare chunk as the real kernel does, or raises alignments
 * below 4 to 4, and says so in hello or not. Declared, no-leak (within the bound) and
 * bad-input pass; undeclared, the strict judgement of today stands and they fail.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkTarget,
  externalTarget,
  findInvariant,
  type ExternalTarget,
  type Invariant,
} from "../../properties/index.ts";
import { buildCHarness, C_HARNESS, ruleHarness } from "./testing.ts";

/** An answer timeout far above what a loaded machine needs: no outcome depends on speed. */
const ANSWERS_MS = 60_000;

let target: ExternalTarget | undefined;
beforeAll(() => buildCHarness());
afterEach(() => target?.close());
afterAll(() => target?.close());

/** The status and message of one invariant on the harness with these flags. */
function judge(invariant: string, runs: number, ...flags: string[]) {
  target = externalTarget(ruleHarness(C_HARNESS, ...flags), { timeoutMs: ANSWERS_MS });
  const inv = findInvariant(invariant) as Invariant;
  const report = checkTarget(target, {
    seed: 20051,
    runs,
    maxCommands: 60,
    model: false,
    invariants: [inv],
  });
  const r = report.results.find((x) => x.invariant === invariant);
  return {
    status: r?.status,
    message: r?.counterexample?.message ?? "",
    last: r?.counterexample?.steps.at(-1),
  };
}

describe("a declared retained pool", () => {
  it("a spare chunk kept and not declared: no-leak fails", () => {
    const r = judge("no-leak", 10, "--spare", "1");
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/pages went from \[node 0: 0\] to \[node 0: \d+\]/);
  });

  it("the same spare chunk declared as the pool: no-leak passes", () => {
    expect(judge("no-leak", 10, "--spare", "1", "--declare-pool").status).toBe("pass");
  });

  it("two chunks kept where one is declared: no-leak fails past the bound", () => {
    const r = judge("no-leak", 10, "--spare", "2", "--declare-pool");
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/more, above the \d+ the retained pool may hold/);
  });
});

describe("a declared min_align", () => {
  it("alignments below 4 raised and not declared: bad-align fails on align 3", () => {
    const r = judge("bad-align", 200, "--raise-align");
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/align 3 is not a power of two: expected EINVAL, got ok/);
  });

  it("the same declared as min_align 4: bad-align passes, and 6, 12, ... are still refused", () => {
    expect(judge("bad-align", 200, "--raise-align", "--declare-min-align").status).toBe("pass");
  });

  it("declared but not done (align 3 refused): completeness fails", () => {
    const r = judge("completeness", 200, "--declare-min-align");
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/a valid alloc failed with EINVAL/);
    // The valid request refused is one the declaration raises: align 0 or 3 (1 and 2 are served).
    expect(r.last).toMatchObject({ op: "alloc" });
    expect([0, 3]).toContain((r.last as { align: number }).align);
  });

  it("raised and declared: alignment judges the copies against 4, and passes", () => {
    expect(judge("alignment", 200, "--raise-align", "--declare-min-align").status).toBe("pass");
  });
});
