import { firstDifference, firstNonZero, hex } from "../engine/observer.ts";
import type { Invariant } from "./invariant.ts";

/**
 * integrity: every copy reads back what was last written to it; writing one copy changes no
 * other copy and no other object (each step is followed by a read of every live copy).
 *
 * Source: per_cpu_ptr semantics (include/linux/percpu.h); the reclaim fix "percpu: flush tlb
 * in pcpu_reclaim_populated()" (v5.14), where stale mappings let a freed page be reached.
 * Cost: one `read` per live copy per step: O(L·P·size).
 */
export const integrity: Invariant = {
  id: "integrity",
  title: "every copy reads back what was last written to it, and nothing else changes it",
  source:
    "include/linux/percpu.h per_cpu_ptr; commit 'percpu: flush tlb in pcpu_reclaim_populated()'",
  cost: "O(L·P·size) per step",
  needs: [],
  afterStep(ctx) {
    for (const obj of ctx.model.liveObjects()) {
      for (const cpu of ctx.model.possible) {
        const bytes = ctx.observe.copyBytes(obj, cpu);
        if (!bytes.ok)
          return `reading ${obj.name}@cpu${cpu} failed: ${bytes.error} ${bytes.message}`;
        const want = obj.contents.get(cpu);
        const got = bytes.value;
        const at = want ? firstDifference(got, want) : firstNonZero(got);
        if (at >= 0 && at < obj.size) {
          const exp = want ? (want[at] as number) : 0;
          const addr = obj.copies.get(cpu) ?? 0;
          return `${obj.name}@cpu${cpu} reads 0x${(got[at] as number).toString(16).padStart(2, "0")} at offset ${at} (${hex(addr + at)}), last written 0x${exp.toString(16).padStart(2, "0")}`;
        }
      }
    }
    return undefined;
  },
};
