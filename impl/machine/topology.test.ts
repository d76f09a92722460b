import { describe, expect, it } from "vitest";
import {
  CpuSets,
  MAX_NR_CPUS,
  MAX_NUMNODES,
  topologyProblem,
  validateTopology,
  type TopologyInput,
} from "./index.ts";
import type { Result } from "../result.ts";

/** 4 CPUs on 2 nodes; 0..2 possible, 0..1 present, 0..1 online (CPU 3 impossible). */
function topo(overrides: Partial<TopologyInput> = {}): TopologyInput {
  return {
    nrCpus: 4,
    nrNodes: 2,
    cpuToNode: [0, 0, 1, 1],
    possible: [0, 1, 2],
    present: [0, 1],
    online: [0, 1],
    ...overrides,
  };
}

/** Asserts an EINVAL whose message contains every fragment. */
function expectEinval(r: Result<void>, ...fragments: string[]): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error).toBe("EINVAL");
  for (const f of fragments) expect(r.message).toContain(f);
}

describe("validateTopology", () => {
  it("accepts a well-formed topology", () => {
    expect(validateTopology(topo()).ok).toBe(true);
  });

  it("accepts the boundaries: 1 CPU on 1 node, and 512 CPUs on 64 nodes", () => {
    expect(
      validateTopology({
        nrCpus: 1,
        nrNodes: 1,
        cpuToNode: [0],
        possible: [0],
        present: [0],
        online: [0],
      }).ok,
    ).toBe(true);
    const all = Array.from({ length: MAX_NR_CPUS }, (_, i) => i);
    expect(
      validateTopology({
        nrCpus: MAX_NR_CPUS,
        nrNodes: MAX_NUMNODES,
        cpuToNode: all.map((c) => c % MAX_NUMNODES),
        possible: all,
        present: all,
        online: all,
      }).ok,
    ).toBe(true);
  });

  it.each([0, -1, 513, 1.5, Number.NaN])("refuses nr_cpus %s (range 1..512)", (nrCpus) => {
    expectEinval(validateTopology(topo({ nrCpus, cpuToNode: [0, 0, 1, 1] })), "nr_cpus", "1..512");
  });

  it.each([0, 65, 2.5])("refuses nr_nodes %s (range 1..64)", (nrNodes) => {
    expectEinval(validateTopology(topo({ nrNodes })), "nr_nodes", "1..64");
  });

  it("refuses cpu_to_node with the wrong length", () => {
    expectEinval(validateTopology(topo({ cpuToNode: [0, 0, 1] })), "cpu_to_node", "one entry");
    expectEinval(validateTopology(topo({ cpuToNode: [0, 0, 1, 1, 0] })), "cpu_to_node");
  });

  it("refuses a cpu_to_node entry naming a node that does not exist", () => {
    expectEinval(
      validateTopology(topo({ cpuToNode: [0, 0, 2, 1] })),
      "cpu_to_node[2] is 2",
      "0..1",
    );
    expectEinval(validateTopology(topo({ cpuToNode: [0, -1, 1, 1] })), "cpu_to_node[1]");
  });

  it.each(["possible", "present", "online"] as const)(
    "refuses a CPU number out of range in %s",
    (name) => {
      expectEinval(validateTopology(topo({ [name]: [0, 4] })), name, "holds 4", "0..3");
      expectEinval(validateTopology(topo({ [name]: [0, -1] })), name, "holds -1");
      expectEinval(validateTopology(topo({ [name]: [0, 0.5] })), name, "holds 0.5");
    },
  );

  it.each(["possible", "present", "online"] as const)("refuses a duplicated CPU in %s", (name) => {
    expectEinval(validateTopology(topo({ [name]: [0, 1, 0] })), name, "CPU 0 twice");
  });

  it("refuses present ⊄ possible", () => {
    expectEinval(validateTopology(topo({ present: [0, 1, 3] })), "present ⊆ possible", "CPU 3");
  });

  it("refuses online ⊄ present", () => {
    expectEinval(validateTopology(topo({ online: [0, 2] })), "online ⊆ present", "CPU 2");
  });

  it("names the field and the CPU, in words that do not contradict themselves", () => {
    expect(topologyProblem(topo({ online: [0, 2] }))).toEqual({
      field: "online",
      message: "online CPU 2 is not present (online ⊆ present)",
    });
    expect(topologyProblem(topo({ present: [0, 3] }))).toEqual({
      field: "present",
      message: "present CPU 3 is not possible (present ⊆ possible)",
    });
    expect(topologyProblem(topo({ cpuToNode: [0, 0, 2, 1] }))?.field).toBe("cpu_to_node");
    expect(topologyProblem(topo({ online: [] }))?.field).toBe("online");
    expect(topologyProblem(topo())).toBeUndefined();
    const r = validateTopology(topo({ online: [0, 2] }));
    expect(r.ok ? "" : r.message).toBe("topology: online CPU 2 is not present (online ⊆ present)");
  });

  it("refuses an empty possible set", () => {
    expectEinval(
      validateTopology(topo({ possible: [], present: [], online: [] })),
      "possible must not be empty",
    );
  });

  it("refuses an empty online set", () => {
    expectEinval(validateTopology(topo({ online: [] })), "online must not be empty");
  });
});

describe("CpuSets", () => {
  it("reports the masks, the node table and the boot CPU", () => {
    const s = new CpuSets(topo({ possible: [2, 0, 1], online: [1] }));
    expect(s.possibleList).toEqual([0, 1, 2]);
    expect(s.present).toEqual([0, 1]);
    expect(s.online).toEqual([1]);
    expect(s.bootCpu).toBe(1);
    expect([0, 1, 2, 3].map((c) => s.cpuToNode(c))).toEqual([0, 0, 1, 1]);
    expect([0, 1, 2, 3].map((c) => s.isPossible(c))).toEqual([true, true, true, false]);
    expect([0, 1, 2, 3].map((c) => s.isPresent(c))).toEqual([true, true, false, false]);
    expect([0, 1, 2, 3].map((c) => s.isOnline(c))).toEqual([false, true, false, false]);
  });

  describe("checkPossible", () => {
    const s = new CpuSets(topo());

    it("accepts a possible CPU", () => {
      expect(s.checkPossible(2, "op").ok).toBe(true);
    });

    it.each([-1, 4, 1000])("refuses out-of-range CPU %s", (cpu) => {
      expectEinval(s.checkPossible(cpu, "op"), "op:", "out of range", "0..3");
    });

    it.each([1.5, Number.NaN, "1", null, undefined])("refuses non-integer CPU %s", (cpu) => {
      expectEinval(s.checkPossible(cpu, "op"), "out of range");
    });

    it("refuses a CPU below nr_cpus that is not possible", () => {
      expectEinval(s.checkPossible(3, "op"), "cpu 3 is not possible");
    });
  });

  describe("canAdd (possible and not present)", () => {
    const s = new CpuSets(topo());
    it("accepts a possible, absent CPU", () => expect(s.canAdd(2).ok).toBe(true));
    it("refuses a present CPU", () => expectEinval(s.canAdd(1), "cpu_add", "already present"));
    it("refuses an impossible CPU", () => expectEinval(s.canAdd(3), "cpu_add", "not possible"));
    it("refuses an out-of-range CPU", () => expectEinval(s.canAdd(9), "cpu_add", "out of range"));
  });

  describe("canRemove (present and offline)", () => {
    const s = new CpuSets(topo({ online: [0] }));
    it("accepts a present, offline CPU", () => expect(s.canRemove(1).ok).toBe(true));
    it("refuses an online CPU", () => expectEinval(s.canRemove(0), "cpu_remove", "is online"));
    it("refuses an absent CPU", () => expectEinval(s.canRemove(2), "cpu_remove", "not present"));
    it("refuses an impossible CPU", () => expectEinval(s.canRemove(3), "not possible"));
  });

  describe("canUp (present and offline)", () => {
    const s = new CpuSets(topo({ online: [0] }));
    it("accepts a present, offline CPU", () => expect(s.canUp(1).ok).toBe(true));
    it("refuses an online CPU", () => expectEinval(s.canUp(0), "cpu_up", "already online"));
    it("refuses an absent CPU", () => expectEinval(s.canUp(2), "cpu_up", "not present"));
    it("refuses an impossible CPU", () => expectEinval(s.canUp(3), "not possible"));
  });

  describe("canDown (online and not the last online)", () => {
    it("accepts an online CPU while another is online", () => {
      const s = new CpuSets(topo());
      expect(s.canDown(0).ok).toBe(true);
      expect(s.canDown(1).ok).toBe(true);
    });

    it("refuses the last online CPU", () => {
      const s = new CpuSets(topo({ online: [1] }));
      expectEinval(s.canDown(1), "cpu_down", "last online CPU");
    });

    it("refuses an offline CPU", () => {
      const s = new CpuSets(topo({ online: [0] }));
      expectEinval(s.canDown(1), "cpu_down", "not online");
    });

    it("refuses an impossible CPU", () => {
      expectEinval(new CpuSets(topo()).canDown(3), "not possible");
    });
  });

  it("markOnline keeps the online count right, so the last online CPU stays up", () => {
    const s = new CpuSets(topo());
    // Redundant marks must not change the count.
    s.markOnline(0, true);
    s.markOnline(0, true);
    s.markOnline(1, false);
    s.markOnline(1, false);
    expect(s.online).toEqual([0]);
    expectEinval(s.canDown(0), "last online CPU");

    s.markOnline(1, true);
    expect(s.online).toEqual([0, 1]);
    expect(s.canDown(0).ok).toBe(true);
    s.markOnline(0, false);
    expect(s.bootCpu).toBe(1);
    expectEinval(s.canDown(1), "last online CPU");
  });

  it("a full hotplug cycle: add, up, down, remove", () => {
    const s = new CpuSets(topo());
    expect(s.canUp(2).ok).toBe(false);
    expect(s.canAdd(2).ok).toBe(true);
    s.markPresent(2, true);
    expect(s.canAdd(2).ok).toBe(false);
    expect(s.canRemove(2).ok).toBe(true);
    expect(s.canUp(2).ok).toBe(true);
    s.markOnline(2, true);
    expect(s.online).toEqual([0, 1, 2]);
    expect(s.canRemove(2).ok).toBe(false);
    expect(s.canDown(2).ok).toBe(true);
    s.markOnline(2, false);
    expect(s.canRemove(2).ok).toBe(true);
    s.markPresent(2, false);
    expect(s.present).toEqual([0, 1]);
    expect(s.possibleList).toEqual([0, 1, 2]);
  });
});
