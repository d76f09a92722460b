/**
 * The mutants: each one small deviation from a revision, from a real bug or review comment,
 * with the invariant that must catch it. legacy-2.6.10 and kiran-2005-09 break
 * nr-cpus-independence by design (see properties/invariants/index.ts); kiran-2005-01 keeps it,
 * and kiran-mgmt-page-pointers breaks it there.
 */
import { areamapFreeNoMerge } from "./areamapFreeNoMerge.ts";
import { areamapHintPartialScan } from "./areamapHintPartialScan.ts";
import { areamapDoubleFree } from "./areamapDoubleFree.ts";
import { areamapOffsetByCpu } from "./areamapOffsetByCpu.ts";
import { areamapSlotUnsized } from "./areamapSlotUnsized.ts";
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
import { kiranAllNrCpus } from "./kiranAllNrCpus.ts";
import { kiranGfpZeroNoMemset } from "./kiranGfpZeroNoMemset.ts";
import { kiranMgmtPagePointers } from "./kiranMgmtPagePointers.ts";
import { bitmapFreeBytesBits } from "./bitmapFreeBytesBits.ts";
import { bitmapEmptyOnPopulate } from "./bitmapEmptyOnPopulate.ts";
import { bitmapStaleWatermark } from "./bitmapStaleWatermark.ts";
import { bitmapUnlockedWatermark } from "./bitmapUnlockedWatermark.ts";
import { bitmapAreaLockDropped } from "./bitmapAreaLockDropped.ts";
import { bitmapBalanceFreeLocked } from "./bitmapBalanceFreeLocked.ts";
import { bitmapBackingFsReclaim } from "./bitmapBackingFsReclaim.ts";
import { bitmapScanHintKept } from "./bitmapScanHintKept.ts";
import { bitmapChunkHintKept } from "./bitmapChunkHintKept.ts";
import { bitmapFreeNoRelocate } from "./bitmapFreeNoRelocate.ts";
import { bitmapKeepFreeChunks } from "./bitmapKeepFreeChunks.ts";
import { areamapFailKeepsArea } from "./areamapFailKeepsArea.ts";
import { areamapReclaimKeepsPages } from "./areamapReclaimKeepsPages.ts";
import { areamapPopulateKeepsPages } from "./areamapPopulateKeepsPages.ts";
import { areamapReclaimUnlocked } from "./areamapReclaimUnlocked.ts";
import { bitmapFailKeepsArea } from "./bitmapFailKeepsArea.ts";
import { bitmapDestroyKeepsVm } from "./bitmapDestroyKeepsVm.ts";
import { bitmapNoTlbFlush } from "./bitmapNoTlbFlush.ts";
import { bitmapAlignNotPowerOfTwo } from "./bitmapAlignNotPowerOfTwo.ts";
import { bitmapPopulateKeepsPages } from "./bitmapPopulateKeepsPages.ts";
import { bitmapAllocKeepsSidelined } from "./bitmapAllocKeepsSidelined.ts";
import { bitmapThirdChunkUnmoved } from "./bitmapThirdChunkUnmoved.ts";
import { bitmapUnitEndHintKept } from "./bitmapUnitEndHintKept.ts";
import { kiranFreeWalkBound } from "./kiranFreeWalkBound.ts";
import { bitmapUnitMaskWraps } from "./bitmapUnitMaskWraps.ts";
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
  kiranAllNrCpus,
  kiranGfpZeroNoMemset,
  kiranMgmtPagePointers,
  areamapHintPartialScan,
  areamapFreeNoMerge,
  areamapOffsetByCpu,
  areamapDoubleFree,
  areamapSlotUnsized,
  areamapFailKeepsArea,
  areamapReclaimKeepsPages,
  areamapPopulateKeepsPages,
  areamapReclaimUnlocked,
  bitmapFreeBytesBits,
  bitmapEmptyOnPopulate,
  bitmapStaleWatermark,
  bitmapUnlockedWatermark,
  bitmapAreaLockDropped,
  bitmapBalanceFreeLocked,
  bitmapBackingFsReclaim,
  bitmapScanHintKept,
  bitmapChunkHintKept,
  bitmapFreeNoRelocate,
  bitmapKeepFreeChunks,
  bitmapFailKeepsArea,
  bitmapDestroyKeepsVm,
  bitmapNoTlbFlush,
  bitmapPopulateKeepsPages,
  bitmapAlignNotPowerOfTwo,
  bitmapAllocKeepsSidelined,
  bitmapThirdChunkUnmoved,
  bitmapUnitEndHintKept,
  kiranFreeWalkBound,
  bitmapUnitMaskWraps,
];

export function findMutant(id: string): MutantEntry | undefined {
  return MUTANTS.find((m) => m.id === id);
}

export type { MutantEntry } from "./mutant.ts";
