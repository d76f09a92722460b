/**
 * The operation table: every step the schema accepts has one module, which describes it,
 * renames its objects and scopes its pages; a session logs what each step returned.
 */
import { describe, expect, it } from "vitest";
import { findTarget } from "../../targets.ts";
import { renameObjects } from "../../runner/minimize.ts";
import { Session } from "../session.ts";
import { describeStep, stepSchema, type Step } from "../step.ts";
import { opOf, OPS } from "./index.ts";

const ONE_OF_EACH: Step[] = [
  { op: "alloc", size: 24, align: 8, as: "o7" },
  { op: "free", obj: "o7", offset: 4 },
  { op: "write", obj: "o7", cpu: 1, offset: 0, hex: "abcd" },
  { op: "ptr", obj: "o7", cpu: 9 },
  { op: "cpu_add", cpu: 3 },
  { op: "cpu_remove", cpu: 3 },
  { op: "cpu_up", cpu: 2 },
  { op: "cpu_down", cpu: 2 },
  { op: "fail_page_alloc", after: 2, count: 1 },
  { op: "reclaim" },
  { op: "read", obj: "o7", cpu: 1, offset: 0, len: 8 },
  { op: "fill", count: 3, size: 16, align: 8, as: "o9" },
  { op: "drain", every: 2, count: 1 },
];

const CONFIG = {
  nrCpus: 8,
  possible: [0, 1, 2, 3],
  present: [0, 1, 2],
  online: [0, 1],
  cpuToNode: [0, 0, 0, 0, 0, 0, 0, 0],
  nrNodes: 1,
  pageSize: 4096,
};

describe("the operation table", () => {
  it("has one module per op, in the step schema's order", () => {
    expect(OPS.map((o) => o.op)).toEqual(ONE_OF_EACH.map((s) => s.op));
    for (const step of ONE_OF_EACH) {
      expect(opOf(step).op).toBe(step.op);
      expect(stepSchema.parse(step)).toEqual(step);
    }
  });

  it("describes each step as before the table", () => {
    expect(ONE_OF_EACH.map(describeStep)).toEqual([
      "alloc(24, 8) -> o7",
      "free(o7+4)",
      "write(o7@cpu1+0, 2 bytes 0xabcd)",
      "ptr(o7, cpu 9)",
      "cpu_add(3)",
      "cpu_remove(3)",
      "cpu_up(2)",
      "cpu_down(2)",
      "fail_page_alloc(after 2, count 1)",
      "reclaim()",
      "read(o7, cpu 1, 0, 8)",
      "fill(3 x alloc(16, 8)) -> o9..o11",
      "drain(every 2, 1)",
    ]);
  });

  it("renames every object a step names through its own module", () => {
    const renamed = renameObjects(ONE_OF_EACH).map(describeStep);
    expect(renamed[10]).toBe("read(o1, cpu 1, 0, 8)");
    expect(renamed[11]).toBe("fill(3 x alloc(16, 8)) -> o2..o4");
    expect(renamed.slice(0, 4)).toEqual([
      "alloc(24, 8) -> o1",
      "free(o1+4)",
      "write(o1@cpu1+0, 2 bytes 0xabcd)",
      "ptr(o1, cpu 9)",
    ]);
  });

  it("refuses a step that names neither an object nor an address, by its module's rule", () => {
    expect(stepSchema.safeParse({ op: "free" }).error?.issues[0]?.message).toBe(
      'a free names either "obj" or "ptr"',
    );
  });

  it("logs what each step returned, as the kernel prints it", () => {
    const session = new Session({
      target: findTarget("kiran-2005-09")!,
      config: CONFIG,
      invariants: [],
    });
    session.execute({ op: "alloc", size: 8, align: 8, as: "o1" });
    session.execute({ op: "alloc", size: 0, align: 8, as: "o2" });
    session.execute({ op: "free", obj: "o1" });
    const [alloc, bad, free] = session.log;
    expect(alloc?.returned).toMatch(/^0x[0-9a-f]+$/);
    expect(bad?.returned).toBe("-EINVAL");
    expect(free?.returned).toBe("0");
  });
});
