/**
 * The real-kernel rows of the kill matrix: every mutation of harnesses/linux/mutations on every
 * kernel version, with the tree found for it (or why there is none), and what building and
 * checking it takes: the pattern's presence in the tree, and the make command.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  findLinuxTree,
  LINUX_HARNESS_DIR,
  LINUX_VERSIONS,
  missingTreeReason,
  type LinuxTree,
} from "./linuxTrees.ts";
import { readLinuxMutations, type LinuxMutation } from "./mutationFile.ts";

/** The prefix of a real-kernel mutation's id in the kill matrix: linux-flush-tlb-in-reclaim-populated. */
export const LINUX_MUTANT_PREFIX = "linux-";

/** One mutation on one kernel version. */
export interface LinuxMutant {
  /** `linux-` and the .mut's id; the same on every version (the revision tells them apart). */
  readonly id: string;
  readonly mutation: LinuxMutation;
  readonly version: string;
  /** The tree, or undefined (then `missing` says why and how to get one). */
  readonly tree: LinuxTree | undefined;
  readonly missing: string | undefined;
  /** `linux-` and the tree's kernel version (linux-6.12.117), or the version without a tree. */
  readonly revision: string;
  /** The fix it undoes and its commit. */
  readonly source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every mutation on every version, mutation by mutation. A .mut file that cannot be read as
 * one throws MutationFileError (before any work).
 */
export function linuxMutants(
  mutations: readonly LinuxMutation[] = readLinuxMutations(),
  env: Env = process.env,
): LinuxMutant[] {
  const trees = LINUX_VERSIONS.map((version) => ({ version, tree: findLinuxTree(version, env) }));
  return mutations.flatMap((mutation) =>
    trees.map(({ version, tree }) => ({
      id: `${LINUX_MUTANT_PREFIX}${mutation.id}`,
      mutation,
      version,
      tree,
      missing: tree === undefined ? missingTreeReason(version, env) : undefined,
      revision: `linux-${tree?.kernel ?? version}`,
      source: mutation.commit ? `${mutation.title}; ${mutation.commit}` : mutation.title,
    })),
  );
}

/** Why the mutation does not apply to the tree (a pattern not in its file), or undefined. */
export function notApplicable(mutation: LinuxMutation, tree: LinuxTree): string | undefined {
  const path = join(tree.dir, mutation.file);
  if (!existsSync(path)) return `not applicable: ${tree.kernel} has no ${mutation.file}`;
  const text = readFileSync(path, "utf8");
  const missing = mutation.patterns.findIndex((p) => !text.includes(p));
  if (missing < 0) return undefined;
  const which = mutation.patterns.length > 1 ? ` ${missing + 1}` : "";
  return `not applicable: pattern${which} not found in ${tree.kernel}`;
}

/** Where `make ... BUILD=build/VERSION MUTATION=ID` puts the mutant's harness. */
export function linuxMutantBinary(m: LinuxMutant): string {
  return join(LINUX_HARNESS_DIR, "build", m.version, `pcpu-linux-${m.mutation.id}`);
}

/**
 * Builds the mutant's harness (`make -C harnesses/linux -j1 KSRC=TREE BUILD=build/VERSION
 * MUTATION=ID`; up to date, it returns at once): its path, or why the build failed.
 */
export function buildLinuxMutant(
  m: LinuxMutant & { tree: LinuxTree },
): { bin: string } | { error: string } {
  const args = [
    "-C",
    LINUX_HARNESS_DIR,
    "-j1",
    `KSRC=${m.tree.dir}`,
    `BUILD=build/${m.version}`,
    `MUTATION=${m.mutation.id}`,
  ];
  const run = spawnSync("make", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (run.error !== undefined) {
    const missing = (run.error as NodeJS.ErrnoException).code === "ENOENT";
    return { error: missing ? "the tool 'make' is missing" : `make: ${run.error.message}` };
  }
  if (run.status !== 0) {
    // make's own "*** [...] Error 2" says less than the line before it.
    const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
    const line = lines.filter((l) => !/^make(\[\d+\])?: \*\*\*/.test(l)).pop() ?? lines.pop();
    return {
      error: `build failed (make ${args.slice(2).join(" ")}): ${line ?? `exit ${run.status}`}`,
    };
  }
  return { bin: linuxMutantBinary(m) };
}

/** The harness command line: the binary, then the .mut's `args:`, quoted for splitShellWords. */
export function linuxMutantCommand(bin: string, args: readonly string[]): string {
  const quote = (w: string) => (/^[\w./=:,+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return [bin, ...args].map(quote).join(" ");
}
