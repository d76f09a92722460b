import { MachineError } from "../machine/index.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "../revisions/index.ts";
import type { MutantEntry } from "./mutant.ts";

/** The memset of a new object runs one currency unit past its end, into a neighbour. */
class KiranZeroPastObject extends KiranAllocator {
  protected override zeroCopies(addr: number, size: number): void {
    const block = this.blocks[this.findBlock(addr)];
    const sliceEnd = (block?.start ?? addr) + PCPU_BLKSIZE;
    const len = Math.min(
      Math.ceil(size / this.currency) * this.currency + this.currency,
      sliceEnd - addr,
    );
    for (const cpu of this.machine.cpus.possibleList) {
      const r = this.machine.fill(addr + cpu * PCPU_BLKSIZE, len, 0);
      if (!r.ok) throw new MachineError(r.message);
    }
  }
}

export const kiranZeroPastObject: MutantEntry = {
  id: "kiran-zero-past-object",
  revision: "kiran-2005-09",
  description:
    "the new object is cleared for its rounded size plus one currency unit, clobbering the next object",
  source: 'LKML Jan 2005 review of the clearing ("Can use __GFP_ZERO here"); memset length bugs',
  expected: ["integrity"],
  create: () => new KiranZeroPastObject(),
};
