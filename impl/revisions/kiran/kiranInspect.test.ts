/**
 * kiran-2005-09's `inspect`: the objects (pointer, block, offset in the block) and the
 * white-box detail's design name.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { KiranAllocator, PCPU_BLKSIZE } from "./kiranAllocator.ts";

describe("inspect", () => {
  /*
   * Two blocks: block 0 full with one 8 KiB object, block 1 with a 4-byte and an 8-byte
   * object:
   *
   *   block 0: | x (8 KiB)            |      block 1: | y | z z | free ... |
   *            0                                      0   4   (aligned 8: offset 8)
   *
   * Expect the objects in bufctl order with their block ids and offsets 0, 0, 8, and the
   * detail's design "kiran-2005".
   */
  it("lists each object's block and offset, and names the design", () => {
    const a = booted(new KiranAllocator());
    const x = unwrap(a.alloc(PCPU_BLKSIZE, 4));
    const y = unwrap(a.alloc(4, 4));
    const z = unwrap(a.alloc(8, 8));
    const view = unwrap(a.inspect());
    expect(view.objects).toEqual([
      { ptr: x, block: 0, offset: 0 },
      { ptr: y, block: 1, offset: 0 },
      { ptr: z, block: 1, offset: 8 },
    ]);
    expect(z - y).toBe(8);
    expect(a.detailView().design).toBe("kiran-2005");
    expect((view.detail as { design: string }).design).toBe("kiran-2005");
  });
});
