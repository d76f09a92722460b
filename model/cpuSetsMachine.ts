/**
 * The CPU masks and CPU hotplug (Documentation/core-api/cpu_hotplug.rst, include/linux/cpumask.h).
 *
 *   boot fixes cpu_possible_mask ("no bits are added or removed")
 *
 *        cpu.add (possible, not present)          cpu.online (present, offline)
 *   absent ─────────────────────────> offline ─────────────────────────────> online
 *          <─────────────────────────         <─────────────────────────────
 *        cpu.remove (present, offline)            cpu.offline (online, not the last)
 *
 *   online ⊆ present ⊆ possible, online never empty.
 *
 * One state, `running`; the masks are the context. Every event has a guarded branch and a
 * `refuse` branch that changes nothing: the implementation must answer a refused event with
 * EINVAL. The helpers here are pure and shared with the system machine.
 */
import { assign, setup } from "xstate";

export interface CpuSets {
  readonly possible: readonly number[];
  readonly present: readonly number[];
  readonly online: readonly number[];
}

export type CpuEvent =
  | { type: "cpu.add"; cpu: number }
  | { type: "cpu.remove"; cpu: number }
  | { type: "cpu.online"; cpu: number }
  | { type: "cpu.offline"; cpu: number };

export type CpuEventType = CpuEvent["type"];
export const CPU_EVENT_TYPES: readonly CpuEventType[] = [
  "cpu.add",
  "cpu.remove",
  "cpu.online",
  "cpu.offline",
];

const has = (list: readonly number[], cpu: number) => list.includes(cpu);
const with_ = (list: readonly number[], cpu: number) => [...list, cpu].sort((a, b) => a - b);
const without = (list: readonly number[], cpu: number) => list.filter((c) => c !== cpu);

/**
 * Why an event is refused in these sets, or undefined when it is allowed: the one place the
 * rules are decided (the machines' guards below and the engine's model ask it).
 *
 *   any event    the CPU is possible ("no bits are added or removed" after boot)
 *   cpu.add      not present
 *   cpu.remove   present and offline
 *   cpu.online   present and offline
 *   cpu.offline  online, and not the last CPU online
 */
export function cpuEventRefusal(s: CpuSets, e: CpuEvent): string | undefined {
  const { cpu } = e;
  if (!has(s.possible, cpu)) return `cpu ${cpu} is not a possible CPU`;
  switch (e.type) {
    case "cpu.add":
      return has(s.present, cpu) ? "already present" : undefined;
    case "cpu.remove":
      if (!has(s.present, cpu)) return "not present";
      return has(s.online, cpu) ? "online" : undefined;
    case "cpu.online":
      if (!has(s.present, cpu)) return "not present";
      return has(s.online, cpu) ? "already online" : undefined;
    case "cpu.offline":
      if (!has(s.online, cpu)) return "not online";
      return s.online.length === 1 ? "the last online CPU" : undefined;
  }
}

const allowed = (type: CpuEventType) => (s: CpuSets, cpu: number) =>
  cpuEventRefusal(s, { type, cpu }) === undefined;

/** cpu.add is allowed: a possible CPU that is not present. */
export const isAddable = allowed("cpu.add");
/** cpu.remove is allowed: a present CPU that is offline. */
export const isRemovable = allowed("cpu.remove");
/** cpu.online is allowed: a present CPU that is offline. */
export const isOnlinable = allowed("cpu.online");
/** cpu.offline is allowed: an online CPU that is not the last one online. */
export const isOfflinable = allowed("cpu.offline");

/** Whether an event is allowed in these sets. */
export function cpuEventAllowed(s: CpuSets, e: CpuEvent): boolean {
  return cpuEventRefusal(s, e) === undefined;
}

/** The sets after an allowed event. */
export function applyCpuEvent(s: CpuSets, e: CpuEvent): CpuSets {
  switch (e.type) {
    case "cpu.add":
      return { ...s, present: with_(s.present, e.cpu) };
    case "cpu.remove":
      return { ...s, present: without(s.present, e.cpu) };
    case "cpu.online":
      return { ...s, online: with_(s.online, e.cpu) };
    case "cpu.offline":
      return { ...s, online: without(s.online, e.cpu) };
  }
}

/**
 * The CPU events' transitions: the guarded branch, else `refuse`. Shared by every machine that
 * has the masks (with the same guard and action names in its `setup`).
 */
export const CPU_TRANSITIONS = {
  "cpu.add": [{ guard: "isAddable", actions: "applyCpuEvent" }, { actions: "refuse" }],
  "cpu.remove": [{ guard: "isRemovable", actions: "applyCpuEvent" }, { actions: "refuse" }],
  "cpu.online": [{ guard: "isOnlinable", actions: "applyCpuEvent" }, { actions: "refuse" }],
  "cpu.offline": [{ guard: "isOfflinable", actions: "applyCpuEvent" }, { actions: "refuse" }],
} as const;

export const cpuSetsMachine = setup({
  types: {
    context: {} as CpuSets,
    events: {} as CpuEvent,
    input: {} as CpuSets,
  },
  guards: {
    isAddable: ({ context, event }) => "cpu" in event && isAddable(context, event.cpu),
    isRemovable: ({ context, event }) => "cpu" in event && isRemovable(context, event.cpu),
    isOnlinable: ({ context, event }) => "cpu" in event && isOnlinable(context, event.cpu),
    isOfflinable: ({ context, event }) => "cpu" in event && isOfflinable(context, event.cpu),
  },
  actions: {
    applyCpuEvent: assign(({ context, event }) => applyCpuEvent(context, event)),
    refuse: () => {},
  },
}).createMachine({
  id: "cpuSets",
  context: ({ input }) => ({
    possible: [...input.possible],
    present: [...input.present],
    online: [...input.online],
  }),
  initial: "running",
  states: {
    running: {
      on: CPU_TRANSITIONS,
    },
  },
});
