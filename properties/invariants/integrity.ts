import { pagesOf, type Copy } from "../engine/copyIndex.ts";
import { firstDifference, firstNonZero, hex } from "../engine/observer.ts";
import { describeStep } from "../engine/step.ts";
import { auditCopies } from "./copies.ts";
import type { Invariant, StepContext } from "./invariant.ts";

/**
 * integrity: every copy reads back what was last written to it; writing one copy changes no
 * other copy and no other object. After each step the pages it could have changed are read
 * (engine/scope.ts) and compared whole with their last verified content plus the step's own
 * changes (engine/pageShadow.ts); a page that differs is checked copy by copy. A full audit
 * reads every live copy at the address the allocator gives now.
 *
 * Source: per_cpu_ptr semantics (include/linux/percpu.h); the reclaim fix "percpu: flush tlb
 * in pcpu_reclaim_populated()" (v5.14), where stale mappings let a freed page be reached.
 * Cost: one `read` and one page compare per page the step touched; copy by copy only where a
 * page changed otherwise; an audit (every K steps and at the end) reads every page holding a
 * live copy: O(L·P) `ptr`s and O(pages) compares. A step that returns bytes (read) returns
 * what was last written there (`Expectation.returns`).
 */
export const integrity: Invariant = {
  id: "integrity",
  title: "every copy reads back what was last written to it, and nothing else changes it",
  source:
    "include/linux/percpu.h per_cpu_ptr; commit 'percpu: flush tlb in pcpu_reclaim_populated()'",
  cost: "O(pages the step touched); O(L·P) per audit",
  needs: [],
  afterStep(ctx) {
    const returned = wrongReturn(ctx);
    if (returned !== undefined) return returned;
    let pages: readonly number[];
    let onPage: (page: number) => readonly Copy[];
    if (ctx.scope.audit) {
      const judged = auditCopies(ctx);
      if ("problem" in judged) return judged.problem;
      const byPage = new Map<number, Copy[]>();
      for (const c of judged.copies) {
        for (const page of pagesOf(c.start, c.end)) {
          const list = byPage.get(page);
          if (list === undefined) byPage.set(page, [c]);
          else list.push(c);
        }
      }
      pages = [...byPage.keys()];
      onPage = (page) => byPage.get(page) ?? [];
    } else {
      pages = ctx.scope.pages;
      onPage = (page) => ctx.copies.copiesOn(page, page + 1).filter((c) => c.obj.live);
    }
    const own = ctx.step.op === "alloc" || ctx.step.op === "write" ? ctx.record : undefined;
    // Where the step's object overlaps another copy, its expected bytes would hide the other's:
    // no page is taken whole then, every copy is read.
    const whole =
      own === undefined ||
      ctx.copies.copiesOf(own).every((c) => ctx.copies.overlapping(c) === undefined);
    for (const page of pages) {
      const now = ctx.observe.pageBytes(page);
      if (whole && now.ok && ctx.shadow.matches(page, now.value, own)) continue;
      const copies = onPage(page);
      if (copies.length === 0) continue;
      for (const c of copies) {
        const wrong = wrongCopy(ctx, c);
        if (wrong !== undefined) return wrong;
      }
      if (now.ok) ctx.shadow.set(page, now.value);
    }
    return undefined;
  },
};

/** Why the bytes a step returned are not the ones the model expects, or undefined. */
function wrongReturn(ctx: StepContext): string | undefined {
  const want = ctx.expectation.returns;
  if (want === undefined || !ctx.outcome.ok) return undefined;
  const got = ctx.outcome.value;
  const text = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
  if (!(got instanceof Uint8Array) || got.length !== want.length) {
    return `${describeStep(ctx.step)} returned ${got instanceof Uint8Array ? `${got.length} bytes` : String(got)}, expected ${want.length} bytes`;
  }
  if (firstDifference(got, want) === want.length) return undefined;
  return `${describeStep(ctx.step)} returned ${text(got)}, last written ${text(want)}`;
}

/** Why a copy does not read what was last written to it, or undefined. */
function wrongCopy(ctx: StepContext, { obj, cpu, start, end }: Copy): string | undefined {
  const bytes = ctx.observe.bytesAt(start, end - start);
  if (!bytes.ok) return `reading ${obj.name}@cpu${cpu} failed: ${bytes.error} ${bytes.message}`;
  const want = obj.contents.get(cpu);
  const got = bytes.value;
  const at = want ? firstDifference(got, want) : firstNonZero(got);
  if (at >= 0 && at < obj.size) {
    const exp = want ? (want[at] as number) : 0;
    return `${obj.name}@cpu${cpu} reads 0x${(got[at] as number).toString(16).padStart(2, "0")} at offset ${at} (${hex(start + at)}), last written 0x${exp.toString(16).padStart(2, "0")}`;
  }
  return undefined;
}
