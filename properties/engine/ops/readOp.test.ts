/** The read op: one module and one line in the table; integrity judges what it returns. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PercpuAllocator } from "../../../impl/index.ts";
import { commandArbitrary, OpCommand } from "../../commands/index.ts";
import { integrity } from "../../invariants/integrity.ts";
import { replaySteps } from "../../runner/replay.ts";
import { findTarget } from "../../targets.ts";
import { describeStep, stepSchema, type Step } from "../step.ts";
import type { Target } from "../target.ts";

const CONFIG = {
  nrCpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2, 3],
  online: [0, 1, 2, 3],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};
const base = findTarget("kiran-2005-09")!;

/** A target whose reads of exactly 3 bytes come back with the first byte flipped. */
const lyingReads: Target = {
  ...base,
  id: "lying-reads",
  create(): PercpuAllocator {
    const a = base.create();
    return new Proxy(a, {
      get(target, key, receiver) {
        if (key !== "read") return Reflect.get(target, key, receiver) as unknown;
        return (addr: number, len: number) => {
          const r = target.read(addr, len);
          if (!r.ok || len !== 3) return r;
          const bytes = Uint8Array.from(r.value);
          bytes[0] = (bytes[0] as number) ^ 0xff;
          return { ok: true, value: bytes };
        };
      },
    });
  },
};

const steps = (...more: Step[]): Step[] => [{ op: "alloc", size: 8, align: 8, as: "o1" }, ...more];

describe("read", () => {
  it("is a step of the protocol, described as a script line", () => {
    const step = stepSchema.parse({ op: "read", obj: "o1", cpu: 2, offset: 0, len: 8 });
    expect(describeStep(step)).toBe("read(o1, cpu 2, 0, 8)");
    expect(stepSchema.safeParse({ op: "read", obj: "o1", cpu: 2, offset: 0, len: 0 }).success).toBe(
      false,
    );
  });

  it("returns zero after the allocation and the written bytes after a write", () => {
    const r = replaySteps(
      base,
      CONFIG,
      steps(
        { op: "read", obj: "o1", cpu: 2, offset: 0, len: 8 },
        { op: "write", obj: "o1", cpu: 2, offset: 2, hex: "abcd" },
        { op: "read", obj: "o1", cpu: 2, offset: 1, len: 4 },
      ),
      [integrity],
    );
    expect(r.violation).toBeUndefined();
    expect(r.ran).toEqual([0, 1, 2, 3]);
    expect(r.session.log.map((l) => l.returned).slice(1, 4)).toEqual([
      "0x0000000000000000",
      "0",
      "0x00abcd00",
    ]);
  });

  it("breaks integrity when it returns other bytes than were written", () => {
    const r = replaySteps(
      lyingReads,
      CONFIG,
      steps(
        { op: "write", obj: "o1", cpu: 1, offset: 0, hex: "0102" },
        { op: "read", obj: "o1", cpu: 1, offset: 0, len: 3 },
      ),
      [integrity],
    );
    expect(r.violation?.message).toBe(
      "integrity: read(o1, cpu 1, 0, 3) returned 0xfe0200, last written 0x010200",
    );
  });

  it("is made by the commands, with a small weight", () => {
    const caps = new Set(base.create().hello().capabilities);
    const cmds = fc.sample(commandArbitrary(base, caps), { seed: 3, numRuns: 600 });
    const reads = cmds.filter((c) => c instanceof OpCommand).length;
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(cmds.length / 20);
  });
});
