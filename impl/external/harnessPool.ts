/**
 * The harness processes of one external target, and the clients handed out over them.
 *
 * One process serves many runs (`boot` resets it), so a check does not pay a process start per
 * run. A session holds two allocators at once (the run and its NR_CPUS twin), so the pool keeps
 * two processes and hands them out in turn: consecutive clients never share a process, and a
 * client whose process went to a newer client refuses to be used (its objects are gone). A
 * process that failed is replaced by a fresh one on the next `create`.
 */
import { ExternalAllocator, helloHarness, type HarnessInfo } from "./externalAllocator.ts";
import { HarnessProcess, type HarnessOptions } from "./harnessProcess.ts";

/** Processes kept per target: the run and its twin. */
export const POOL_SIZE = 2;

interface Slot {
  readonly process: HarnessProcess;
  readonly info: HarnessInfo;
  owner: ExternalAllocator | undefined;
}

export class HarnessPool {
  readonly command: string;
  private readonly options: HarnessOptions;
  private readonly slots: (Slot | undefined)[] = [];
  private turn = 0;
  private firstInfo: HarnessInfo | undefined;

  constructor(command: string, options: HarnessOptions = {}) {
    this.command = command;
    this.options = options;
  }

  /** What the harness said to `hello` (starting a process if none runs yet). */
  info(): HarnessInfo {
    if (this.firstInfo === undefined) this.firstInfo = this.slot(0).info;
    return this.firstInfo;
  }

  private slot(index: number): Slot {
    const existing = this.slots[index];
    if (existing !== undefined && existing.process.alive) return existing;
    existing?.process.close();
    const process = new HarnessProcess(this.command, this.options);
    // A failed hello throws HarnessFailure and has ended the process already.
    const info = helloHarness(process);
    const fresh: Slot = { process, info, owner: undefined };
    this.slots[index] = fresh;
    return fresh;
  }

  /** A fresh client on the next process in turn (un-booted: `boot` it first). */
  create(): ExternalAllocator {
    const slot = this.slot(this.turn);
    this.turn = (this.turn + 1) % POOL_SIZE;
    const client: ExternalAllocator = new ExternalAllocator(
      slot.process,
      slot.info,
      () => slot.owner === client,
    );
    slot.owner = client;
    return client;
  }

  /** Process ids of the harnesses running now (not those that failed or were closed). */
  pids(): number[] {
    return this.slots.flatMap((s) =>
      s !== undefined && s.process.alive && s.process.pid !== undefined ? [s.process.pid] : [],
    );
  }

  /** Sends `quit` to every process and reaps it. */
  close(): void {
    for (const s of this.slots) s?.process.close();
    this.slots.length = 0;
  }
}
