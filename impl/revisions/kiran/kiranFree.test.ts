/**
 * kiran-2005-09's free and per_cpu_ptr of an address that is not a live object: their
 * messages; and the work of a free (the walk of the bufctl list, then of the block list).
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { booted, expectErr } from "../testing.ts";
import { KiranAllocator } from "./kiranAllocator.ts";

describe("free", () => {
  /*
   * One block, one 4-byte object at its start p:
   *
   *   | p | free ... |
   *
   * Expect free(p + 4) and per_cpu_ptr(p + 4, 0) to be EINVAL naming the address as not a
   * live percpu pointer.
   */
  it("of an unknown address and per_cpu_ptr of one name the address", () => {
    const a = booted(new KiranAllocator());
    const p = unwrap(a.alloc(4, 4));
    const bad = (p + 4).toString(16);
    expectErr(a.free(p + 4), "EINVAL", `free: 0x${bad} is not a live percpu pointer`);
    expectErr(a.ptr(p + 4, 0), "EINVAL", `ptr: 0x${bad} is not a live percpu pointer`);
  });

  /*
   * One block, three objects a b c (bufctl list a b c, walked from c):
   *
   *   | a | b | c | free ... |
   *
   * Expect free(a) to count 3 bufctl visits (c, b, a) and 1 block visit: 4 loop iterations.
   */
  it("counts the bufctl walk and the block walk", () => {
    const a = booted(new KiranAllocator());
    const x = unwrap(a.alloc(4, 4));
    unwrap(a.alloc(4, 4));
    unwrap(a.alloc(4, 4));
    const before = a.work.loopIterations;
    unwrap(a.free(x));
    expect(a.work.loopIterations - before).toBe(4);
  });
});
