/**
 * The invariants, in one place. Each is a file of its own with what it states, where it comes
 * from and what it costs. The black-box ones (through the allocator-under-test interface) run
 * unchanged on an external harness; the white-box ones, listed last, read one design's own
 * bookkeeping through `inspect` and apply only to that design's revisions and mutants
 * (`designs`, see whiteBox.ts). refinement is of the 2005 design too: the system machine
 * models its block list.
 *
 * What does not hold, by design (each revision's header says why; `check` reports these as
 * expected failures):
 * - legacy-2.6.10 breaks nr-cpus-independence: every object has a `void *ptrs[NR_CPUS]`
 *   array, 72 bytes at NR_CPUS 8 and 4104 bytes (an 8 KiB kmalloc) at NR_CPUS 512.
 * - kiran-2005-09 breaks nr-cpus-independence: each block's management area holds a page-pointer
 *   array of (PCPU_BLKSIZE >> PAGE_SHIFT) × NR_CPUS × 2 entries (15 pages at NR_CPUS 8, 19 at 512, 64-bit).
 * kiran-2005-01 keeps it: its 9 management pages do not depend on NR_CPUS.
 * - areamap-2009 breaks bad-align (2.6.30 serves an alignment that is not a power of two) and
 *   the invariants its populate-failure bug breaks (impl/revisions/index.ts).
 */
import { alignment } from "./alignment.ts";
import { badAlign } from "./badAlign.ts";
import { badInput } from "./badInput.ts";
import { completeness } from "./completeness.ts";
import { failureAtomicity } from "./failureAtomicity.ts";
import { hotplugTransparency } from "./hotplugTransparency.ts";
import { integrity } from "./integrity.ts";
import { areamapContigHint } from "./areamapContigHint.ts";
import { areamapMapSum } from "./areamapMapSum.ts";
import { areamapSlots } from "./areamapSlots.ts";
import { areamapLiveAreas } from "./areamapLiveAreas.ts";
import { areamapPopulated } from "./areamapPopulated.ts";
import { kiranBufctls } from "./kiranBufctls.ts";
import { kiranBytesUsed } from "./kiranBytesUsed.ts";
import { kiranListOrder } from "./kiranListOrder.ts";
import type { Invariant } from "./invariant.ts";
import { noLeak } from "./noLeak.ts";
import { nodeLocality } from "./nodeLocality.ts";
import { noOops } from "./noOops.ts";
import { noOverlap } from "./noOverlap.ts";
import { nrCpusIndependence } from "./nrCpusIndependence.ts";
import { possibleOnly } from "./possibleOnly.ts";
import { refinement } from "./refinement.ts";
import { zeroOnAlloc } from "./zeroOnAlloc.ts";
import { bitmapBlockHints } from "./bitmapBlockHints.ts";
import { bitmapChunkHint } from "./bitmapChunkHint.ts";
import { bitmapFreeBytes } from "./bitmapFreeBytes.ts";
import { bitmapSlots } from "./bitmapSlots.ts";
import { bitmapPopulated } from "./bitmapPopulated.ts";
import { bitmapOneFreeChunk } from "./bitmapOneFreeChunk.ts";
import { chunkLifecycle } from "./chunkLifecycle.ts";
import { utilizationAfterChurn } from "./utilizationAfterChurn.ts";
import { linearizability } from "./linearizability.ts";
import { dataRace } from "./dataRace.ts";
import { lockOrder } from "./lockOrder.ts";
import { interleavingSafety } from "./interleavingSafety.ts";
import { betweenSections } from "./betweenSections.ts";

export const INVARIANTS: readonly Invariant[] = [
  noOverlap,
  alignment,
  nodeLocality,
  zeroOnAlloc,
  integrity,
  possibleOnly,
  hotplugTransparency,
  noLeak,
  failureAtomicity,
  badInput,
  badAlign,
  nrCpusIndependence,
  completeness,
  noOops,
  refinement,
  // White-box, per design (see whiteBox.ts): judged only on targets of that design.
  kiranListOrder,
  kiranBytesUsed,
  kiranBufctls,
  areamapMapSum,
  areamapContigHint,
  areamapSlots,
  areamapLiveAreas,
  areamapPopulated,
  bitmapBlockHints,
  bitmapChunkHint,
  bitmapFreeBytes,
  bitmapSlots,
  bitmapPopulated,
  bitmapOneFreeChunk,
  chunkLifecycle,
  // Judged on runs of its own (churn rounds, runner/churnCheck.ts), on every target.
  utilizationAfterChurn,
  // Judged on concurrent rounds (runner/interleaveCheck.ts), on targets with `threads`.
  linearizability,
  dataRace,
  lockOrder,
  interleavingSafety,
  betweenSections,
];

export function findInvariant(id: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.id === id);
}

export {
  churnUnitBytes,
  DEFAULT_UTILIZATION_THRESHOLD,
  percent,
  roundsText,
  runChurn,
  type ChurnFigures,
  type ChurnOutcome,
  type ChurnRound,
} from "./utilizationAfterChurn.ts";
export { appliesTo, applicable, whiteBoxDetail, type DetailResult } from "./whiteBox.ts";
export type { Invariant, StepContext, EndContext, Expectation, Outcome } from "./invariant.ts";
export { chunkLifecycle, collectChunkCoverage } from "./chunkLifecycle.ts";
