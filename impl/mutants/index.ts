/**
 * The mutants: each one small deviation from a revision, from a real bug or review comment,
 * with the invariant that must catch it. nr-cpus-independence has no mutant here: both
 * revisions already break it by design (see properties/invariants/index.ts).
 */
import { kiranAlignOffByOne } from "./kiranAlignOffByOne.ts";
import { kiranCpuDownReleases } from "./kiranCpuDownReleases.ts";
import { kiranFreeExtraBit } from "./kiranFreeExtraBit.ts";
import { kiranFreeInterior } from "./kiranFreeInterior.ts";
import { kiranFreeNoResort } from "./kiranFreeNoResort.ts";
import { kiranFreeWrongBufctl } from "./kiranFreeWrongBufctl.ts";
import { kiranKeepEmptyBlock } from "./kiranKeepEmptyBlock.ts";
import { kiranMaxSizeOffByOne } from "./kiranMaxSizeOffByOne.ts";
import { kiranMgmtLeakOnEnomem } from "./kiranMgmtLeakOnEnomem.ts";
import { kiranNode0 } from "./kiranNode0.ts";
import { kiranReleaseOnReclaim } from "./kiranReleaseOnReclaim.ts";
import { kiranSizeUsedBytes } from "./kiranSizeUsedBytes.ts";
import { kiranSkipTailRun } from "./kiranSkipTailRun.ts";
import { kiranStalePagePointer } from "./kiranStalePagePointer.ts";
import { kiranZeroOnlineOnly } from "./kiranZeroOnlineOnly.ts";
import { kiranZeroPastObject } from "./kiranZeroPastObject.ts";
import { legacyAllNrCpus } from "./legacyAllNrCpus.ts";
import { legacyArrayLeakOnEnomem } from "./legacyArrayLeakOnEnomem.ts";
import { legacyFreeKeepsArray } from "./legacyFreeKeepsArray.ts";
import { legacyNoMemset } from "./legacyNoMemset.ts";
import { bitmapFreeBytesBits } from "./bitmapFreeBytesBits.ts";
import { bitmapEmptyOnPopulate } from "./bitmapEmptyOnPopulate.ts";
import { bitmapStaleWatermark } from "./bitmapStaleWatermark.ts";
import { bitmapScanHintKept } from "./bitmapScanHintKept.ts";
import { bitmapChunkHintKept } from "./bitmapChunkHintKept.ts";
import { bitmapFreeNoRelocate } from "./bitmapFreeNoRelocate.ts";
import { bitmapKeepFreeChunks } from "./bitmapKeepFreeChunks.ts";
import type { MutantEntry } from "./mutant.ts";

export const MUTANTS: readonly MutantEntry[] = [
  legacyAllNrCpus,
  legacyNoMemset,
  legacyArrayLeakOnEnomem,
  legacyFreeKeepsArray,
  kiranAlignOffByOne,
  kiranZeroOnlineOnly,
  kiranNode0,
  kiranMgmtLeakOnEnomem,
  kiranFreeExtraBit,
  kiranCpuDownReleases,
  kiranKeepEmptyBlock,
  kiranFreeInterior,
  kiranStalePagePointer,
  kiranZeroPastObject,
  kiranMaxSizeOffByOne,
  kiranSkipTailRun,
  kiranReleaseOnReclaim,
  kiranFreeNoResort,
  kiranSizeUsedBytes,
  kiranFreeWrongBufctl,
  bitmapFreeBytesBits,
  bitmapEmptyOnPopulate,
  bitmapStaleWatermark,
  bitmapScanHintKept,
  bitmapChunkHintKept,
  bitmapFreeNoRelocate,
  bitmapKeepFreeChunks,
];

export function findMutant(id: string): MutantEntry | undefined {
  return MUTANTS.find((m) => m.id === id);
}

export type { MutantEntry } from "./mutant.ts";
