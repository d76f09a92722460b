import {
  conjunctNames,
  firstBroken,
  type Conjuncts,
  type Invariant,
  type StepContext,
} from "./invariant.ts";

const CONJUNCTS: Conjuncts<[StepContext]> = {
  /** A valid request succeeds (ENOMEM only while an injected failure may fire, or atomic). */
  granted(ctx) {
    const o = ctx.outcome;
    if (o.ok || (o.error === "ENOMEM" && (ctx.injectionPending || ctx.atomicMayFail)))
      return undefined;
    return `a valid ${ctx.step.op} failed with ${o.error} (${o.message})${o.error === "ENOMEM" ? " with no injected failure pending" : ""}`;
  },
  /** A new object has an address on every possible CPU. */
  addressable(ctx) {
    if (!ctx.outcome.ok || ctx.step.op !== "alloc" || ctx.record === undefined) return undefined;
    for (const cpu of ctx.model.possible) {
      const addr = ctx.observe.copyAddr(ctx.record, cpu);
      if (!addr.ok)
        return `ptr(${ctx.record.name}, cpu ${cpu}) failed: ${addr.error} ${addr.message}`;
    }
    return undefined;
  },
};

/**
 * completeness: a valid request succeeds: an allocation within the limits gets memory unless an
 * injected page-allocation failure may still fire (the simulated machine has memory and
 * address space to spare in property runs), a live object's copy has an address for every
 * possible CPU, a valid free, write or hotplug event is accepted.
 *
 * What does not hold: an atomic request (GFP_ATOMIC) to a design that serves it from populated
 * pages only (Target.atomicFromPopulated: bitmap-2017, and any external harness, which
 * docs/protocol.md lets fail one) may get ENOMEM with memory to spare: "atomic alloc failed, no
 * space left" in pcpu_alloc; __alloc_percpu_gfp "is a lot more likely to fail".
 *
 * Source: the bitmap allocator's fixes "percpu: fix iteration to prevent skipping over block"
 * (2017) and "percpu: do not search past bitmap when allocating an area" (2019), where free
 * space was skipped and a request failed with a false ENOMEM.
 * Cost: O(1) per step, O(P) per allocation.
 */
export const completeness: Invariant = {
  id: "completeness",
  title: "a valid request succeeds (no false ENOMEM or EINVAL)",
  source:
    "commits 'percpu: fix iteration to prevent skipping over block' (2017), 'percpu: do not search past bitmap' (2019)",
  cost: "O(1) per step, O(P) per allocation",
  needs: [],
  conjuncts: conjunctNames(CONJUNCTS),
  afterStep(ctx) {
    if (!ctx.expectation.valid) return undefined;
    return firstBroken(CONJUNCTS, ctx);
  },
};
