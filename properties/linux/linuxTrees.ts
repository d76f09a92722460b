/**
 * Where the Linux trees of the real-kernel harness (harnesses/linux) are: for each version,
 * `PCPU_LINUX_KSRC_6_12` / `PCPU_LINUX_KSRC_6_1` if set, else `VERSION` under the cache folder
 * that scripts/fetch-linux-source.sh fills (`PCPU_LINUX_CACHE`, default `.cache/linux` of the
 * checkout). One lookup, used by the kill matrix and by harnesses/linux/linux.test.ts, so that
 * both judge the same trees.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout this file belongs to. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** harnesses/linux of the checkout: its Makefile, mutations/ and build/. */
export const LINUX_HARNESS_DIR = join(REPO_ROOT, "harnesses", "linux");

/** The kernel versions the harness is built from (the Debian packages linux-source-VERSION). */
export const LINUX_VERSIONS: readonly string[] = ["6.12", "6.1"];

export interface LinuxTree {
  /** The version it was looked up as: "6.12", "6.1". */
  readonly version: string;
  readonly dir: string;
  /** VERSION.PATCHLEVEL.SUBLEVEL of the tree's Makefile, e.g. "6.12.117". */
  readonly kernel: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variable that names VERSION's tree: PCPU_LINUX_KSRC_6_12. */
export function linuxTreeVariable(version: string): string {
  return `PCPU_LINUX_KSRC_${version.replace(/\./g, "_")}`;
}

/** The folder VERSION's tree is looked for in: the variable's, else the cache's. */
function treeDir(version: string, env: Env): string {
  const cache = env.PCPU_LINUX_CACHE ?? join(REPO_ROOT, ".cache", "linux");
  return env[linuxTreeVariable(version)] ?? join(cache, version);
}

/** VERSION's tree, or undefined if its folder holds no mm/percpu.c and Makefile. */
export function findLinuxTree(version: string, env: Env = process.env): LinuxTree | undefined {
  const dir = treeDir(version, env);
  if (!existsSync(join(dir, "mm", "percpu.c")) || !existsSync(join(dir, "Makefile"))) {
    return undefined;
  }
  return { version, dir, kernel: kernelVersion(dir) };
}

/** Why VERSION has no tree, and how to get one: one line. */
export function missingTreeReason(version: string, env: Env = process.env): string {
  const variable = linuxTreeVariable(version);
  const dir = treeDir(version, env);
  const where =
    env[variable] !== undefined
      ? `${variable}=${env[variable]} holds no mm/percpu.c and Makefile`
      : `no linux ${version} tree in ${dir}`;
  return `${where}; get one with scripts/fetch-linux-source.sh ${version}, or set ${variable}=DIR`;
}

/** VERSION.PATCHLEVEL.SUBLEVEL from a tree's Makefile ("?" for a field it lacks). */
export function kernelVersion(dir: string): string {
  const text = readFileSync(join(dir, "Makefile"), "utf8");
  const field = (name: string) => new RegExp(`^${name} = (\\d+)`, "m").exec(text)?.[1] ?? "?";
  return `${field("VERSION")}.${field("PATCHLEVEL")}.${field("SUBLEVEL")}`;
}
