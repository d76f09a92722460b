/**
 * data-race: a shared field the kernel protects by a lock, written in a section of one thread and
 * read or written in a section of another with no lock held in common by both, is a race (the
 * pairs KCSAN reports, judged here by locksets as Eraser does: the two sections need not have
 * run at the same instant, since nothing but a common lock orders two threads' sections).
 */
import type { Finding } from "./finding.ts";
import type { SharedField } from "../../impl/sections/index.ts";

export type { SharedField };

/** One read or write of a field in one section. */
export interface Access {
  readonly step: number;
  readonly thread: string;
  /** The call and section: "alloc 8: watermark read". */
  readonly section: string;
  readonly field: string;
  readonly write: boolean;
  /** The locks that exclude (mutexes, spinlocks) held by the section. */
  readonly held: readonly string[];
}

/** One finding per racing field: the first pair of sections in the run. */
export function findRaces(accesses: readonly Access[], shared: readonly SharedField[]): Finding[] {
  const findings: Finding[] = [];
  for (const declared of shared) {
    const mine = accesses.filter((a) => a.field === declared.field);
    const pair = firstRace(mine);
    if (pair === undefined) continue;
    const [a, b] = pair;
    findings.push({
      invariant: "data-race",
      message:
        `data-race on ${declared.field} (protected by ${declared.protectedBy.name}): ` +
        `${describe(a)} and ${describe(b)}, with no lock held in common`,
    });
  }
  return findings;
}

function firstRace(accesses: readonly Access[]): [Access, Access] | undefined {
  for (let j = 0; j < accesses.length; j++) {
    const b = accesses[j] as Access;
    for (let i = 0; i < j; i++) {
      const a = accesses[i] as Access;
      if (a.thread === b.thread || (!a.write && !b.write)) continue;
      if (!a.held.some((l) => b.held.includes(l))) return [a, b];
    }
  }
  return undefined;
}

function describe(a: Access): string {
  const held = a.held.length === 0 ? "holding nothing" : `holding ${a.held.join(", ")}`;
  return `${a.thread} ${a.write ? "writes" : "reads"} it in "${a.section}" (step ${a.step}, ${held})`;
}
