/**
 * What one side of a diff exposes after a step, in terms both sides share: handles (percpu
 * pointers, addresses, block ids) differ between two allocators even when they behave alike,
 * so nothing here is a raw handle.
 *
 *   outcome      what the call returned: `ok` for a pointer (alloc, per_cpu_ptr), the bytes a
 *                read gave, `0`, or the error code (`-ENOMEM`); `skipped` when it did not run
 *   places       per live object, by the name the run gave it (o1, o2, ...):
 *                  block        its block or chunk, numbered #1, #2, ... in the order this side
 *                               first showed them (`inspect` objects; in-process designs)
 *                  offset       its offset in its unit (`inspect` objects, where given)
 *                  page_offset  the offset in its page of the first possible CPU's copy
 *                  copies       where every other possible CPU's copy is, from the first's
 *                               (the unit layout as the object sees it)
 *   accounting   pages held by node (`stats`), blocks or chunks in use (`inspect`)
 *   lists        the blocks or chunks in `inspect` order: number, state, live, free bytes
 */
import type { InspectView } from "../../impl/index.ts";
import type { Session } from "../engine/session.ts";

export interface Place {
  readonly block?: string;
  readonly offset?: number;
  readonly pageOffset?: number;
  readonly copies?: string;
}

export interface SideView {
  readonly outcome: string;
  readonly places: ReadonlyMap<string, Place>;
  readonly pagesByNode: readonly number[];
  /** Absent without `inspect`. */
  readonly blocks?: number;
  readonly lists?: readonly string[];
}

/** Numbers a side's block ids #1, #2, ... in the order it first shows them. */
export class BlockNames {
  private readonly names = new Map<number, string>();

  name(id: number): string {
    let n = this.names.get(id);
    if (n === undefined) {
      n = `#${this.names.size + 1}`;
      this.names.set(id, n);
    }
    return n;
  }
}

/** The outcome of the step at `index` of the session's trace, from its log. */
export function outcomeAt(session: Session, index: number, ran: boolean): string {
  let entry: Session["log"][number] | undefined;
  for (let i = session.log.length - 1; i >= 0 && entry === undefined; i--) {
    if (session.log[i]?.step === index) entry = session.log[i];
  }
  if (entry === undefined || (!ran && entry.error !== "oops")) return "skipped";
  if (entry.error === "oops") return entry.returned;
  if (entry.error !== undefined) return `-${entry.error}`;
  return entry.op === "alloc" || entry.op === "ptr" ? "ok" : entry.returned;
}

function hexOf(n: number): string {
  return n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** The view of one side now; `outcome` is the step's, from `outcomeAt`. */
export function sideView(session: Session, outcome: string, names: BlockNames): SideView {
  const model = session.model;
  const hasInspect = session.capabilities.has("inspect");
  const inspected = hasInspect ? session.allocator.inspect() : undefined;
  const view: InspectView | undefined = inspected?.ok ? inspected.value : undefined;
  // Blocks are numbered in list order first, so a new empty block gets its number too.
  const lists = view?.blocks.map(
    (b) => `${names.name(b.id)} ${b.state} live ${b.live} free ${b.freeBytes}`,
  );
  const byPtr = new Map((view?.objects ?? []).map((o) => [o.ptr, o] as const));
  const first = model.possible[0] as number;
  const pageSize = model.config.pageSize;
  const places = new Map<string, Place>();
  for (const o of model.liveObjects()) {
    const inBlock = byPtr.get(o.ptr);
    const base = o.copies.get(first);
    const copies =
      base === undefined
        ? undefined
        : model.possible
            .slice(1)
            .map((cpu) => {
              const at = o.copies.get(cpu);
              return `${cpu}:${at === undefined ? "?" : hexOf(at - base)}`;
            })
            .join(" ");
    places.set(o.name, {
      ...(inBlock !== undefined ? { block: names.name(inBlock.block) } : {}),
      ...(inBlock?.offset !== undefined ? { offset: inBlock.offset } : {}),
      ...(base !== undefined ? { pageOffset: base % pageSize } : {}),
      ...(copies !== undefined ? { copies } : {}),
    });
  }
  const stats = session.allocator.stats();
  return {
    outcome,
    places,
    pagesByNode: stats.ok ? stats.value.pagesByNode : [],
    ...(view !== undefined ? { blocks: view.blocks.length, lists } : {}),
  };
}
