import type { KiranDetail } from "../../impl/index.ts";
import { formatAddr } from "../../impl/index.ts";
import { conjunctNames, firstBroken, type Conjuncts, type StepContext } from "./invariant.ts";
import { whiteBoxInvariant } from "./whiteBox.ts";

const CONJUNCTS: Conjuncts<[KiranDetail, StepContext]> = {
  listed_block({ bufctls, list }) {
    const blocks = new Set(list.map((b) => b.id));
    const c = bufctls.find((x) => !blocks.has(x.block));
    return c === undefined
      ? undefined
      : `the bufctl of ${formatAddr(c.addr)} points at block ${c.block}, which is not on the list`;
  },
  one_per_object(detail, ctx) {
    const seen = bufctlsAt(detail);
    for (const o of ctx.model.liveObjects()) {
      const n = seen.get(o.ptr) ?? 0;
      if (n !== 1) return `${o.name} (${formatAddr(o.ptr)}) has ${n} bufctls, expected 1`;
    }
    return undefined;
  },
  no_stale(detail, ctx) {
    const seen = bufctlsAt(detail);
    for (const o of ctx.model.liveObjects()) seen.delete(o.ptr);
    const [stale] = seen.keys();
    return stale === undefined
      ? undefined
      : `a bufctl for ${formatAddr(stale)} remains, but no live object is there`;
  },
};

/**
 * kiran-bufctls: the bufctl list holds exactly one entry per live object, at the pointer the
 * allocation returned, each in a block that is on the list.
 *
 * Source: LKML [patch 2/11] (Sep 2005): free_percpu finds the object by walking the bufctl
 * list; a missing bufctl makes a valid free fail, a stale one lets a freed pointer be freed
 * again.
 * Cost: one `inspect` detail per audit (every K steps and at the end of a run): O(live objects).
 */
export const kiranBufctls = whiteBoxInvariant<KiranDetail>({
  id: "kiran-bufctls",
  title: "the bufctl list equals the live objects, one entry each, in listed blocks",
  source: "LKML [patch 2/11] Sep 2005: the bufctl list walked by free_percpu",
  cost: "O(live objects) per audit",
  design: "kiran-2005",
  conjuncts: conjunctNames(CONJUNCTS),
  judge: (detail, ctx) => firstBroken(CONJUNCTS, detail, ctx),
});

/** The bufctls at each address. */
function bufctlsAt(detail: KiranDetail): Map<number, number> {
  const seen = new Map<number, number>();
  for (const c of detail.bufctls) seen.set(c.addr, (seen.get(c.addr) ?? 0) + 1);
  return seen;
}
