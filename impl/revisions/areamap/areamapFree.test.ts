/**
 * areamap-2009's free_percpu: the work of pcpu_chunk_addr_search (the model's walk of its chunk
 * list) and of the map lookup.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../result.ts";
import { booted } from "../testing.ts";
import { AreamapAllocator, UNIT_SIZE } from "./areamapAllocator.ts";

describe("free", () => {
  /*
   *   chunk list  [ first chunk | chunk 1 ]
   *   chunk 1     | p (32 KiB) |             map [ -32768 ]
   *
   * Expect free(p) to visit 2 chunks (2 loop iterations) and read 1 map entry.
   */
  it("counts the chunks it walks to find the address, and the entries it reads", () => {
    const a = booted(new AreamapAllocator(), { possible: [0, 1] });
    const p = unwrap(a.alloc(UNIT_SIZE, 4));
    const before = { ...a.work };
    unwrap(a.free(p));
    expect(a.work.loopIterations - before.loopIterations).toBe(2);
    expect(a.work.bitsScanned - before.bitsScanned).toBe(1);
  });
});
