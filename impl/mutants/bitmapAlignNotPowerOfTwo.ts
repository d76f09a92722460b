import { BitmapAllocator, type SizeAlign } from "../revisions/index.ts";
import { PAGE_SIZE } from "../machine/index.ts";
import { isIntIn, type Result } from "../result.ts";
import type { MutantEntry } from "./mutant.ts";

/**
 * pcpu_alloc without its `!is_power_of_2(align)`: an alignment up to PAGE_SIZE that is not a
 * power of two is served (as 2.6.30's pcpu_alloc did, which areamap-2009 models), here at the
 * next power of two so that the bitmap search stays sound, where 6.12 refuses it with a WARN
 * and NULL.
 *
 *   alloc(8, 3) -> a pointer aligned to 4, where EINVAL was due
 */
class BitmapAlignNotPowerOfTwo extends BitmapAllocator {
  protected override checkSizeAlign(size: number, align: number): Result<SizeAlign> {
    const up = isIntIn(align, 1, PAGE_SIZE) ? 2 ** Math.ceil(Math.log2(align)) : align;
    return super.checkSizeAlign(size, up);
  }
}

export const bitmapAlignNotPowerOfTwo: MutantEntry = {
  id: "bitmap-align-not-power-of-two",
  revision: "bitmap-2017",
  description:
    "pcpu_alloc drops '!is_power_of_2(align)': an alignment that is not a power of two is served (at the next power of two), not refused",
  source:
    "mm/percpu.c 6.12 pcpu_alloc: 'if (unlikely(!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE || !is_power_of_2(align)))', a check 2.6.30's pcpu_alloc did not have",
  expected: ["bad-align"],
  create: () => new BitmapAlignNotPowerOfTwo(),
};
