/**
 * A diff session: the same steps on two sessions, BASE and HEAD, each with its own model and no
 * invariant, and after every step what both expose compared (compareViews.ts). The generated
 * commands resolve against BASE's model (its names, its live objects); both models name objects
 * alike for as long as both grant the same requests, which the outcome comparison watches.
 *
 * A difference raises `DiffFound` at its step. Where the sides part in a way the aspects asked
 * for do not judge (one granted what the other refused, with outcomes not compared; a side that
 * contradicted its own model and stopped), the run ends there, `cut`: the steps after it would
 * not be the same steps on both. A valid request refused with ENOMEM is no contradiction here
 * (the model made nothing): both sides go on.
 *
 * It offers what a command reads of a session (`running`, `model`, `target`, `capabilities`,
 * `execute`), so the check's own command generators drive it.
 */
import type { BootConfig, Capability } from "../../impl/index.ts";
import { Session } from "../engine/session.ts";
import { describeStep, type Step } from "../engine/step.ts";
import type { Target } from "../engine/target.ts";
import { compareViews, describeDifference, type CompareAspect } from "./compareViews.ts";
import type { FieldDifference } from "./compareViews.ts";
import { BlockNames, outcomeAt, sideView, type SideView } from "./sideView.ts";

/** A difference found at a step (index in the diff's trace). */
export class DiffFound extends Error {
  readonly difference: FieldDifference;
  readonly stepIndex: number;
  readonly step: Step;

  constructor(difference: FieldDifference, stepIndex: number, step: Step) {
    super(`step ${stepIndex}, ${describeStep(step)}: ${describeDifference(difference)}`);
    this.name = "DiffFound";
    this.difference = difference;
    this.stepIndex = stepIndex;
    this.step = step;
  }
}

/** Both sides' views after one step of the trace. */
export interface DiffStepViews {
  readonly index: number;
  readonly step: Step;
  readonly base: SideView;
  readonly head: SideView;
  readonly difference: FieldDifference | undefined;
}

export interface DiffSessionOptions {
  readonly base: Target;
  readonly head: Target;
  readonly config: BootConfig;
  readonly aspects: ReadonlySet<CompareAspect>;
  /** Called after every step both ran, with both views (replay shows them). */
  readonly onStep?: (views: DiffStepViews) => void;
}

export class DiffSession {
  readonly base: Session;
  readonly head: Session;
  /** The capabilities both sides have: only their steps are generated. */
  readonly capabilities: ReadonlySet<Capability>;
  /** The steps run on both sides, in order. */
  readonly trace: Step[] = [];
  /** The sides parted where no aspect asked for judges: the rest is not compared. */
  cut = false;
  private readonly aspects: ReadonlySet<CompareAspect>;
  private readonly names = { base: new BlockNames(), head: new BlockNames() };
  private readonly onStep: DiffSessionOptions["onStep"];

  constructor(options: DiffSessionOptions) {
    this.aspects = options.aspects;
    this.onStep = options.onStep;
    const session = (target: Target) =>
      new Session({ target, config: options.config, invariants: [], runOnRefusal: true });
    this.base = session(options.base);
    this.head = session(options.head);
    this.capabilities = new Set(
      [...this.base.capabilities].filter((c) => this.head.capabilities.has(c)),
    );
  }

  get running(): boolean {
    return !this.cut && this.base.running && this.head.running;
  }

  /** BASE's model: the commands resolve their choices against it. */
  get model(): Session["model"] {
    return this.base.model;
  }

  get target(): Target {
    return this.base.target;
  }

  /** Runs one step on both sides and compares; false if it ran on neither. */
  execute(step: Step): boolean {
    if (!this.running) return false;
    const index = this.trace.length;
    const at = { base: this.base.trace.length, head: this.head.trace.length };
    const ranBase = this.base.execute(step);
    const ranHead = this.head.execute(step);
    const outcomes = {
      base: outcomeAt(this.base, at.base, ranBase),
      head: outcomeAt(this.head, at.head, ranHead),
    };
    if (outcomes.base === "skipped" && outcomes.head === "skipped") return false;
    this.trace.push(step);
    const base = sideView(this.base, outcomes.base, this.names.base);
    const head = sideView(this.head, outcomes.head, this.names.head);
    const difference = compareViews(base, head, this.aspects);
    this.onStep?.({ index, step, base, head, difference });
    if (difference !== undefined) throw new DiffFound(difference, index, step);
    // Parted where nothing asked for judges: what follows is no longer the same run.
    const granted = (o: string) => !o.startsWith("-") && o !== "skipped";
    if (granted(outcomes.base) !== granted(outcomes.head)) this.cut = true;
    if (!this.base.running || !this.head.running) this.cut = true;
    return true;
  }

  /** Frees what BASE's model holds live, then `reclaim` if both offer it: as steps, compared. */
  finish(): void {
    for (const obj of [...this.base.model.liveObjects()]) {
      if (!this.running) return;
      this.execute({ op: "free", obj: obj.name });
    }
    if (this.running && this.capabilities.has("reclaim")) this.execute({ op: "reclaim" });
  }
}
