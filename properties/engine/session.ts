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
 * What a step means (its expectation, how it runs on the allocator and the twin, what it changes
 * in the model) is its operation's module (engine/ops/); this is the loop around them.
 *
 * A `HarnessFailure` (an external harness that crashed, hung or broke the protocol) is not the
 * allocator's oops: it passes through unjudged, for the runner to report as a finding of its
 * own kind with the trace so far.
 *
 * Where the allocator contradicts the model and no enabled invariant judges that (it failed
 * earlier in this check and was set aside), the run stops quietly (`diverged`): what follows
 * would be judged against a model that no longer describes the allocator.
 */
import type {
  AllocatorStats,
  BootConfig,
  Capability,
  PercpuAllocator,
  PoolBound,
  Query,
} from "../../impl/index.ts";
import { HarnessFailure } from "../../impl/external/index.ts";
import type { Expectation, Invariant, StepContext, TwinView } from "../invariants/invariant.ts";
import type { AbstractState } from "../../model/systemMachine.ts";
import { PercpuModel } from "./model.ts";
import { CopyIndex } from "./copyIndex.ts";
import { Observer, SHARED_PAGES } from "./observer.ts";
import { PageShadow } from "./pageShadow.ts";
import { planObservations } from "./plan.ts";
import { DEFAULT_AUDIT_EVERY, stepScope } from "./scope.ts";
import { opOf, outcomeOf } from "./ops/index.ts";
import { describeValue, type Step } from "./step.ts";
import type { Target } from "./target.ts";
import { Violation } from "./violation.ts";

/** The id of the invariant that judges exceptions thrown by the allocator. */
export const NO_OOPS = "no-oops";
const VALID: Expectation = { valid: true, why: "valid request" };
const STATS: readonly Query[] = [{ op: "stats" }];

/** The NR_CPUS pair of the relational check. */
export const TWIN_NR_CPUS = [8, 512] as const;

export interface SessionOptions {
  readonly target: Target;
  readonly config: BootConfig;
  readonly invariants: readonly Invariant[];
  /**
   * Called with every step the invariants passed (properties/depth measures how deep the run
   * goes from it); it must only read: what it asks of the allocator goes through `ctx.observe`.
   */
  readonly onStep?: (ctx: StepContext) => void;
  /**
   * A full audit of every live copy every this many steps (default 16; 1 audits every step);
   * the steps between are checked incrementally (engine/scope.ts).
   */
  readonly auditEvery?: number;
  /**
   * A valid request refused with ENOMEM leaves the run going (the model stays right: nothing
   * was made). With invariants it is their verdict to give; a diff, which judges none, compares
   * what the sides do next.
   */
  readonly runOnRefusal?: boolean;
  /**
   * Called before every request (each part of a bulk step too): a check's stop request and time
   * limit (runner/runBudget.ts); what it throws ends the run and passes through, unjudged.
   */
  readonly checkpoint?: () => void;
}

/**
 * One line of a session's log: what ran and how it ended. A step is logged once it has run,
 * before the invariants judge it, so the step that breaks one is in the log too.
 */
export interface LogEntry {
  readonly op: Step["op"];
  /** The step's index in the trace; undefined for an implicit step (the end-of-run frees). */
  readonly step: number | undefined;
  readonly valid: boolean;
  /** The error code, or "oops" when the allocator raised. */
  readonly error: string | undefined;
  /**
   * What the step returned, as the kernel would print it: a pointer, `0`, `-ENOMEM`, the bytes
   * read, or `raised TypeError` when the allocator raised.
   */
  readonly returned: string;
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
  private readonly onStep: ((ctx: StepContext) => void) | undefined;
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
  /** The trace index of the bulk step whose parts run now (engine/ops/op.ts `expand`). */
  private bulkIndex: number | undefined;
  /** The parts each bulk step of the trace ran, by its trace index (what `expand` gave). */
  private readonly bulkParts = new Map<number, Step[]>();

  private readonly runOnRefusal: boolean;
  private readonly checkpoint: (() => void) | undefined;

  constructor(options: SessionOptions) {
    this.target = options.target;
    this.invariants = options.invariants;
    this.judges = new Set(options.invariants.map((i) => i.id));
    this.judgesOops = this.judges.has(NO_OOPS);
    this.onStep = options.onStep;
    this.auditEvery = options.auditEvery ?? DEFAULT_AUDIT_EVERY;
    this.runOnRefusal = options.runOnRefusal === true;
    this.checkpoint = options.checkpoint;
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
    // Nothing runs between boot and the first step: the baseline is the stats before it.
    this.lastStats = this.baseline;
    this.lastTwinStats = this.twin?.baseline;
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

  /**
   * Runs one step. Returns false if the step was skipped (it names an object the run does not
   * have, or an operation the target lacks). Throws `Violation` when an invariant breaks.
   */
  execute(step: Step, implicit = false): boolean {
    if (this.diverged) return false;
    const expand = opOf(step).expand;
    if (expand !== undefined) {
      const parts = expand(step, { model: this.model, target: this.target });
      return parts !== undefined && this.executeBulk(step, parts as readonly Step[], implicit);
    }
    try {
      return this.run(step, implicit);
    } catch (e) {
      if (e instanceof DivergedSignal) return false;
      throw e;
    }
  }

  /**
   * A bulk step: one line of the trace, its parts run as ordinary steps under its index (a
   * violation names the part and the bulk step's index). A part that is skipped is skipped
   * alone; a run that diverges stops the rest.
   */
  private executeBulk(step: Step, parts: readonly Step[], implicit: boolean): boolean {
    if (parts.length === 0 || this.bulkIndex !== undefined) return false;
    const index = this.trace.length;
    if (!implicit) this.trace.push(step);
    this.bulkIndex = index;
    const ran: Step[] = [];
    if (!implicit) this.bulkParts.set(index, ran);
    try {
      for (const part of parts) {
        if (this.diverged) break;
        // Pushed before it runs: a part that breaks an invariant ran too.
        ran.push(part);
        if (!this.execute(part, implicit)) ran.pop();
      }
    } finally {
      this.bulkIndex = undefined;
    }
    return true;
  }

  private run(step: Step, implicit: boolean): boolean {
    this.checkpoint?.();
    const model = this.model;
    const index = this.bulkIndex ?? this.trace.length;
    const a = this.allocator;
    const op = opOf(step);
    if (op.needs !== undefined && !this.capabilities.has(op.needs)) return false;
    if (op.needsOf?.(step).some((c) => !this.capabilities.has(c))) return false;
    const prepared = op.prepare(step, { model, target: this.target });
    if (prepared === undefined) return false;
    let record = prepared.record;
    const expectation = prepared.expectation ?? VALID;

    const injectionPending = model.injectedPending > 0;
    // Nothing runs between two steps: the stats after one are the stats before the next.
    const before = this.lastStats ?? this.stats(a, index, step);
    const twinBefore = this.twin
      ? (this.lastTwinStats ?? this.stats(this.twin.allocator, index, step))
      : undefined;
    // Into the trace before it runs, so that a step that raises is part of the trace.
    if (!implicit && this.bulkIndex === undefined) this.trace.push(step);
    const logged = { op: step.op, step: implicit ? undefined : index, valid: expectation.valid };
    // Where the allocator batches, the stats after the step go in the step's own line, and so
    // do the checks' questions that do not depend on its answer (a free's, a write's, a hotplug
    // event's pages and copies; an allocation's depend on the addresses it is given).
    const observe = new Observer(a, SHARED_PAGES);
    // An allocation's copies are asked right after it (allocOp's granted).
    const made =
      step.op === "alloc" && expectation.valid
        ? model.possible.map((cpu): Query => ({ op: "ptr", ptr: "new", cpu }))
        : [];
    if (a.plan !== undefined) {
      const audit =
        this.auditNext || this.sinceAudit + 1 >= this.auditEvery || prepared.audit === true;
      const ok = expectation.valid;
      const scope = stepScope({ step, record, ok, audit, index: this.copyIndex, model });
      const checks =
        step.op === "alloc"
          ? []
          : planObservations({
              before: true,
              step,
              record,
              ok,
              error: undefined,
              expectation,
              scope,
              model,
              judges: this.judges,
            });
      observe.plan([...STATS, ...made, ...checks], true);
    }
    const result = this.guard(
      () => {
        try {
          return prepared.perform(a);
        } catch (e) {
          if (!(e instanceof Violation || e instanceof HarnessFailure)) {
            const name = e instanceof Error ? e.name : "an exception";
            this.log.push({ ...logged, error: "oops", returned: `raised ${name}` });
          }
          throw e;
        }
      },
      index,
      step,
    );
    const twinResult =
      this.twin && prepared.performTwin
        ? this.guard(
            () => {
              this.twin?.allocator.plan?.(STATS, true);
              return prepared.performTwin?.(this.twin as Twin);
            },
            index,
            step,
          )
        : undefined;
    const outcome = outcomeOf(result);
    // An atomic request the design serves from populated memory only may fail on its own
    // (docs/protocol.md); such a failure says nothing of the injected one.
    const atomicMayFail = prepared.mayFailAlone === true;
    if (!result.ok && result.error === "ENOMEM" && model.injectedPending > 0 && !atomicMayFail)
      model.injectedPending--;
    const agrees = expectation.valid
      ? result.ok || (result.error === "ENOMEM" && (injectionPending || atomicMayFail))
      : !result.ok && result.error === (expectation.error ?? "EINVAL");
    const granted = result.ok && expectation.valid;
    if (granted) record = prepared.apply?.(result.value) ?? record;

    if (granted) prepared.granted?.({ record, model, observe, copies: this.copyIndex });
    const audit =
      this.auditNext ||
      ++this.sinceAudit >= this.auditEvery ||
      prepared.audit === true ||
      !agrees ||
      (!result.ok && result.error === "ENOMEM");
    if (audit) {
      this.auditNext = false;
      this.sinceAudit = 0;
    }
    const scope = stepScope({ step, record, ok: result.ok, audit, index: this.copyIndex, model });
    // Only an allocator that takes plans is told (in process, the questions are asked as is).
    if (a.plan !== undefined) {
      observe.plan(
        planObservations({
          step,
          record,
          ok: result.ok,
          error: result.ok ? undefined : result.error,
          expectation,
          scope,
          model,
          judges: this.judges,
        }),
      );
    }
    const after = this.stats(a, index, step);
    this.lastStats = after;
    const twin: TwinView | undefined =
      this.twin && twinBefore
        ? {
            before: twinBefore,
            after: this.stats(this.twin.allocator, index, step),
            nrCpus: this.twin.config.nrCpus,
            outcome: twinResult === undefined ? undefined : outcomeOf(twinResult),
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
    this.log.push({
      ...logged,
      error: result.ok ? undefined : result.error,
      returned: result.ok ? describeValue(step, result.value) : `-${result.error}`,
    });
    for (const inv of this.invariants) {
      const broken = inv.afterStep
        ? this.guard(() => inv.afterStep?.(ctx), index, step)
        : undefined;
      if (broken !== undefined) throw new Violation(inv.id, broken, index, step);
    }
    this.onStep?.(ctx);
    // What the step's checks read is not kept past the step (the shadow keeps copies).
    observe.release();
    const refused = expectation.valid && !result.ok && result.error === "ENOMEM";
    if (!agrees && !(refused && this.runOnRefusal)) this.diverged = true;
    return true;
  }

  /** The parts a bulk step ran (a drain's frees, a fill's allocations), by its trace index. */
  partsOf(index: number): readonly Step[] | undefined {
    return this.bulkParts.get(index);
  }

  /** What each step of the trace returned, by its index in the trace (from the log). */

  returnedByStep(): Map<number, string> {
    const returned = new Map<number, string>();
    for (const entry of this.log) {
      if (entry.step !== undefined) returned.set(entry.step, entry.returned);
    }
    return returned;
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
