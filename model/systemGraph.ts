/**
 * The system machine as a graph (xstate/graph): its test model, adjacency map, shortest paths,
 * and a transition tour, a set of walks from the initial state that takes every transition at
 * least once (each walk starts from a fresh boot).
 */
import { createTestModel } from "xstate/graph";
import {
  systemEvents,
  systemMachine,
  type SystemContext,
  type SystemEvent,
} from "./systemMachine.ts";

/** Only the events of `systemEvents` (xstate/graph adds a payload-less one per event type). */
function isScopeEvent(context: SystemContext, event: SystemEvent): boolean {
  const key = JSON.stringify(event);
  return systemEvents(context).some((e) => JSON.stringify(e) === key);
}

export function systemTestModel() {
  return createTestModel(systemMachine, {
    events: (snapshot) => systemEvents(snapshot.context),
    filterEvents: (snapshot, event) => isScopeEvent(snapshot.context, event),
  });
}

export interface GraphEdge {
  readonly from: string;
  readonly event: SystemEvent;
  readonly eventKey: string;
  readonly to: string;
}

export interface SystemGraph {
  readonly initial: string;
  /** State key -> its context. */
  readonly states: ReadonlyMap<string, SystemContext>;
  /** State key -> outgoing edges. */
  readonly edges: ReadonlyMap<string, readonly GraphEdge[]>;
  readonly edgeCount: number;
}

/** A state's key: its context as JSON (the machine has one state node). */
export function stateKey(context: SystemContext): string {
  return JSON.stringify(context);
}

export function buildSystemGraph(): SystemGraph {
  const adjacency = systemTestModel().getAdjacencyMap();
  const states = new Map<string, SystemContext>();
  const edges = new Map<string, GraphEdge[]>();
  let edgeCount = 0;
  let initial: string | undefined;
  for (const entry of Object.values(adjacency)) {
    const from = stateKey(entry.state.context);
    initial ??= from;
    states.set(from, entry.state.context);
    const out: GraphEdge[] = [];
    for (const t of Object.values(entry.transitions) as {
      event: SystemEvent;
      state: { context: SystemContext };
    }[]) {
      out.push({
        from,
        event: t.event,
        eventKey: JSON.stringify(t.event),
        to: stateKey(t.state.context),
      });
    }
    edges.set(from, out);
    edgeCount += out.length;
  }
  return { initial: initial as string, states, edges, edgeCount };
}

/**
 * Walks that take every transition: from the current state take an untaken edge if there is
 * one, else go by the shortest way to the nearest state that has one; a new walk (a fresh boot)
 * starts only when no untaken edge can be reached (the injected failure cannot be un-armed,
 * so some states are left behind for good).
 */
export function transitionTour(graph: SystemGraph, maxWalkLength = 5000): SystemEvent[][] {
  // Integer ids for speed: states 0..n-1, edges as parallel arrays.
  const keys = [...graph.states.keys()];
  const id = new Map(keys.map((k, i) => [k, i]));
  const firstEdge: number[] = [];
  const edgeTo: number[] = [];
  const edgeEvent: SystemEvent[] = [];
  const edgeFrom: number[] = [];
  keys.forEach((k, i) => {
    firstEdge.push(edgeTo.length);
    for (const e of graph.edges.get(k) ?? []) {
      edgeFrom.push(i);
      edgeTo.push(id.get(e.to) as number);
      edgeEvent.push(e.event);
    }
  });
  firstEdge.push(edgeTo.length);
  const taken = new Uint8Array(edgeTo.length);
  const untakenCount = Int32Array.from(
    keys,
    (_, i) => (firstEdge[i + 1] as number) - (firstEdge[i] as number),
  );
  const cursor = keys.map((_, i) => firstEdge[i] as number);
  let remaining = edgeTo.length;
  const take = (e: number) => {
    if (taken[e] === 0) {
      taken[e] = 1;
      remaining--;
      (untakenCount[edgeFrom[e] as number] as number)--;
    }
  };
  const untakenFrom = (s: number): number => {
    if (untakenCount[s] === 0) return -1;
    let c = cursor[s] as number;
    while (taken[c] === 1) c++;
    cursor[s] = c;
    return c;
  };
  const back = new Int32Array(keys.length);
  const seen = new Int32Array(keys.length);
  let stamp = 0;
  const route = (from: number): number[] | undefined => {
    stamp++;
    seen[from] = stamp;
    const queue = [from];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      if (s !== from && (untakenCount[s] as number) > 0) {
        const path: number[] = [];
        for (let at = s; at !== from; at = edgeFrom[back[at] as number] as number)
          path.unshift(back[at] as number);
        return path;
      }
      for (let e = firstEdge[s] as number; e < (firstEdge[s + 1] as number); e++) {
        const t = edgeTo[e] as number;
        if (seen[t] !== stamp) {
          seen[t] = stamp;
          back[t] = e;
          queue.push(t);
        }
      }
    }
    return undefined;
  };
  const start = id.get(graph.initial) as number;
  const walks: SystemEvent[][] = [];
  while (remaining > 0) {
    let at = start;
    const walk: SystemEvent[] = [];
    while (walk.length < maxWalkLength) {
      let e = untakenFrom(at);
      if (e < 0) {
        const path = route(at);
        if (path === undefined) break;
        for (const p of path) {
          take(p);
          walk.push(edgeEvent[p] as SystemEvent);
          at = edgeTo[p] as number;
        }
        e = untakenFrom(at);
      }
      take(e);
      walk.push(edgeEvent[e] as SystemEvent);
      at = edgeTo[e] as number;
    }
    if (walk.length === 0) break;
    walks.push(walk);
  }
  return walks;
}
