/**
 * A session: one booted allocator, the model beside it, the enabled invariants, and the trace
 * of steps run so far. `execute` runs one step on the allocator (and on the twin of a relational
 * check), updates the model from the answer, and asks every enabled invariant about the step;
 * the first that objects raises a `Violation`. `finish` frees what is live, runs deferred work
 * and asks the end-of-run questions.
 *
 *   step ──> expectation (model) ──> allocator ──> outcome ──> model update ──> invariants
 *                                      └─> twin (same step, NR_CPUS 8 <-> 512)
 *
 * A `HarnessFailure` (an external harness that crashed, hung or broke the protocol) is not the
 * allocator's oops: it passes through unjudged, for the runner to report as a finding of its
 * own kind with the trace so far.
 *
 * Where the allocator contradicts the model and no enabled invariant judges that (it failed
 * earlier in this check and was set aside), the run stops quietly (`diverged`): what follows
 * would be judged against a model that no longer describes the allocator.
 */
import {
  formatAddr,
  isIntIn,
  isPowerOfTwo,
  parseAddr,
  type AllocatorStats,
  type BootConfig,
  type Capability,
  type PercpuAllocator,
  type PoolBound,
  type Result,
} from "../../impl/index.ts";
import { HarnessFailure } from "../../impl/external/index.ts";
import type {
  Expectation,
  Invariant,
  Outcome,
  StepContext,
  TwinView,
} from "../invariants/invariant.ts";
import type { AbstractState } from "../../model/systemMachine.ts";
import { PercpuModel, type ObjectRecord } from "./model.ts";
import { CopyIndex } from "./copyIndex.ts";
import { Observer } from "./observer.ts";
import { PageShadow } from "./pageShadow.ts";
import { DEFAULT_AUDIT_EVERY, stepScope } from "./scope.ts";
import type { Step } from "./step.ts";
import type { Target } from "./target.ts";
import { Violation } from "./violation.ts";

/** The id of the invariant that judges exceptions thrown by the allocator. */
export const NO_OOPS = "no-oops";
/** The NR_CPUS pair of the relational check. */
export const TWIN_NR_CPUS = [8, 512] as const;

export interface SessionOptions {
  readonly target: Target;
  readonly config: BootConfig;
  readonly invariants: readonly Invariant[];
  /** Record how deep the run goes (blocks, full blocks, CPUs offline) for statistics. */
  readonly trackDepth?: boolean;
  /**
   * A full audit of every live copy every this many steps (default 16; 1 audits every step);
   * the steps between are checked incrementally (engine/scope.ts).
   */
  readonly auditEvery?: number;
}

/** One line of a session's log: what ran and how it ended. */
export interface LogEntry {
  readonly op: Step["op"];
  readonly valid: boolean;
  readonly error: string | undefined;
}

/** How deep a run went. */
export interface Depth {
  maxBlocks: number;
  fullBlock: boolean;
  maxLive: number;
  maxOffline: number;
  enomem: number;
}

interface Twin {
  readonly allocator: PercpuAllocator;
  readonly config: BootConfig;
  readonly ptrs: Map<string, number>;
  readonly baseline: AllocatorStats;
}

/** The same possible set at the other NR_CPUS of the pair, or undefined if it does not fit. */
export function twinConfig(config: BootConfig): BootConfig | undefined {
  const nrCpus = config.nrCpus === TWIN_NR_CPUS[1] ? TWIN_NR_CPUS[0] : TWIN_NR_CPUS[1];
  if (Math.max(...config.possible) >= Math.min(nrCpus, config.nrCpus)) return undefined;
  const cpuToNode = Array.from(
    { length: nrCpus },
    (_, cpu) => config.cpuToNode[cpu % config.nrCpus] as number,
  );
  return { ...config, nrCpus, cpuToNode };
}

export class BootFailure extends Error {
  constructor(target: string, message: string) {
    super(`${target}: boot refused the topology: ${message}`);
    this.name = "BootFailure";
  }
}

export class Session {
  readonly target: Target;
  readonly allocator: PercpuAllocator;
  readonly model: PercpuModel;
  readonly invariants: readonly Invariant[];
  readonly capabilities: ReadonlySet<Capability>;
  readonly baseline: AllocatorStats;
  /** Steps run so far (skipped steps and the implicit teardown are left out). */
  readonly trace: Step[] = [];
  /** The allocator contradicted the model where no enabled invariant judges: stop. */
  diverged = false;
  /** The state-machine model's abstract state after the next step (set by a model driver). */
  machineState: AbstractState | undefined;
  /** What ran, in order (the implicit teardown included). */
  readonly log: LogEntry[] = [];
  readonly depth: Depth = { maxBlocks: 0, fullBlock: false, maxLive: 0, maxOffline: 0, enomem: 0 };
  private readonly trackDepth: boolean;
  private readonly twin: Twin | undefined;
  private readonly judgesOops: boolean;
  private readonly judges: ReadonlySet<string>;
  /** The live copies by page, for the incremental checks. */
  private readonly copyIndex = new CopyIndex();
  /** The verified content of pages holding live copies, for the integrity checks. */
  private readonly shadow = new PageShadow();
  /** A full audit every this many steps (1: every step is audited). */
  private readonly auditEvery: number;
  private sinceAudit = 0;
  /** The next step is audited (the first step of the teardown). */
  private auditNext = false;
  private lastStats: AllocatorStats | undefined;
  private lastTwinStats: AllocatorStats | undefined;

  constructor(options: SessionOptions) {
    this.target = options.target;
    this.invariants = options.invariants;
    this.judges = new Set(options.invariants.map((i) => i.id));
    this.judgesOops = this.judges.has(NO_OOPS);
    this.trackDepth = options.trackDepth === true;
    this.auditEvery = options.auditEvery ?? DEFAULT_AUDIT_EVERY;
    this.model = new PercpuModel(options.config);
    this.allocator = this.target.create();
    this.capabilities = new Set(this.allocator.hello().capabilities);
    this.baseline = this.bootOne(this.allocator, options.config);
    const twinCfg = options.invariants.some((i) => i.relational)
      ? twinConfig(options.config)
      : undefined;
    if (twinCfg !== undefined) {
      const allocator = this.target.create();
      const baseline = this.bootOne(allocator, twinCfg);
      this.twin = { allocator, config: twinCfg, ptrs: new Map(), baseline };
    }
  }

  private bootOne(allocator: PercpuAllocator, config: BootConfig): AllocatorStats {
    const booted = allocator.boot(config);
    if (!booted.ok) throw new BootFailure(this.target.id, booted.message);
    const stats = allocator.stats();
    if (!stats.ok) throw new BootFailure(this.target.id, `stats after boot: ${stats.message}`);
    return stats.value;
  }

  /** What the target may keep above its baseline with nothing live, for this run so far. */
  private poolBound(): PoolBound | undefined {
    return this.target.pool?.bound(this.model.config, this.model.peakLive);
  }

  /** Whether the run can go on (not diverged). */
  get running(): boolean {
    return !this.diverged;
  }

  private stats(allocator: PercpuAllocator, index: number, step: Step): AllocatorStats {
    const s = this.guard(() => allocator.stats(), index, step);
    if (!s.ok) throw new Violation("completeness", `stats failed: ${s.message}`, index, step);
    return s.value;
  }

  /** Runs allocator code; an exception is the allocator's oops. */
  private guard<T>(fn: () => T, index: number, step: Step): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Violation || e instanceof HarnessFailure) throw e;
      const message = `the allocator raised ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      if (this.judgesOops) throw new Violation(NO_OOPS, message, index, step);
      this.diverged = true;
      throw new DivergedSignal();
    }
  }

  /** Whether a size and alignment are a valid request for the target. */
  private validAlloc(size: number, align: number): Expectation {
    if (!isIntIn(size, 1, this.target.maxSize)) {
      return { valid: false, why: `size ${size} outside 1..${this.target.maxSize}` };
    }
    if (align === 0 && this.target.zeroAlignValid) return { valid: true, why: "valid request" };
    if (!isPowerOfTwo(align)) return { valid: false, why: `align ${align} is not a power of two` };
    if (align > this.target.maxAlign(size)) {
      return { valid: false, why: `align ${align} above ${this.target.maxAlign(size)}` };
    }
    return { valid: true, why: "valid request" };
  }

  /**
   * Runs one step. Returns false if the step was skipped (it names an object the run does not
   * have, or an operation the target lacks). Throws `Violation` when an invariant breaks.
   */
  execute(step: Step, implicit = false): boolean {
    if (this.diverged) return false;
    try {
      return this.run(step, implicit);
    } catch (e) {
      if (e instanceof DivergedSignal) return false;
      throw e;
    }
  }

  private run(step: Step, implicit: boolean): boolean {
    const model = this.model;
    const index = this.trace.length;
    const a = this.allocator;
    let record: ObjectRecord | undefined;
    let expectation: Expectation = { valid: true, why: "valid request" };
    let perform: (() => Result<unknown>) | undefined;
    let performTwin: ((t: Twin) => Result<unknown>) | undefined;
    let apply: (value: unknown) => void = () => {};

    switch (step.op) {
      case "alloc": {
        if (model.objects.has(step.as)) return false;
        // A name is spent by the attempt, not by its success: a failed allocation's name is
        // never handed out again, so a trace never makes one name twice.
        model.noteName(step.as);
        expectation = this.validAlloc(step.size, step.align);
        const opts = step.atomic ? { atomic: true } : undefined;
        perform = () => a.alloc(step.size, step.align, opts);
        performTwin = (t) => {
          const r = t.allocator.alloc(step.size, step.align, opts);
          if (r.ok) t.ptrs.set(step.as, r.value);
          return r;
        };
        apply = (ptr) => {
          record = {
            name: step.as,
            ptr: ptr as number,
            size: step.size,
            align: step.align,
            copies: new Map(),
            contents: new Map(),
            live: true,
          };
          model.add(record);
        };
        break;
      }
      case "free": {
        let ptr: number;
        if (step.obj !== undefined) {
          record = model.objects.get(step.obj);
          if (record === undefined) return false;
          ptr = record.ptr + (step.offset ?? 0);
          const interior = (step.offset ?? 0) !== 0;
          // A dead object's pointer handed out again belongs to the new object: not bad input.
          if (!record.live && model.liveAt(ptr) !== undefined) return false;
          expectation = !record.live
            ? { valid: false, why: `${step.obj} was already freed (double free)` }
            : interior
              ? { valid: false, why: `${formatAddr(ptr)} is inside ${step.obj}, not its start` }
              : expectation;
        } else {
          ptr = parseAddr(step.ptr as string) ?? -1;
          const owner = model.liveAt(ptr);
          if (owner !== undefined) return false; // a raw pointer that happens to be live
          expectation = { valid: false, why: `${step.ptr} was never handed out` };
        }
        const rec = record;
        perform = () => a.free(ptr);
        performTwin = (t) => {
          const base = step.obj !== undefined ? t.ptrs.get(step.obj) : undefined;
          return t.allocator.free(base === undefined ? ptr : base + (step.offset ?? 0));
        };
        apply = () => {
          if (rec !== undefined) model.markFreed(rec);
        };
        break;
      }
      case "write": {
        const bytes = Uint8Array.from(Buffer.from(step.hex, "hex"));
        if (step.addr !== undefined) {
          // A raw address: bad input only where no live copy is there (the generator picks
          // addresses below the direct map, which nothing maps).
          const addr = parseAddr(step.addr) ?? -1;
          expectation = { valid: false, why: `${step.addr} is not mapped`, error: "EFAULT" };
          perform = () => a.write(addr, bytes);
          performTwin = (t) => t.allocator.write(addr, bytes);
          break;
        }
        const { obj, cpu, offset } = step as { obj: string; cpu: number; offset: number };
        record = model.objects.get(obj);
        if (record === undefined || !record.live || !model.isPossible(cpu)) return false;
        if (offset + bytes.length > record.size) return false;
        const rec = record;
        perform = () => {
          const addr = a.ptr(rec.ptr, cpu);
          return addr.ok ? a.write(addr.value + offset, bytes) : addr;
        };
        performTwin = (t) => {
          const addr = t.allocator.ptr(t.ptrs.get(obj) ?? -1, cpu);
          return addr.ok ? t.allocator.write(addr.value + offset, bytes) : addr;
        };
        apply = () => {
          const now = rec.contents.get(cpu) ?? new Uint8Array(rec.size);
          now.set(bytes, offset);
          rec.contents.set(cpu, now);
        };
        break;
      }
      case "ptr": {
        record = model.objects.get(step.obj);
        if (record === undefined) return false;
        const rec = record;
        if (!rec.live && model.liveAt(rec.ptr) !== undefined) return false;
        expectation = !rec.live
          ? { valid: false, why: `${step.obj} was freed` }
          : !model.isPossible(step.cpu)
            ? {
                valid: false,
                why: `cpu ${step.cpu} is not a possible CPU below NR_CPUS ${model.nrCpus}`,
              }
            : expectation;
        perform = () => a.ptr(rec.ptr, step.cpu);
        break;
      }
      case "cpu_add":
      case "cpu_remove":
      case "cpu_up":
      case "cpu_down": {
        const op = step.op;
        if ((op === "cpu_add" || op === "cpu_remove") && !this.capabilities.has(op)) return false;
        const refusal = model.hotplugRefusal(op, step.cpu);
        if (refusal !== undefined)
          expectation = { valid: false, why: `${op}(${step.cpu}): ${refusal}` };
        const call = (x: PercpuAllocator): Result<void> =>
          op === "cpu_add"
            ? x.cpuAdd(step.cpu)
            : op === "cpu_remove"
              ? x.cpuRemove(step.cpu)
              : op === "cpu_up"
                ? x.cpuUp(step.cpu)
                : x.cpuDown(step.cpu);
        perform = () => call(a);
        performTwin = (t) => call(t.allocator);
        apply = () => model.applyHotplug(op, step.cpu);
        break;
      }
      case "fail_page_alloc": {
        if (!this.capabilities.has("fail_page_alloc")) return false;
        if (step.after < 0 || step.count < 0) {
          expectation = {
            valid: false,
            why: `fail_page_alloc(${step.after}, ${step.count}): negative`,
          };
        }
        perform = () => a.failPageAlloc(step.after, step.count);
        performTwin = (t) => t.allocator.failPageAlloc(step.after, step.count);
        apply = () => {
          model.injectedPending = step.count;
        };
        break;
      }
      case "reclaim": {
        if (!this.capabilities.has("reclaim")) return false;
        perform = () => a.reclaim();
        performTwin = (t) => t.allocator.reclaim();
        break;
      }
    }

    const injectionPending = model.injectedPending > 0;
    // Nothing runs between two steps: the stats after one are the stats before the next.
    const before = this.lastStats ?? this.stats(a, index, step);
    const twinBefore = this.twin
      ? (this.lastTwinStats ?? this.stats(this.twin.allocator, index, step))
      : undefined;
    if (perform === undefined) return false;
    const run = perform;
    // Into the trace before it runs, so that a step that raises is part of the trace.
    if (!implicit) this.trace.push(step);
    const result = this.guard(run, index, step);
    const twinResult =
      this.twin && performTwin
        ? this.guard(() => performTwin(this.twin as Twin), index, step)
        : undefined;
    void twinResult;
    const outcome: Outcome = result.ok
      ? { ok: true, value: result.value }
      : { ok: false, error: result.error, message: result.message };
    // An atomic request the design serves from populated memory only may fail on its own
    // (docs/protocol.md); such a failure says nothing of the injected one.
    const atomicMayFail =
      step.op === "alloc" && step.atomic === true && this.target.atomicFromPopulated;
    if (!result.ok && result.error === "ENOMEM" && model.injectedPending > 0 && !atomicMayFail)
      model.injectedPending--;
    const agrees = expectation.valid
      ? result.ok || (result.error === "ENOMEM" && (injectionPending || atomicMayFail))
      : !result.ok && result.error === (expectation.error ?? "EINVAL");
    if (result.ok && expectation.valid) apply(result.value);

    const observe = new Observer(a);
    if (step.op === "alloc" && result.ok && expectation.valid && record !== undefined) {
      for (const cpu of model.possible) {
        const addr = observe.copyAddr(record, cpu);
        if (addr.ok) record.copies.set(cpu, addr.value);
      }
      this.copyIndex.add(record);
    }
    const audit =
      this.auditNext ||
      ++this.sinceAudit >= this.auditEvery ||
      step.op === "reclaim" ||
      !agrees ||
      (!result.ok && result.error === "ENOMEM");
    if (audit) {
      this.auditNext = false;
      this.sinceAudit = 0;
    }
    const scope = stepScope({ step, record, ok: result.ok, audit, index: this.copyIndex, model });
    if (step.op === "free" && result.ok && expectation.valid && record !== undefined) {
      this.copyIndex.remove(record);
    }
    const after = this.stats(a, index, step);
    this.lastStats = after;
    const twin: TwinView | undefined =
      this.twin && twinBefore
        ? {
            before: twinBefore,
            after: this.stats(this.twin.allocator, index, step),
            nrCpus: this.twin.config.nrCpus,
          }
        : undefined;
    this.lastTwinStats = twin?.after;
    const ctx: StepContext = {
      index,
      step,
      implicit,
      expectation,
      outcome,
      record,
      model,
      injectionPending,
      atomicMayFail,
      before,
      after,
      baseline: this.baseline,
      pool: this.poolBound(),
      observe,
      scope,
      copies: this.copyIndex,
      shadow: this.shadow,
      twin,
      machineState: implicit ? undefined : this.machineState,
    };
    for (const inv of this.invariants) {
      const broken = inv.afterStep
        ? this.guard(() => inv.afterStep?.(ctx), index, step)
        : undefined;
      if (broken !== undefined) throw new Violation(inv.id, broken, index, step);
    }
    if (!agrees) this.diverged = true;
    this.log.push({
      op: step.op,
      valid: expectation.valid,
      error: result.ok ? undefined : result.error,
    });
    if (this.trackDepth) this.measureDepth(result.ok ? undefined : result.error);
    return true;
  }

  private measureDepth(error: string | undefined): void {
    const d = this.depth;
    if (error === "ENOMEM") d.enomem++;
    d.maxLive = Math.max(d.maxLive, this.model.liveObjects().length);
    d.maxOffline = Math.max(d.maxOffline, this.model.possible.length - this.model.online.size);
    if (!this.capabilities.has("inspect")) return;
    const view = this.allocator.inspect();
    if (!view.ok) return;
    d.maxBlocks = Math.max(d.maxBlocks, view.value.blocks.length);
    if (view.value.blocks.some((b) => b.state === "full")) d.fullBlock = true;
  }

  /** Frees every live object, runs deferred work, and asks the end-of-run questions. */
  finish(): void {
    this.auditNext = true;
    for (const obj of [...this.model.liveObjects()]) {
      if (this.diverged) return;
      this.execute({ op: "free", obj: obj.name }, true);
    }
    if (this.capabilities.has("reclaim")) this.execute({ op: "reclaim" }, true);
    if (this.diverged) return;
    const end: Step = { op: "reclaim" };
    const final = this.stats(this.allocator, -1, end);
    const twin = this.twin
      ? { baseline: this.twin.baseline, final: this.stats(this.twin.allocator, -1, end) }
      : undefined;
    for (const inv of this.invariants) {
      const broken = inv.atEnd?.({
        model: this.model,
        baseline: this.baseline,
        final,
        twin,
        pool: this.poolBound(),
      });
      if (broken !== undefined) throw new Violation(inv.id, broken, -1, undefined);
    }
  }
}

/** Internal: unwinds a step when the run diverges. */
class DivergedSignal extends Error {}
