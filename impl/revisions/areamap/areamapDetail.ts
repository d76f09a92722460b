/**
 * The white-box view of areamap-2009 (`inspect().detail`), read by the areamap-* invariants:
 *
 *   slots   [ [], [], ..., [1, 2] (slot 12: chunks 1, 2, head first), ..., [3] (free) ]
 *   chunks  [ { id 0, first, map [-16384, -4, +16380], mapAlloc 16, contigHint 16380,
 *               freeSize 16380, slot 11, live 1, populatedPages 8 }, ... ]
 */
/** The white-box detail `inspect` gives (design "areamap-2009"). */
export interface AreamapDetail {
  readonly design: "areamap-2009";
  readonly unitSize: number;
  readonly staticSize: number;
  readonly reservedSize: number;
  readonly nrSlots: number;
  /** The slot lists, head first, by chunk id. */
  readonly slots: readonly (readonly number[])[];
  /** cpu -> unit offset: cpu x unit size in 2.6.30 (no groups, no unit map). */
  readonly unitOffsets: readonly { readonly cpu: number; readonly offset: number }[];
  /** Map extensions since boot (pcpu_extend_area_map calls that switched maps). */
  readonly mapExtensions: number;
  /** The reclaim work is scheduled. */
  readonly reclaimPending: boolean;
  /**
   * Areas allocations in flight have reserved (between "area found" and their return, in an
   * interleaved run): allocated in their chunk's map, not yet live objects nor counted in `live`.
   * Empty between sequential steps.
   */
  readonly inFlight: readonly {
    readonly chunk: number;
    readonly off: number;
    readonly size: number;
  }[];
  /** Unit pages the machine's page allocator holds for the allocator (owner "percpu-data"). */
  readonly dataPages: number;
  readonly chunks: readonly {
    readonly id: number;
    readonly first: boolean;
    readonly base: number;
    readonly map: readonly number[];
    readonly mapAlloc: number;
    readonly contigHint: number;
    readonly freeSize: number;
    /** The slot list the chunk is on. */
    readonly slot: number;
    readonly live: number;
    readonly populatedPages: number;
    /** One flag per unit page index: populated (1) for every possible CPU, or not (0). */
    readonly populated: readonly number[];
  }[];
}
