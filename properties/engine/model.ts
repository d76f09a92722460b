/**
 * The model a run keeps beside the allocator: what the allocator must agree with.
 *
 * - the CPU masks (possible fixed at boot; present and online changed by hotplug events);
 * - every object handed out, by name, with its size, alignment, pointer, the address of each
 *   possible CPU's copy as first observed, and the bytes last written to each copy (zero at
 *   allocation); freed objects are kept, marked dead, so a double free can be asked for;
 * - the injected page-allocation failures that may still be pending (an ENOMEM is legitimate
 *   only while one is).
 */
import type { ReservedArea } from "../../impl/external/index.ts";
import type { BootConfig } from "../../impl/index.ts";
import { cpuEventRefusal, type CpuEventType, type CpuSets } from "../../model/cpuSetsMachine.ts";

export type HotplugOp = "cpu_add" | "cpu_remove" | "cpu_up" | "cpu_down";

/** The machine's event for each hotplug op. */
export const HOTPLUG_EVENT: Readonly<Record<HotplugOp, CpuEventType>> = {
  cpu_add: "cpu.add",
  cpu_remove: "cpu.remove",
  cpu_up: "cpu.online",
  cpu_down: "cpu.offline",
};

export interface ObjectRecord {
  readonly name: string;
  readonly ptr: number;
  readonly size: number;
  readonly align: number;
  /** The reserved area it was allocated from (`__alloc_reserved_percpu`), if it was. */
  readonly reserved?: ReservedArea;
  /** Address of each possible CPU's copy, recorded right after the allocation. */
  readonly copies: Map<number, number>;
  /** Expected bytes of each possible CPU's copy (absent: all zero). */
  readonly contents: Map<number, Uint8Array>;
  live: boolean;
}

export class PercpuModel {
  readonly config: BootConfig;
  readonly possible: readonly number[];
  readonly present: Set<number>;
  readonly online: Set<number>;
  readonly objects = new Map<string, ObjectRecord>();
  private readonly byPtr = new Map<number, ObjectRecord>();
  private readonly live: ObjectRecord[] = [];
  /** The most objects live at once so far. */
  peakLive = 0;
  /** Injected failures that may not have fired yet. */
  injectedPending = 0;
  private nextName = 1;
  /** The masks as the machine's rules read them, made again after a hotplug event. */
  private masks: CpuSets | undefined;

  constructor(config: BootConfig) {
    this.config = config;
    this.possible = [...config.possible].sort((a, b) => a - b);
    this.present = new Set(config.present);
    this.online = new Set(config.online);
  }

  get nrCpus(): number {
    return this.config.nrCpus;
  }

  isPossible(cpu: number): boolean {
    return Number.isInteger(cpu) && cpu >= 0 && cpu < this.nrCpus && this.possible.includes(cpu);
  }

  /** The name the next allocation takes (o1, o2, ...); `noteName` reserves it. */
  newNamePeek(): string {
    let n = this.nextName;
    while (this.objects.has(`o${n}`)) n++;
    return `o${n}`;
  }

  /** Reserves a name used by an allocation, so that new names never collide. */
  noteName(name: string): void {
    const n = Number(name.slice(1));
    if (n >= this.nextName) this.nextName = n + 1;
  }

  /** Records a new object (live). */
  add(record: ObjectRecord): void {
    this.objects.set(record.name, record);
    this.byPtr.set(record.ptr, record);
    this.live.push(record);
    this.peakLive = Math.max(this.peakLive, this.live.length);
  }

  /** Marks an object freed; its pointer may be handed out again. */
  markFreed(record: ObjectRecord): void {
    record.live = false;
    if (this.byPtr.get(record.ptr) === record) this.byPtr.delete(record.ptr);
    const at = this.live.indexOf(record);
    if (at >= 0) this.live.splice(at, 1);
  }

  /** The live object at a pointer, if any: O(1). */
  liveAt(ptr: number): ObjectRecord | undefined {
    return this.byPtr.get(ptr);
  }

  /** The live objects, oldest first (the model's own list: read it, do not keep it). */
  liveObjects(): readonly ObjectRecord[] {
    return this.live;
  }

  deadObjects(): ObjectRecord[] {
    const out: ObjectRecord[] = [];
    for (const o of this.objects.values()) if (!o.live) out.push(o);
    return out;
  }

  /** Why a hotplug event is forbidden, or undefined if it is allowed (the machine's rules). */
  hotplugRefusal(op: HotplugOp, cpu: number): string | undefined {
    this.masks ??= {
      possible: this.possible,
      present: [...this.present],
      online: [...this.online],
    };
    return cpuEventRefusal(this.masks, { type: HOTPLUG_EVENT[op], cpu });
  }

  applyHotplug(op: HotplugOp, cpu: number): void {
    this.masks = undefined;
    if (op === "cpu_add") this.present.add(cpu);
    else if (op === "cpu_remove") this.present.delete(cpu);
    else if (op === "cpu_up") this.online.add(cpu);
    else this.online.delete(cpu);
  }
}
