/**
 * What `npm run mutation -- <target>` mutates: each revision's own code and the machine's, by
 * id. Revisions of one folder split it by file (kiran-2005-01 and -09, bitmap-2017 and
 * -kernel); the shared base classes (impl/revisions/*.ts) are reached by every revision's tests.
 */
const NOT_TESTS = "!**/*.test.ts";

const BITMAP_KERNEL = [
  "impl/revisions/bitmap/bitmapKernelAllocator.ts",
  "impl/revisions/bitmap/bitmapKernelPool.ts",
  "impl/revisions/bitmap/allocInfo.ts",
  "impl/revisions/bitmap/firstChunk.ts",
  "impl/revisions/bitmap/linuxMemoryMap.ts",
];

export const MUTATION_TARGETS: Readonly<Record<string, readonly string[]>> = {
  "legacy-2.6.10": ["impl/revisions/legacy/*.ts", NOT_TESTS],
  "kiran-2005-01": ["impl/revisions/kiran/kiranJanuaryAllocator.ts"],
  "kiran-2005-09": ["impl/revisions/kiran/kiranAllocator.ts", "impl/revisions/kiran/pcpuBlock.ts"],
  "areamap-2009": ["impl/revisions/areamap/*.ts", NOT_TESTS],
  "bitmap-2017": ["impl/revisions/bitmap/*.ts", NOT_TESTS, ...BITMAP_KERNEL.map((f) => `!${f}`)],
  "bitmap-2017-kernel": BITMAP_KERNEL,
  machine: ["impl/machine/*.ts", NOT_TESTS],
};

/** The `mutate` globs of a target, or an error naming the valid ones. */
export function mutateGlobs(id: string | undefined): readonly string[] {
  const globs = id === undefined ? undefined : MUTATION_TARGETS[id];
  if (globs === undefined) {
    const valid = Object.keys(MUTATION_TARGETS).join(", ");
    throw new Error(
      id === undefined
        ? `mutation: give a target, one of ${valid}`
        : `mutation: unknown target '${id}': expected one of ${valid}`,
    );
  }
  return globs;
}
