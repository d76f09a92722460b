import { BitmapAllocator } from "../revisions/index.ts";
import { MachineError } from "../machine/index.ts";
import { err, ok, type Result } from "../result.ts";
import type { PcpuChunk } from "../revisions/bitmap/pcpuChunk.ts";
import { BITMAP_DATA_OWNER } from "../revisions/bitmap/percpuVm.ts";
import type { MutantEntry } from "./mutant.ts";

/** BITS_PER_LONG on x86_64. */
const BITS_PER_LONG = 64;

/**
 * The units pcpu_populate_chunk maps, as a mask in one unsigned long, `(1UL << nr_units) - 1`:
 * x86's shift takes its count modulo 64, so with 64 units the mask is 0 and with 65 it is 1.
 * Below 64 units it is every unit.
 */
function unitsMapped(nrUnits: number): number {
  return nrUnits < BITS_PER_LONG ? nrUnits : nrUnits % BITS_PER_LONG;
}

/**
 * pcpu_populate_chunk walks the units of a one-long mask: with 64 possible CPUs or more the
 * shift wraps and the pages of the units past the mask are never allocated nor mapped, so a
 * new object's copies on those CPUs are not backed. Only with 64 possible CPUs or more.
 */
class BitmapUnitMaskWraps extends BitmapAllocator {
  protected override populateChunk(chunk: PcpuChunk, rs: number, re: number): Result<void> {
    if (this.nrUnits < BITS_PER_LONG) return super.populateChunk(chunk, rs, re);
    const m = this.machine;
    const array = this.getPages();
    if (!array.ok) return array;
    const mapped = unitsMapped(this.nrUnits);
    const cpus = m.cpus.possibleList.filter((cpu) => (this.unitOf.get(cpu) ?? 0) < mapped);
    const got: { cpu: number; page: number; pfn: number }[] = [];
    for (const cpu of cpus) {
      for (let page = rs; page < re; page++) {
        const frame = m.pages.alloc({
          node: m.cpus.cpuToNode(cpu),
          highmem: true,
          owner: BITMAP_DATA_OWNER,
        });
        if (!frame.ok) {
          this.unwindPages(got.map((g) => g.pfn));
          return err("ENOMEM", `pcpu_populate_chunk: page ${page} of cpu ${cpu}: ${frame.message}`);
        }
        got.push({ cpu, page, pfn: frame.value.pfn });
      }
    }
    for (const g of got) {
      const pages = chunk.pages.get(g.cpu);
      if (pages === undefined) throw new MachineError(`${this.name}: cpu ${g.cpu} has no pages`);
      m.vmalloc.map(this.pageAddr(chunk, g.cpu, g.page), g.pfn);
      pages[g.page] = g.pfn;
    }
    return ok();
  }
}

export const bitmapUnitMaskWraps: MutantEntry = {
  id: "bitmap-unit-mask-wraps",
  revision: "bitmap-2017",
  description:
    "pcpu_populate_chunk maps the units of a one-long mask (1UL << nr_units) - 1: with 64 possible CPUs the shift wraps and no unit gets pages",
  source:
    "mm/percpu-vm.c pcpu_populate_chunk, 'for_each_possible_cpu(cpu)' over every unit (percpu: replace area map allocator with bitmap, 2017); the mask is the mutant's, x86's SHL counts modulo 64",
  expected: ["no-oops"],
  deep: "cpus-64",
  create: () => new BitmapUnitMaskWraps(),
};
