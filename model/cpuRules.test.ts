/**
 * One oracle for the CPU-mask rules: `cpuEventRefusal` decides every hotplug event, the
 * machines' guards and the engine's model (`hotplugRefusal`) ask it; and the machine events'
 * JSON schema is made from the machine's menu.
 */
import { describe, expect, it } from "vitest";
import { transition } from "xstate";
import { PercpuModel } from "../properties/engine/model.ts";
import { HOTPLUG_OPS } from "../properties/engine/step.ts";
import {
  CPU_EVENT_TYPES,
  cpuEventRefusal,
  cpuSetsMachine,
  type CpuSets,
} from "./cpuSetsMachine.ts";
import { systemEventSchema } from "./systemEventSchema.ts";
import { INITIAL_SYSTEM, systemEvents, systemMachine } from "./systemMachine.ts";

const POSSIBLE = [0, 1, 2];
const subsets = (xs: readonly number[]): number[][] =>
  xs.reduce<number[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
/** Every masks of 3 possible CPUs: online ⊆ present, online not empty. */
const ALL_SETS: CpuSets[] = subsets(POSSIBLE).flatMap((present) =>
  subsets(present)
    .filter((online) => online.length > 0)
    .map((online) => ({ possible: POSSIBLE, present, online })),
);

describe("the CPU-mask rules", () => {
  it("are decided once: the model's hotplugRefusal is cpuEventRefusal, word for word", () => {
    for (const sets of ALL_SETS) {
      const model = new PercpuModel({
        nrCpus: 8,
        ...sets,
        cpuToNode: Array<number>(8).fill(0),
        nrNodes: 1,
        pageSize: 4096,
      });
      HOTPLUG_OPS.forEach((op, i) => {
        const type = CPU_EVENT_TYPES[i]!;
        for (const cpu of [0, 1, 2, 5]) {
          expect(model.hotplugRefusal(op, cpu)).toBe(cpuEventRefusal(sets, { type, cpu }));
        }
      });
    }
  });

  it("give the reasons the engine reports", () => {
    const sets = { possible: POSSIBLE, present: [0, 1], online: [0] };
    expect(cpuEventRefusal(sets, { type: "cpu.add", cpu: 5 })).toBe("cpu 5 is not a possible CPU");
    expect(cpuEventRefusal(sets, { type: "cpu.add", cpu: 1 })).toBe("already present");
    expect(cpuEventRefusal(sets, { type: "cpu.remove", cpu: 0 })).toBe("online");
    expect(cpuEventRefusal(sets, { type: "cpu.online", cpu: 2 })).toBe("not present");
    expect(cpuEventRefusal(sets, { type: "cpu.offline", cpu: 0 })).toBe("the last online CPU");
    expect(cpuEventRefusal(sets, { type: "cpu.remove", cpu: 1 })).toBeUndefined();
  });

  it("are what the machine's guards decide: an event changes the masks iff it is not refused", () => {
    for (const sets of ALL_SETS) {
      const snapshot = cpuSetsMachine.resolveState({ value: "running", context: sets });
      for (const type of CPU_EVENT_TYPES) {
        for (const cpu of [0, 1, 2, 5]) {
          const [next] = transition(cpuSetsMachine, snapshot, { type, cpu });
          const changed = JSON.stringify(next.context) !== JSON.stringify(sets);
          expect(changed, `${type}(${cpu})`).toBe(
            cpuEventRefusal(sets, { type, cpu }) === undefined,
          );
        }
      }
    }
  });
});

describe("the machine events' schema", () => {
  const busy = { ...INITIAL_SYSTEM, partial: 1, fullHalves: 1, fullWhole: 1 };

  it("accepts every event the machine offers, of every type it handles", () => {
    const offered = [...systemEvents(INITIAL_SYSTEM), ...systemEvents(busy)];
    for (const e of offered) expect(systemEventSchema.parse(e)).toEqual(e);
    const handled = Object.keys(systemMachine.config.states?.running?.on ?? {}).sort();
    expect([...new Set(offered.map((e) => e.type))].sort()).toEqual(handled);
  });

  it("refuses what the menu does not have", () => {
    expect(systemEventSchema.safeParse({ type: "obj.alloc", item: "half@16" }).success).toBe(false);
    expect(systemEventSchema.safeParse({ type: "obj.free", from: "empty" }).success).toBe(false);
    expect(systemEventSchema.safeParse({ type: "cpu.add" }).success).toBe(false);
  });
});
