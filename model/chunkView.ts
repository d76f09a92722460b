/**
 * The abstraction of the chunk lifecycle check: from what a chunk-design target shows through
 * `inspect` to the chunk machine's observables, one `ObservedChunk` per chunk on the lists.
 *
 *   bitmap-2017 (detail design "bitmap-2017")    the linux harness (detail.chunks with `list`)
 *   chunks[i].slot: sidelinedSlot -> sidelined    list "sidelined"      -> sidelined
 *                   toDepopulateSlot -> toDep.    list "to-depopulate"  -> toDepopulate
 *                   any other -> slot             list "slot", "free"   -> slot
 *   nrPopulated, nrEmptyPopPages, nrPages         nr_populated, nr_empty_pop_pages, nr_pages
 *   blocks[id].live, .freeBytes, .state           the same (live: CONFIG_PERCPU_STATS nr_alloc)
 *
 * The reserved chunk (list "reserved") is left out: it is never on the lists, never
 * relocated, isolated, depopulated or destroyed (__pcpu_chunk_move skips it), so the machine
 * has nothing to say about it. A view that is neither form is not a chunk view (undefined).
 */
import type { InspectView } from "../impl/index.ts";
import type { ChunkList } from "./chunkMachine.ts";

const PAGE_SIZE = 4096;

export interface ObservedChunk {
  readonly id: number;
  readonly list: Exclude<ChunkList, "destroyed">;
  /** pcpu_first_chunk, where the target says (bitmap-2017 without a first chunk: false). */
  readonly first: boolean;
  readonly isolated: boolean;
  readonly nrPages: number;
  /** pcpu_unit_size. */
  readonly unitBytes: number;
  readonly live: number;
  readonly freeBytes: number;
  readonly populated: number;
  readonly emptyPopulated: number;
  /** The holding state the target gives (inspect's block state). */
  readonly state: string;
}

interface BitmapChunk {
  id: number;
  slot: number;
  isolated: boolean;
  nrPages: number;
  nrPopulated: number;
  nrEmptyPopPages: number;
  freeBytes: number;
  first?: boolean;
  reserved?: boolean;
}

interface BitmapLike {
  design: "bitmap-2017";
  unitSize: number;
  sidelinedSlot: number;
  toDepopulateSlot: number;
  chunks: BitmapChunk[];
}

interface LinuxChunk {
  id: number;
  list: string;
  first: boolean;
  isolated: boolean;
  nr_pages: number;
  nr_populated: number;
  nr_empty_pop_pages: number;
}

const LINUX_LISTS: Readonly<Record<string, ObservedChunk["list"] | null>> = {
  slot: "slot",
  free: "slot",
  "to-depopulate": "toDepopulate",
  sidelined: "sidelined",
  reserved: null,
};

/** Whether an inspect view is one of the chunk forms this check reads. */
export function isChunkView(view: InspectView): boolean {
  const d = view.detail as { design?: unknown; chunks?: unknown } | undefined | null;
  if (d === undefined || d === null || typeof d !== "object") return false;
  if (d.design === "bitmap-2017") return true;
  return (
    Array.isArray(d.chunks) &&
    d.chunks.every((c) => typeof c === "object" && c !== null && "list" in c)
  );
}

/**
 * The chunks of a chunk view, or why they cannot be read (a violation message), or undefined
 * when the view is not a chunk view.
 */
export function observedChunks(view: InspectView): ObservedChunk[] | string | undefined {
  if (!isChunkView(view)) return undefined;
  const blocks = new Map(view.blocks.map((b) => [b.id, b]));
  const d = view.detail as BitmapLike | { chunks: LinuxChunk[] };
  const out: ObservedChunk[] = [];
  for (const c of d.chunks) {
    const b = blocks.get(c.id);
    if (b === undefined) return `inspect lists chunk ${c.id} in its detail but not in its blocks`;
    let chunk: ObservedChunk;
    if ("design" in d) {
      const bc = c as BitmapChunk;
      if (bc.reserved === true) continue;
      chunk = {
        id: bc.id,
        list:
          bc.slot === d.sidelinedSlot
            ? "sidelined"
            : bc.slot === d.toDepopulateSlot
              ? "toDepopulate"
              : "slot",
        first: bc.first === true,
        isolated: bc.isolated,
        nrPages: bc.nrPages,
        // A chunk's own bytes, as the harness's view gives them (the first chunk's region).
        unitBytes: bc.nrPages * PAGE_SIZE,
        live: b.live,
        freeBytes: bc.freeBytes,
        populated: bc.nrPopulated,
        emptyPopulated: bc.nrEmptyPopPages,
        state: b.state,
      };
    } else {
      const lc = c as LinuxChunk;
      const list = LINUX_LISTS[lc.list];
      if (list === null) continue;
      if (list === undefined) {
        return `inspect puts chunk ${lc.id} on list "${lc.list}", expected one of ${Object.keys(LINUX_LISTS).join(", ")}`;
      }
      chunk = {
        id: lc.id,
        list,
        first: lc.first,
        isolated: lc.isolated,
        nrPages: lc.nr_pages,
        unitBytes: lc.nr_pages * PAGE_SIZE,
        live: b.live,
        freeBytes: b.freeBytes,
        populated: lc.nr_populated,
        emptyPopulated: lc.nr_empty_pop_pages,
        state: b.state,
      };
    }
    if (chunk.isolated !== (chunk.list !== "slot")) {
      return `chunk ${chunk.id} is ${chunk.isolated ? "" : "not "}isolated but on the ${chunk.list} list`;
    }
    out.push(chunk);
  }
  return out;
}
