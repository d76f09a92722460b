/**
 * lock-order: every "B taken while A held" edge, across runs, as lockdep records them; a cycle in
 * that graph is a deadlock that some schedule can reach even if no run so far did, and is a
 * finding naming each edge and where it was first seen. The caller's context enters as
 * pseudo-locks (a filesystem's lock held by the caller; fs_reclaim, taken by a page allocation
 * that may enter reclaim), and facts the runs do not show (reclaim takes filesystem locks) can
 * be declared as edges.
 *
 *   pcpu_alloc_mutex ──► fs_reclaim ──► fs_lock ──► pcpu_alloc_mutex
 */
import type { Finding } from "./finding.ts";
import type { LockEdge } from "./run.ts";

export class LockOrder {
  /** from → to → where first seen; insertion order keeps the search deterministic. */
  private readonly graph = new Map<string, Map<string, string>>();

  /** Records a run's edges under a label ("run 2"); only the first sighting of an edge is kept. */
  record(edges: readonly LockEdge[], label: string): void {
    for (const e of edges) this.add(e.from, e.to, `${label}, ${e.where}`);
  }

  /** Declares an edge the runs do not show, with its source. */
  declare(from: string, to: string, where: string): void {
    this.add(from, to, where);
  }

  get edgeCount(): number {
    let n = 0;
    for (const tos of this.graph.values()) n += tos.size;
    return n;
  }

  /** The first cycle, as a lock-order finding, or undefined. */
  cycle(): Finding | undefined {
    const path = this.findCycle();
    if (path === undefined) return undefined;
    const steps = path.map((from, i) => {
      const to = path[(i + 1) % path.length] as string;
      return `${from} → ${to} (first seen ${this.graph.get(from)?.get(to)})`;
    });
    return {
      invariant: "lock-order",
      message: `lock-order cycle ${[...path, path[0]].join(" → ")}: ${steps.join("; ")}`,
    };
  }

  private add(from: string, to: string, where: string): void {
    if (from === to) return; // recursive locking is the scheduler's finding, not an order
    let tos = this.graph.get(from);
    if (tos === undefined) this.graph.set(from, (tos = new Map()));
    if (!tos.has(to)) tos.set(to, where);
  }

  private findCycle(): string[] | undefined {
    const state = new Map<string, "open" | "closed">();
    const stack: string[] = [];
    const visit = (node: string): string[] | undefined => {
      state.set(node, "open");
      stack.push(node);
      for (const next of this.graph.get(node)?.keys() ?? []) {
        const s = state.get(next);
        if (s === "open") return stack.slice(stack.indexOf(next));
        if (s === undefined) {
          const found = visit(next);
          if (found !== undefined) return found;
        }
      }
      stack.pop();
      state.set(node, "closed");
      return undefined;
    };
    for (const node of this.graph.keys()) {
      if (state.get(node) === undefined) {
        const found = visit(node);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
}
