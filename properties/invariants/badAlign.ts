import { BAD_INPUT_CONJUNCTS } from "./badInput.ts";
import { conjunctNames, firstBroken, type Invariant } from "./invariant.ts";

/**
 * bad-align: an alignment that is not a power of two (0 included, where the target does not
 * take 0) gets EINVAL, and nothing changes: bad-input's conjuncts on the requests bad-input
 * leaves out.
 *
 * What does not hold: areamap-2009. pcpu_alloc of 2.6.30 checks only `align > PAGE_SIZE` and
 * serves any other alignment at the kernel's ALIGN(off, align). A separate invariant, so that
 * this failure by design leaves bad-input (a double free, an interior pointer) judged there.
 *
 * Source: docs/protocol.md "Error codes"; mm/percpu.c pcpu_alloc's `!is_power_of_2(align)`
 * (6.12), absent from 2.6.30's.
 * Cost: as bad-input, O(L·P) per such request.
 */
export const badAlign: Invariant = {
  id: "bad-align",
  title: "an alignment that is not a power of two gets EINVAL and changes nothing",
  source: "docs/protocol.md error codes; mm/percpu.c pcpu_alloc's is_power_of_2 check",
  cost: "O(L·P) per such request",
  needs: [],
  conjuncts: conjunctNames(BAD_INPUT_CONJUNCTS),
  afterStep(ctx) {
    if (ctx.expectation.valid || !ctx.expectation.badAlign) return undefined;
    return firstBroken(BAD_INPUT_CONJUNCTS, ctx);
  },
};
