import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REVISIONS } from "../../impl/revisions/index.ts";
import { MUTATION_TARGETS, mutateGlobs } from "./mutationTargets.ts";

const ROOT = join(import.meta.dirname, "../..");

/** The files a positive glob names: a file, or `dir/*.ts` (the only forms the table uses). */
function filesOf(glob: string): string[] {
  if (!glob.includes("*")) return existsSync(join(ROOT, glob)) ? [glob] : [];
  const dir = glob.slice(0, glob.lastIndexOf("/"));
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `${dir}/${f}`);
}

describe("npm run mutation's targets", () => {
  it("every revision and the machine, nothing else", () => {
    expect(Object.keys(MUTATION_TARGETS).sort()).toEqual(
      [...REVISIONS.map((r) => r.id), "machine"].sort(),
    );
  });

  it("every file a target names exists, and no test file is mutated", () => {
    for (const globs of Object.values(MUTATION_TARGETS)) {
      const excluded = new Set(globs.filter((g) => g.startsWith("!")).map((g) => g.slice(1)));
      for (const g of globs.filter((x) => !x.startsWith("!"))) {
        const files = filesOf(g).filter((f) => !excluded.has(f));
        expect(files.length, g).toBeGreaterThan(0);
        if (files.some((f) => f.endsWith(".test.ts"))) expect(globs).toContain("!**/*.test.ts");
      }
    }
  });

  it("a bad or missing target is refused with the valid ones named", () => {
    expect(() => mutateGlobs("legacy")).toThrow(
      "mutation: unknown target 'legacy': expected one of legacy-2.6.10, kiran-2005-01",
    );
    expect(() => mutateGlobs(undefined)).toThrow("give a target, one of legacy-2.6.10");
    expect(mutateGlobs("machine")).toEqual(["impl/machine/*.ts", "!**/*.test.ts"]);
  });
});
