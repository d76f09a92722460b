import { firstDifference, firstNonZero, hex } from "../engine/observer.ts";
import { judgedCopies } from "./copies.ts";
import type { Invariant } from "./invariant.ts";

/**
 * integrity: every copy reads back what was last written to it; writing one copy changes no
 * other copy and no other object. After each step the copies the step could have changed are
 * read (those on the pages it touched, see engine/scope.ts); a full audit reads every copy.
 *
 * Source: per_cpu_ptr semantics (include/linux/percpu.h); the reclaim fix "percpu: flush tlb
 * in pcpu_reclaim_populated()" (v5.14), where stale mappings let a freed page be reached.
 * Cost: one `read` per page the step touched, O(bytes on those pages); an audit (every K steps
 * and at the end) reads every page holding a live copy: O(L·P·size).
 */
export const integrity: Invariant = {
  id: "integrity",
  title: "every copy reads back what was last written to it, and nothing else changes it",
  source:
    "include/linux/percpu.h per_cpu_ptr; commit 'percpu: flush tlb in pcpu_reclaim_populated()'",
  cost: "O(bytes on the pages a step touched); O(L·P·size) per audit",
  needs: [],
  afterStep(ctx) {
    const judged = judgedCopies(ctx);
    if ("problem" in judged) return judged.problem;
    for (const { obj, cpu, start, end } of judged.copies) {
      const bytes = ctx.observe.bytesAt(start, end - start);
      if (!bytes.ok) return `reading ${obj.name}@cpu${cpu} failed: ${bytes.error} ${bytes.message}`;
      const want = obj.contents.get(cpu);
      const got = bytes.value;
      const at = want ? firstDifference(got, want) : firstNonZero(got);
      if (at >= 0 && at < obj.size) {
        const exp = want ? (want[at] as number) : 0;
        return `${obj.name}@cpu${cpu} reads 0x${(got[at] as number).toString(16).padStart(2, "0")} at offset ${at} (${hex(start + at)}), last written 0x${exp.toString(16).padStart(2, "0")}`;
      }
    }
    return undefined;
  },
};
