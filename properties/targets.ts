/**
 * The targets a check can run against: every revision and every mutant, by id, and external
 * harnesses (docs/protocol.md), made from a command line.
 */
import { declaredPool, HarnessPool, type HarnessOptions } from "../impl/external/index.ts";
import type { RetainedPool } from "../impl/index.ts";
import { MUTANTS, type MutantEntry } from "../impl/mutants/index.ts";
import { REVISIONS, type RevisionEntry } from "../impl/revisions/index.ts";
import type { Target } from "./engine/target.ts";

/** A mutant as a target: its revision's limits, and what it changes and should break. */
export interface MutantTarget extends Target {
  readonly kind: "mutant";
  readonly revision: string;
  readonly description: string;
  readonly source: string;
  /** Invariants that must catch it. */
  readonly expected: readonly string[];
}

export function revisionTarget(r: RevisionEntry): Target {
  return {
    id: r.id,
    kind: "revision",
    revision: r.id,
    design: r.design,
    create: r.create,
    maxSize: r.maxSize,
    maxAlign: r.maxAlign,
    zeroAlignValid: r.zeroAlignValid,
    knownViolations: r.knownViolations,
    ...(r.pool ? { pool: r.pool } : {}),
    ...(r.densePossible !== undefined ? { densePossible: r.densePossible } : {}),
    ...(r.reservedArea !== undefined ? { reservedArea: r.reservedArea } : {}),
    ...(r.minAlign !== undefined ? { minAlign: r.minAlign } : {}),
    ...(r.unitBytes !== undefined ? { unitBytes: r.unitBytes } : {}),
    atomicFromPopulated: r.atomicFromPopulated,
  };
}

export function mutantTarget(m: MutantEntry): MutantTarget {
  const base = REVISIONS.find((r) => r.id === m.revision);
  if (base === undefined) throw new Error(`mutant ${m.id}: no revision ${m.revision}`);
  return {
    ...revisionTarget(base),
    id: m.id,
    kind: "mutant",
    revision: m.revision,
    create: m.create,
    description: m.description,
    source: m.source,
    expected: m.expected,
  };
}

export const REVISION_TARGETS: readonly Target[] = REVISIONS.map(revisionTarget);
export const MUTANT_TARGETS: readonly MutantTarget[] = MUTANTS.map(mutantTarget);
export const ALL_TARGETS: readonly Target[] = [...REVISION_TARGETS, ...MUTANT_TARGETS];

export function findTarget(id: string): Target | undefined {
  return ALL_TARGETS.find((t) => t.id === id);
}

/** PCPU_MIN_UNIT_SIZE: the largest size when a harness does not say (`max_size` in hello). */
export const EXTERNAL_DEFAULT_MAX_SIZE = 32768;
/** PAGE_SIZE: the largest alignment asked of a harness. */
export const EXTERNAL_MAX_ALIGN = 4096;

/** An allocator in another process, spoken to through docs/protocol.md. */
export interface ExternalTarget extends Target {
  readonly kind: "external";
  /** The harness command line (`--external "CMD ARGS"`), as given. */
  readonly command: string;
  /** The folder the command was given in, and where the harness runs. */
  readonly cwd: string;
  /** Process ids of the harness processes running now. */
  pids(): number[];
  /** Sends `quit` to every harness process and reaps it. */
  close(): void;
}

/**
 * An external harness as a target. Its processes are shared: `create()` hands out a fresh
 * client over one of two harness processes, in turn (a run and its NR_CPUS twin each have one;
 * `boot` resets a process for the next run), started on first use. `maxSize` asks the harness
 * (`hello`) on first use, so that a harness that fails at once fails inside the check.
 */
export function externalTarget(command: string, options: HarnessOptions = {}): ExternalTarget {
  const cwd = options.cwd ?? process.cwd();
  const pool = new HarnessPool(command, { ...options, cwd });
  let declared: { pool: RetainedPool | undefined } | undefined;
  const retained = (): RetainedPool | undefined => {
    if (declared === undefined) {
      const d = pool.info().pool;
      declared = { pool: d && declaredPool(d) };
    }
    return declared.pool;
  };
  return {
    id: `external:${command}`,
    kind: "external",
    command,
    cwd,
    create: () => pool.create(),
    get maxSize() {
      return pool.info().maxSize ?? EXTERNAL_DEFAULT_MAX_SIZE;
    },
    maxAlign: () => EXTERNAL_MAX_ALIGN,
    zeroAlignValid: false,
    // A harness that declares no min_align has every alignment checked as asked.
    get minAlign() {
      return pool.info().minAlign;
    },
    knownViolations: {},
    // The retained pool is the one hello declares, by its constants (declaredPool); a harness
    // that declares none must come back to its baseline exactly.
    get pool() {
      return retained();
    },
    get unitBytes() {
      return pool.info().pool?.unitBytes;
    },
    // docs/protocol.md lets any harness fail an atomic request with ENOMEM.
    atomicFromPopulated: true,
    get reservedArea() {
      return pool.info().reservedArea;
    },
    pids: () => pool.pids(),
    close: () => pool.close(),
  };
}

/** The target as an external one, or undefined. */
export function asExternal(target: Target): ExternalTarget | undefined {
  return target.kind === "external" && "command" in target ? (target as ExternalTarget) : undefined;
}
