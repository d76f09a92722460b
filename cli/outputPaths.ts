/**
 * Output paths, checked before any work starts, so that a check never runs for an hour and
 * then loses its verdict to a path it cannot write: each problem is a usage error (exit 2)
 * naming the option, the path and what is wrong.
 *
 * A directory (`check --out`, `report --out`) may not exist yet: it is made with its missing
 * parents (as `mkdir -p`), so the nearest part that exists must be a directory we may write
 * in. A file (`check --junit`) goes in a directory that exists; if the file exists it must be
 * a regular file we may write.
 */
import { accessSync, constants, readFileSync, statSync, type Stats } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./usageError.ts";

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    // ENOTDIR: a part of the path is a file; the caller finds which.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws a `UsageError` unless `path` is a directory we can write in, or can be made. */
export function checkOutputDir(option: string, path: string): void {
  const what = `${option} ${path}`;
  const own = stat(path);
  if (own !== undefined) {
    if (!own.isDirectory()) throw new UsageError(`${what}: a file where a directory is expected`);
    if (!writable(path)) throw new UsageError(`${what}: the directory is not writable`);
    return;
  }
  // The nearest ancestor that exists must be a writable directory: the rest is made.
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const s = stat(dir);
    if (s === undefined) {
      if (dirname(dir) === dir) break;
      continue;
    }
    if (!s.isDirectory()) {
      throw new UsageError(`${what}: ${dir} is a file where a directory is expected`);
    }
    if (!writable(dir)) throw new UsageError(`${what}: ${dir} is not writable`);
    return;
  }
}

/** Throws a `UsageError` unless `path` is a file we can write (made or replaced). */
export function checkOutputFile(option: string, path: string): void {
  const what = `${option} ${path}`;
  const parent = dirname(resolve(path));
  const dir = stat(parent);
  if (dir === undefined) throw new UsageError(`${what}: the parent directory ${parent} is missing`);
  if (!dir.isDirectory()) {
    throw new UsageError(`${what}: ${parent} is a file where a directory is expected`);
  }
  const own = stat(path);
  if (own?.isDirectory()) throw new UsageError(`${what}: a directory where a file is expected`);
  if (own !== undefined) {
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new UsageError(`${what}: the file is not writable`);
    }
    return;
  }
  if (!writable(parent)) throw new UsageError(`${what}: the directory ${parent} is not writable`);
}

/**
 * The first line of every file pcpu-verify writes that it may later overwrite (the report's
 * README.md): what carries it was written by us, so replacing it loses nothing of the user's.
 */
export const WRITTEN_MARK = "<!-- written by pcpu-verify report; it rewrites this file -->";

/**
 * `report --out DIR`: DIR as for `checkOutputDir`, and a README.md in it only if we wrote it
 * (its first line is `WRITTEN_MARK`): a README.md of the user's is never overwritten.
 */
export function checkReportDir(option: string, path: string): void {
  checkOutputDir(option, path);
  const readme = join(path, "README.md");
  const s = stat(readme);
  if (s === undefined) return;
  if (!s.isFile()) throw new UsageError(`${option} ${path}: ${readme} is not a regular file`);
  const first = readFileSync(readme, "utf8").split("\n", 1)[0];
  if (first !== WRITTEN_MARK) {
    throw new UsageError(
      `${option} ${path}: ${readme} exists and was not written by pcpu-verify report (its first line is not ${WRITTEN_MARK}); refusing to overwrite it: choose another directory or remove the file`,
    );
  }
  checkOutputFile(option, readme);
}
