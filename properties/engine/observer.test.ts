/**
 * The observers' reused page buffers (Observer with a PagePool, over an allocator's
 * `readInto`) against fresh reads (`read`, the allocator's `readInto` hidden) on fixed-seed
 * checks: the same verdicts, steps and counterexamples, on revisions and on a mutant that
 * corrupts memory (caught by integrity, whose page compares read through the pool).
 */
import { describe, expect, it } from "vitest";
import type { PercpuAllocator } from "../../impl/index.ts";
import { checkTarget, findInvariant, findTarget, type Invariant, type Target } from "../index.ts";

/** The same target, its allocators without `readInto` (every page read is a new array). */
function withoutReadInto(target: Target): Target {
  return {
    ...target,
    create: () => {
      const a = target.create();
      return new Proxy(a, {
        get: (t, key) => (key === "readInto" ? undefined : (Reflect.get(t, key, t) as unknown)),
      }) as PercpuAllocator;
    },
  };
}

function outcome(target: Target, invariants?: readonly Invariant[]) {
  const report = checkTarget(target, {
    seed: 20051,
    runs: 60,
    maxCommands: 60,
    model: false,
    ...(invariants !== undefined ? { invariants } : {}),
  });
  return {
    commands: report.commands,
    results: report.results.map((r) => ({
      invariant: r.invariant,
      status: r.status,
      message: r.counterexample?.message,
      steps: r.counterexample?.steps,
    })),
  };
}

describe("reused page buffers", () => {
  it.each(["bitmap-2017", "kiran-2005-09", "kiran-zero-past-object"])(
    "%s: the same check with and without readInto",
    (id) => {
      const target = findTarget(id) as Target;
      expect(target.create().readInto).toBeTypeOf("function");
      const invariants =
        target.kind === "mutant" ? [findInvariant("integrity") as Invariant] : undefined;
      const pooled = outcome(target, invariants);
      expect(outcome(withoutReadInto(target), invariants)).toEqual(pooled);
      if (target.kind === "mutant") expect(pooled.results[0]?.status).toBe("fail");
    },
  );
});
