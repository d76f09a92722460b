/**
 * The system machine's `firstnotfull` (LKML [patch 2/11], Sep 2005): a full block that gets
 * room moves down before the pointer's block and the search skips it; the pointer's block
 * released at the tail leaves the pointer at the list head, so the next half makes a block
 * though a partial block is on the list; a block that fills sends the pointer to the first
 * partial block. Expect the machine's states to say so, and both kiran revisions to agree with
 * it step by step (refinement holds on these events).
 */
import { describe, expect, it } from "vitest";
import { transition } from "xstate";
import { REVISION_TARGETS } from "../properties/index.ts";
import { refinement } from "../properties/invariants/refinement.ts";
import { replayEvents } from "../properties/runner/modelCheck.ts";
import {
  abstractState,
  INITIAL_SYSTEM,
  systemMachine,
  type SystemContext,
  type SystemEvent,
} from "./systemMachine.ts";

const half: SystemEvent = { type: "obj.alloc", item: "half@8" };
const halfPage: SystemEvent = { type: "obj.alloc", item: "half@4096" };
const whole: SystemEvent = { type: "obj.alloc", item: "whole@8" };
const freeFull: SystemEvent = { type: "obj.free", from: "fullHalves" };
const freePartial = (at: number): SystemEvent => ({ type: "obj.free", from: "partial", at });

/** The contexts after each event, from boot. */
function contexts(events: readonly SystemEvent[]): SystemContext[] {
  let snapshot = systemMachine.resolveState({ value: "running", context: INITIAL_SYSTEM });
  return events.map((event) => {
    [snapshot] = transition(systemMachine, snapshot, event);
    return snapshot.context;
  });
}
const blocks = (c: SystemContext | undefined) => (c ? abstractState(c).blocks : []);
const pointer = (c: SystemContext | undefined) => c && [c.partial, c.firstNotFull];

/** The block filled, emptied to one half, then a half: a new block, the skipped one stays. */
const SKIPPED = [half, halfPage, freeFull, half];

describe("the system machine's firstnotfull", () => {
  it("skips a full block that got room and makes a block for the next half", () => {
    const cs = contexts(SKIPPED);
    // Filled: the pointer moves past it to the head (no partial block).
    expect(pointer(cs[1])).toEqual([0, 0]);
    // Room again: partial, at the first place, before the head: skipped.
    expect(pointer(cs[2])).toEqual([1, 1]);
    // The half makes a block at the tail, and the pointer names it.
    expect(blocks(cs[3])).toEqual(["partial:1", "partial:1"]);
    expect(pointer(cs[3])).toEqual([2, 1]);
  });

  it("moves the pointer to the head when the block it names is released last", () => {
    const cs = contexts([...SKIPPED, freePartial(1), half]);
    expect(pointer(cs[4])).toEqual([1, 1]);
    expect(blocks(cs[5])).toEqual(["partial:1", "partial:1"]);
  });

  it("keeps the pointer on its block when a block before it is released", () => {
    const cs = contexts([...SKIPPED, freePartial(0), half]);
    expect(pointer(cs[4])).toEqual([1, 0]);
    expect(blocks(cs[5])).toEqual(["full:2"]);
  });

  it("sends the pointer to the first partial block when a block fills", () => {
    const cs = contexts([...SKIPPED, whole]);
    expect(pointer(cs[4])).toEqual([2, 0]);
    const filled = contexts([...SKIPPED, half]);
    expect(pointer(filled[4])).toEqual([1, 0]);
    expect(blocks(filled[4])).toEqual(["full:2", "partial:1"]);
  });
});

describe.each(["kiran-2005-09", "kiran-2005-01"])("%s and the pointer", (id) => {
  const target = REVISION_TARGETS.find((t) => t.id === id);
  if (target === undefined) throw new Error(`${id} is a revision`);
  it.each([
    ["the skipped block", SKIPPED],
    ["the pointer at the head", [...SKIPPED, freePartial(1), half]],
    ["a block before the pointer released", [...SKIPPED, freePartial(0), half]],
    ["a whole past the pointer", [...SKIPPED, whole]],
    ["a fill past a skipped block", [...SKIPPED, half]],
  ])("agrees with the machine: %s", (_name, events) => {
    const r = replayEvents(target, events, [refinement]);
    expect(r.violation?.message).toBeUndefined();
    expect(r.ran).toEqual(events);
  });
});
