import {
  conjunctNames,
  firstBroken,
  type Conjuncts,
  type Invariant,
  type StepContext,
} from "./invariant.ts";

const CONJUNCTS: Conjuncts<[StepContext]> = {
  /**
   * A valid request succeeds (ENOMEM only while an injected failure may fire, for an atomic
   * one, or for a reserved one with no sure fit in the reserved area).
   */
  granted(ctx) {
    const o = ctx.outcome;
    if (o.ok || (o.error === "ENOMEM" && (ctx.injectionPending || ctx.atomicMayFail)))
      return undefined;
    const s = ctx.step;
    const what =
      s.op === "alloc" && s.gfp !== undefined
        ? `alloc (GFP_${s.gfp.toUpperCase()}, which may sleep)`
        : s.op === "alloc" && s.reserved === true
          ? "reserved alloc"
          : s.op;
    const room =
      s.op === "alloc" && s.reserved === true && o.error === "ENOMEM"
        ? ` (${ctx.expectation.why.split("; ").slice(1).join("; ")})`
        : "";
    return `a valid ${what} failed with ${o.error} (${o.message})${o.error === "ENOMEM" ? ` with no injected failure pending${room}` : ""}`;
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
  /** A reserved object lies inside the reserved area the target declares. */
  inReservedArea(ctx) {
    const rec = ctx.record;
    const area = rec?.reserved;
    if (!ctx.outcome.ok || rec === undefined || area === undefined) return undefined;
    if (rec.ptr >= area.start && rec.ptr + rec.size <= area.start + area.size) return undefined;
    return `reserved ${rec.name} at 0x${rec.ptr.toString(16)} (${rec.size} bytes) is outside the declared reserved area [0x${area.start.toString(16)}, 0x${(area.start + area.size).toString(16)})`;
  },
};

/**
 * completeness: a valid request succeeds: an allocation within the limits gets memory unless an
 * injected page-allocation failure may still fire (the simulated machine has memory and
 * address space to spare in property runs), a live object's copy has an address for every
 * possible CPU, a valid free, write or hotplug event is accepted.
 *
 * A GFP_NOIO or GFP_NOFS request may sleep: it is judged as a GFP_KERNEL one ("mm, percpu: do
 * not consider sleepable allocations atomic", 2025, where they took the atomic path). A
 * reserved request may get ENOMEM only where the reserved area, which is never grown, has no
 * sure fit (impl/external/reservedArea.ts), and its object must lie in the declared area.
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
