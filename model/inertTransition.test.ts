/**
 * The shared-scope transition (inertTransition.ts) against xstate's own `transition`, on the
 * machines whose events a check runs through it: the system machine (the model round's walks)
 * and the 2005 block machine (the block-lifecycle invariant). Random sequences at a fixed seed;
 * after every event, the same state value, context and status, refused events included.
 */
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import { transition } from "xstate";
import { describe, expect, it } from "vitest";
import { blockMachine, type BlockEvent } from "./blockMachine.ts";
import { inertTransition } from "./inertTransition.ts";
import { INITIAL_SYSTEM, systemEvents, systemMachine } from "./systemMachine.ts";

interface Seen {
  readonly value: unknown;
  readonly context: unknown;
  readonly status: string;
}

function expectSame(fast: Seen, slow: Seen) {
  expect(fast.value).toEqual(slow.value);
  expect(fast.context).toEqual(slow.context);
  expect(fast.status).toBe(slow.status);
}

describe("inertTransition", () => {
  it("gives the system machine's snapshot after every event of random walks", () => {
    const step = inertTransition(systemMachine);
    let taken = 0;
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1023 }), { maxLength: 60, size: "max" }), (picks) => {
        let slow = systemMachine.resolveState({ value: "running", context: INITIAL_SYSTEM });
        let fast = slow;
        for (const pick of picks) {
          const offered = systemEvents(slow.context);
          const event = offered[pick % offered.length];
          if (event === undefined) break;
          const [next] = transition(systemMachine, slow, event);
          if (!isDeepStrictEqual(next.context, slow.context)) taken++;
          slow = next;
          fast = step(fast, event);
          expectSame(fast, slow);
        }
      }),
      { seed: 20051, numRuns: 200 },
    );
    // The walks change the system, not only have their events refused.
    expect(taken).toBeGreaterThan(1000);
  });

  it("gives the block machine's snapshot after every event, refused ones included", () => {
    const step = inertTransition(blockMachine, { capacity: 1 });
    const units = fc.integer({ min: 1, max: 5 });
    const event: fc.Arbitrary<BlockEvent> = fc.oneof(
      fc.record({ type: fc.constant("obj.alloc" as const), units }),
      fc.record({ type: fc.constant("obj.free" as const), units }),
      fc.constantFrom<BlockEvent>(
        { type: "block.reserve" },
        { type: "populate.done" },
        { type: "populate.enomem" },
        { type: "block.release" },
      ),
    );
    let refused = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(event, { maxLength: 40 }),
        (capacity, events) => {
          let slow = blockMachine.resolveState({
            value: "unreserved",
            context: { capacity, objects: [] },
          });
          let fast = slow;
          for (const e of events) {
            const [next] = transition(blockMachine, slow, e);
            if (next === slow || isDeepStrictEqual(next.context, slow.context)) refused++;
            slow = next;
            fast = step(fast, e);
            expectSame(fast, slow);
          }
        },
      ),
      { seed: 20051, numRuns: 300 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
