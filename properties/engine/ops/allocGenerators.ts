/**
 * The random allocations of the protocol's extensions, for the targets that offer them: a
 * sleepable gfp mask (`gfp`: GFP_NOIO, GFP_NOFS) and the reserved area (`reserved`). They are
 * appended to the mix (allocOp's `generators`), so a target without these capabilities, every
 * in-process one among them, draws exactly the runs it drew before.
 */
import fc from "fast-check";
import type { Capability, SleepableGfp } from "../../../impl/index.ts";
import { blockPieces, reservedGaps, type ReservedArea } from "../../../impl/external/index.ts";
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
 * A reserved request's size, on the area's scale: small ones, any up to the area, halves,
 * quarters and eighths of it give or take a few granules (objects that fill a block but for
 * a hole of a few granules), and the size of a free gap as the model knows it, the gap's
 * whole or a few granules less (the first, the last or the largest: a gap filled exactly,
 * or a hole left beside an object, where a search that skips a block fails). Where the area
 * declares its blocks, a gap may also be one block's free run (a hole freed inside a block of
 * a full area, the request a block's hints must find).
 */
type ReservedSize =
  | { readonly fixed: number }
  | {
      readonly gap: "first" | "last" | "largest";
      readonly less: number;
      readonly inBlock: boolean;
    };

function reservedSize(area: ReservedArea, maxSize: number): fc.Arbitrary<ReservedSize> {
  const clip = (n: number) => Math.max(1, Math.min(maxSize, n));
  const fixed = (a: fc.Arbitrary<number>) => a.map((n): ReservedSize => ({ fixed: n }));
  return fc.oneof(
    { weight: 2, arbitrary: fixed(fc.integer({ min: 1, max: Math.min(16, maxSize) })) },
    { weight: 2, arbitrary: fixed(fc.integer({ min: 1, max: clip(area.size) })) },
    {
      weight: 4,
      arbitrary: fixed(
        fc
          .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -4, max: 4 }))
          .map(([k, j]) => clip(Math.floor(area.size / 2 ** k) + j * area.granule)),
      ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom("first", "last", "largest" as const),
          fc.integer({ min: 0, max: 3 }),
          area.block === undefined ? fc.constant(false) : fc.boolean(),
        )
        .map(([gap, less, inBlock]): ReservedSize => ({ gap, less, inBlock })),
    },
  );
}

/** The size a reserved choice stands for in the model's state (undefined: no such gap). */
function resolveReservedSize(
  choice: ReservedSize,
  area: ReservedArea,
  session: SessionView,
): number | undefined {
  if ("fixed" in choice) return choice.fixed;
  const live = session.model.liveObjects().filter((o) => o.reserved !== undefined);
  const whole = reservedGaps(area, live);
  const runs = choice.inBlock && area.block !== undefined ? blockPieces(whole, area.block) : whole;
  const gaps = runs.map((g) => g.end - g.start);
  const len =
    choice.gap === "first"
      ? gaps[0]
      : choice.gap === "last"
        ? gaps.at(-1)
        : gaps.length > 0
          ? Math.max(...gaps)
          : undefined;
  if (len === undefined) return undefined;
  const size = Math.min(len - choice.less * area.granule, session.target.maxSize);
  return size >= 1 ? size : undefined;
}

function describeSize(choice: ReservedSize): string {
  if ("fixed" in choice) return String(choice.fixed);
  const gap = `${choice.gap} ${choice.inBlock ? "block run" : "gap"}`;
  return `${gap}${choice.less > 0 ? ` - ${choice.less} granules` : ""}`;
}

function gfpChoice(size: number, log2: number, gfp: SleepableGfp): StepChoice<AllocStep> {
  return {
    resolve({ model, target }: SessionView) {
      const align = Math.min(2 ** log2, target.maxAlign(size));
      return { op: "alloc", size, align, gfp, as: model.newNamePeek() };
    },
    intent: () => `alloc(${size}, 2^${log2}, ${gfp})`,
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
        .map(([size, log2, gfp]) => gfpChoice(size, log2, gfp)),
    });
  }
  const area = target.reservedArea;
  if (capabilities.has("reserved") && area !== undefined) {
    out.push({
      weight: 6,
      arbitrary: fc
        .tuple(reservedSize(area, target.maxSize), alignLog2)
        .map(([sized, log2]): StepChoice<AllocStep> => ({
          resolve(session) {
            const size = resolveReservedSize(sized, area, session);
            if (size === undefined) return undefined;
            const align = Math.min(2 ** log2, session.target.maxAlign(size));
            const as = session.model.newNamePeek();
            return { op: "alloc", size, align, reserved: true, as };
          },
          intent: () => `alloc(${describeSize(sized)}, 2^${log2}, reserved)`,
        })),
    });
  }
  return out;
}
