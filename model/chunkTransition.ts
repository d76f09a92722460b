/**
 * One event of the chunk machine from a snapshot, as xstate's `transition(chunkMachine, s, e)`
 * computes it, on the shared inert scope (inertTransition.ts; chunkTransition.test.ts compares
 * the two).
 *
 * The machine is deterministic and its snapshots are never changed in place, so the snapshot
 * after an event is a function of the state value, the context and the event: each is
 * computed once and kept (a check's chunks go through the same few states over and over).
 */
import type { SnapshotFrom } from "xstate";
import { chunkMachine, type ChunkEvent } from "./chunkMachine.ts";
import { inertTransition } from "./inertTransition.ts";

export type ChunkSnapshot = SnapshotFrom<typeof chunkMachine>;

const step = inertTransition(chunkMachine, { nrPages: 1, unitBytes: 4096 });

/** Snapshots after an event, by `keyOf`; emptied when it grows past MEMO_LIMIT. */
const memo = new Map<string, ChunkSnapshot>();
const MEMO_LIMIT = 10_000;

function keyOf(s: ChunkSnapshot, event: ChunkEvent): string {
  // The whole context and event, so that a field added to either is part of the key.
  return `${s.status}|${JSON.stringify(s.value)}|${JSON.stringify(s.context)}|${JSON.stringify(event)}`;
}

/** The snapshot after `event` (the machine's own `transition`, on the shared scope). */
export function chunkTransition(before: ChunkSnapshot, event: ChunkEvent): ChunkSnapshot {
  const key = keyOf(before, event);
  let next = memo.get(key);
  if (next === undefined) {
    next = step(before, event);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, next);
  }
  return next;
}

/** How many transitions are kept (for the tests). */
export function chunkTransitionsKept(): number {
  return memo.size;
}
