/**
 * The random allocations of the protocol's extensions, for the targets that offer them: a
 * sleepable gfp mask (`gfp`: GFP_NOIO, GFP_NOFS) and the reserved area (`reserved`). They are
 * appended to the mix (allocOp's `generators`), so a target without these capabilities, every
 * in-process one among them, draws exactly the runs it drew before.
 */
import fc from "fast-check";
import type { Capability, SleepableGfp } from "../../../impl/index.ts";
import type { ReservedArea } from "../../../impl/external/index.ts";
import type { Target } from "../target.ts";
import type { AllocStep } from "./allocOp.ts";
import type { SessionView, StepChoice, StepGenerator } from "./op.ts";

const alignLog2 = fc.integer({ min: 0, max: 12 });

/**
 * Sizes for a sleepable allocation: small ones, and ones large enough to need a page or a
 * chunk that is not there yet (where an allocation taken for atomic fails).
 */
function gfpSize(maxSize: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.min(16, maxSize) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(4096, maxSize) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: maxSize }) },
    { weight: 1, arbitrary: fc.constant(maxSize) },
  );
}

/**
 * Sizes on the reserved area's scale: small ones, any up to the area, and halves, quarters
 * and eighths of it give or take a few granules, so that objects fill a block but for a hole
 * of a few granules, or leave one free between two (where a search that skips a block fails).
 */
function reservedSize(area: ReservedArea, maxSize: number): fc.Arbitrary<number> {
  const clip = (n: number) => Math.max(1, Math.min(maxSize, n));
  return fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: Math.min(16, maxSize) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: clip(area.size) }) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -4, max: 4 }))
        .map(([k, j]) => clip(Math.floor(area.size / 2 ** k) + j * area.granule)),
    },
  );
}

function choice(
  size: number,
  log2: number,
  extra: Pick<AllocStep, "gfp" | "reserved">,
  label: string,
): StepChoice<AllocStep> {
  return {
    resolve({ model, target }: SessionView) {
      const align = Math.min(2 ** log2, target.maxAlign(size));
      return { op: "alloc", size, align, ...extra, as: model.newNamePeek() };
    },
    intent: () => `alloc(${size}, 2^${log2}, ${label})`,
  };
}

/** The extensions' generators for a target with these capabilities. */
export function allocGenerators(
  target: Target,
  capabilities: ReadonlySet<Capability>,
): StepGenerator<AllocStep>[] {
  const out: StepGenerator<AllocStep>[] = [];
  if (capabilities.has("gfp")) {
    out.push({
      weight: 2,
      arbitrary: fc
        .tuple(gfpSize(target.maxSize), alignLog2, fc.constantFrom<SleepableGfp>("noio", "nofs"))
        .map(([size, log2, gfp]) => choice(size, log2, { gfp }, gfp)),
    });
  }
  const area = target.reservedArea;
  if (capabilities.has("reserved") && area !== undefined) {
    out.push({
      weight: 4,
      arbitrary: fc
        .tuple(reservedSize(area, target.maxSize), alignLog2)
        .map(([size, log2]) => choice(size, log2, { reserved: true }, "reserved")),
    });
  }
  return out;
}
