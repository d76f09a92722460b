/**
 * CPU topology and the hotplug rules of the simulated machine.
 *
 * From Documentation/core-api/cpu_hotplug.rst and include/linux/cpumask.h:
 *
 *   cpu_possible_mask  fixed at boot ("no bits are added or removed")
 *        ⊇ cpu_present_mask   changed by hot-add / hot-remove
 *        ⊇ cpu_online_mask    changed by cpu_up / cpu_down; never empty
 *
 * Every CPU below NR_CPUS has a node (`cpu_to_node`), possible or not, as the kernel's
 * early_cpu_to_node table does. A topology that breaks a rule is refused with the rule's name.
 */
import type { BootConfig } from "../allocator.ts";
import { err, isIntIn, ok, type Result } from "../result.ts";

/** The largest CONFIG_NR_CPUS the machine models (the 512-way of the 2005 review). */
export const MAX_NR_CPUS = 512;
/** MAX_NUMNODES of a NODES_SHIFT 6 configuration. */
export const MAX_NUMNODES = 64;

export type TopologyInput = Pick<
  BootConfig,
  "nrCpus" | "possible" | "present" | "online" | "cpuToNode" | "nrNodes"
>;

/** A broken rule of a topology: the field (as a counterexample file spells it) and why. */
export interface TopologyProblem {
  readonly field: "nr_cpus" | "nr_nodes" | "cpu_to_node" | "possible" | "present" | "online";
  readonly message: string;
}

function cpuListProblem(
  name: "possible" | "present" | "online",
  list: unknown,
  nrCpus: number,
): TopologyProblem | undefined {
  const problem = (message: string): TopologyProblem => ({ field: name, message });
  if (!Array.isArray(list)) return problem(`${name} must be a list of CPU numbers`);
  const seen = new Set<number>();
  for (const cpu of list) {
    if (!isIntIn(cpu, 0, nrCpus - 1)) {
      return problem(
        `${name} holds ${String(cpu)}, expected CPU numbers 0..${nrCpus - 1} (below nr_cpus)`,
      );
    }
    if (seen.has(cpu)) return problem(`${name} lists CPU ${cpu} twice`);
    seen.add(cpu);
  }
  return undefined;
}

/** The first rule of a topology that is broken, or undefined if it keeps every rule. */
export function topologyProblem(t: TopologyInput): TopologyProblem | undefined {
  if (!isIntIn(t.nrCpus, 1, MAX_NR_CPUS)) {
    return {
      field: "nr_cpus",
      message: `nr_cpus is ${String(t.nrCpus)}, expected 1..${MAX_NR_CPUS}`,
    };
  }
  if (!isIntIn(t.nrNodes, 1, MAX_NUMNODES)) {
    return {
      field: "nr_nodes",
      message: `nr_nodes is ${String(t.nrNodes)}, expected 1..${MAX_NUMNODES}`,
    };
  }
  if (!Array.isArray(t.cpuToNode) || t.cpuToNode.length !== t.nrCpus) {
    return {
      field: "cpu_to_node",
      message: `cpu_to_node must have one entry per CPU below nr_cpus (${t.nrCpus})`,
    };
  }
  for (let cpu = 0; cpu < t.nrCpus; cpu++) {
    const node = t.cpuToNode[cpu];
    if (!isIntIn(node, 0, t.nrNodes - 1)) {
      return {
        field: "cpu_to_node",
        message: `cpu_to_node[${cpu}] is ${String(node)}, expected a node 0..${t.nrNodes - 1}`,
      };
    }
  }
  for (const [name, list] of [
    ["possible", t.possible],
    ["present", t.present],
    ["online", t.online],
  ] as const) {
    const problem = cpuListProblem(name, list, t.nrCpus);
    if (problem !== undefined) return problem;
  }
  if (t.possible.length === 0) return { field: "possible", message: "possible must not be empty" };
  const possible = new Set(t.possible);
  const present = new Set(t.present);
  for (const cpu of t.present) {
    if (!possible.has(cpu)) {
      return {
        field: "present",
        message: `present CPU ${cpu} is not possible (present ⊆ possible)`,
      };
    }
  }
  for (const cpu of t.online) {
    if (!present.has(cpu)) {
      return { field: "online", message: `online CPU ${cpu} is not present (online ⊆ present)` };
    }
  }
  if (t.online.length === 0) {
    return { field: "online", message: "online must not be empty (the boot CPU is online)" };
  }
  return undefined;
}

/** Checks every rule of a topology; the message names the first rule broken. */
export function validateTopology(t: TopologyInput): Result<void> {
  const problem = topologyProblem(t);
  return problem === undefined ? ok() : err("EINVAL", `topology: ${problem.message}`);
}

/**
 * The CPU masks of a booted machine with the hotplug rules. A forbidden event answers EINVAL
 * and leaves every mask as it was.
 */
export class CpuSets {
  readonly nrCpus: number;
  readonly nrNodes: number;
  private readonly cpuToNodeTable: readonly number[];
  private readonly possibleMask: Uint8Array;
  private readonly presentMask: Uint8Array;
  private readonly onlineMask: Uint8Array;
  /** Possible CPUs in ascending order (for_each_possible_cpu). */
  readonly possibleList: readonly number[];
  private onlineCount: number;

  constructor(t: TopologyInput) {
    this.nrCpus = t.nrCpus;
    this.nrNodes = t.nrNodes;
    this.cpuToNodeTable = [...t.cpuToNode];
    this.possibleMask = new Uint8Array(t.nrCpus);
    this.presentMask = new Uint8Array(t.nrCpus);
    this.onlineMask = new Uint8Array(t.nrCpus);
    for (const cpu of t.possible) this.possibleMask[cpu] = 1;
    for (const cpu of t.present) this.presentMask[cpu] = 1;
    for (const cpu of t.online) this.onlineMask[cpu] = 1;
    this.possibleList = [...t.possible].sort((a, b) => a - b);
    this.onlineCount = t.online.length;
  }

  cpuToNode(cpu: number): number {
    return this.cpuToNodeTable[cpu] ?? 0;
  }

  isPossible(cpu: number): boolean {
    return this.possibleMask[cpu] === 1;
  }

  isPresent(cpu: number): boolean {
    return this.presentMask[cpu] === 1;
  }

  isOnline(cpu: number): boolean {
    return this.onlineMask[cpu] === 1;
  }

  get present(): number[] {
    return this.collect(this.presentMask);
  }

  get online(): number[] {
    return this.collect(this.onlineMask);
  }

  /** The first online CPU: where "the current CPU" runs allocator code. */
  get bootCpu(): number {
    return this.onlineMask.indexOf(1);
  }

  private collect(mask: Uint8Array): number[] {
    const out: number[] = [];
    for (let cpu = 0; cpu < mask.length; cpu++) if (mask[cpu] === 1) out.push(cpu);
    return out;
  }

  /** EINVAL unless `cpu` is a CPU number below NR_CPUS that is possible. */
  checkPossible(cpu: unknown, what: string): Result<void> {
    if (!isIntIn(cpu, 0, this.nrCpus - 1)) {
      return err(
        "EINVAL",
        `${what}: cpu ${String(cpu)} out of range, expected 0..${this.nrCpus - 1}`,
      );
    }
    if (!this.isPossible(cpu)) return err("EINVAL", `${what}: cpu ${cpu} is not possible`);
    return ok();
  }

  /** Whether hot-add is allowed: a possible CPU that is not present. */
  canAdd(cpu: unknown): Result<void> {
    const r = this.checkPossible(cpu, "cpu_add");
    if (!r.ok) return r;
    if (this.isPresent(cpu as number))
      return err("EINVAL", `cpu_add: cpu ${String(cpu)} is already present`);
    return ok();
  }

  /** Whether hot-remove is allowed: a present CPU that is offline. */
  canRemove(cpu: unknown): Result<void> {
    const r = this.checkPossible(cpu, "cpu_remove");
    if (!r.ok) return r;
    const c = cpu as number;
    if (!this.isPresent(c)) return err("EINVAL", `cpu_remove: cpu ${c} is not present`);
    if (this.isOnline(c))
      return err("EINVAL", `cpu_remove: cpu ${c} is online; take it down first`);
    return ok();
  }

  /** Whether cpu_up is allowed: a present CPU that is offline. */
  canUp(cpu: unknown): Result<void> {
    const r = this.checkPossible(cpu, "cpu_up");
    if (!r.ok) return r;
    const c = cpu as number;
    if (!this.isPresent(c)) return err("EINVAL", `cpu_up: cpu ${c} is not present`);
    if (this.isOnline(c)) return err("EINVAL", `cpu_up: cpu ${c} is already online`);
    return ok();
  }

  /** Whether cpu_down is allowed: an online CPU that is not the last one online. */
  canDown(cpu: unknown): Result<void> {
    const r = this.checkPossible(cpu, "cpu_down");
    if (!r.ok) return r;
    const c = cpu as number;
    if (!this.isOnline(c)) return err("EINVAL", `cpu_down: cpu ${c} is not online`);
    if (this.onlineCount === 1) return err("EINVAL", `cpu_down: cpu ${c} is the last online CPU`);
    return ok();
  }

  /** Applies an allowed event (call only after the matching `can*` said ok). */
  markPresent(cpu: number, present: boolean): void {
    this.presentMask[cpu] = present ? 1 : 0;
  }

  markOnline(cpu: number, online: boolean): void {
    if (this.isOnline(cpu) !== online) this.onlineCount += online ? 1 : -1;
    this.onlineMask[cpu] = online ? 1 : 0;
  }
}
