/**
 * The shared-scope transition (chunkTransition.ts) against xstate's own `transition` on
 * random event sequences at a fixed seed: the same state value, context and status after
 * every event, refused events included (xstate leaves the snapshot as it was).
 */
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { transition } from "xstate";
import { describe, expect, it } from "vitest";
import { chunkMachine, newChunkContext, type ChunkEvent } from "./chunkMachine.ts";
import { chunkTransition, chunkTransitionsKept } from "./chunkTransition.ts";

const UNIT = 32768;
const small = fc.integer({ min: 0, max: 8 });
const bytes = fc.integer({ min: 0, max: 8 }).map((n) => n * 4096);
const event: fc.Arbitrary<ChunkEvent> = fc.oneof(
  fc.record({ type: fc.constant("obj.alloc" as const), bytes, emptyPopulated: small }),
  fc.record({
    type: fc.constant("obj.free" as const),
    bytes,
    emptyPopulated: small,
    globalEmpty: fc.integer({ min: 0, max: 16 }),
  }),
  fc.record({ type: fc.constant("alloc.unwind" as const), bytes }),
  fc.record({ type: fc.constant("pages.populate" as const), pages: small }),
  fc.record({ type: fc.constant("pages.depopulate" as const), pages: small }),
  fc.constantFrom<ChunkEvent>(
    { type: "chunk.sideline" },
    { type: "chunk.reintegrate" },
    { type: "chunk.destroy" },
  ),
);

describe("chunkTransition", () => {
  it("gives xstate's transition's snapshot after every event of random sequences", () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let slow = chunkMachine.resolveState({
          value: { holding: "empty", lists: "slot" },
          context: newChunkContext(8, UNIT),
        });
        let fast = slow;
        for (const e of events) {
          const [next] = transition(chunkMachine, slow, e);
          if (!isDeepStrictEqual(next.context, slow.context)) taken++;
          slow = next;
          fast = chunkTransition(fast, e);
          expect(fast.value).toEqual(slow.value);
          expect(fast.context).toEqual(slow.context);
          expect(fast.status).toBe(slow.status);
        }
      }),
      { seed: 20051, numRuns: 300 },
    );
    // The sequences change the chunk, not only have their events refused.
    expect(taken).toBeGreaterThan(300);
  });

  it("answers a transition it has made before from what it kept, with the same snapshot", () => {
    const events: ChunkEvent[] = [
      { type: "pages.populate", pages: 2 },
      { type: "obj.alloc", bytes: 4096, emptyPopulated: 1 },
      { type: "obj.free", bytes: 4096, emptyPopulated: 2, globalEmpty: 2 },
    ];
    const start = chunkMachine.resolveState({
      value: { holding: "empty", lists: "slot" },
      context: newChunkContext(8, UNIT),
    });
    const walk = () => events.reduce((s, e) => chunkTransition(s, e), start);
    const first = walk();
    const kept = chunkTransitionsKept();
    const again = walk();
    expect(chunkTransitionsKept()).toBe(kept);
    expect(again.value).toEqual(first.value);
    expect(again.context).toEqual({ ...newChunkContext(8, UNIT), populated: 2, emptyPopulated: 2 });
  });
});
