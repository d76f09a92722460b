/**
 * `replay FILE` of a difference (a file `diff` wrote): its steps on BASE and HEAD side by side,
 * with what each side returned, the place of the object the step names, the pages held by node
 * and the blocks in use, and the first differing field marked. Exit 1 if the sides still differ,
 * 0 if they agree on every step (the difference is gone), 3 if a harness failed as a process.
 */
import { HarnessFailure } from "../impl/external/index.ts";
import {
  asExternal,
  BootFailure,
  describeStep,
  replayDiff,
  topologyFromJson,
  type CompareAspect,
  type CounterexampleFile,
  type DiffStepViews,
  type Place,
  type SideView,
  type Step,
  type Target,
} from "../properties/index.ts";
import type { CliIo } from "./cliIo.ts";
import { EXIT_FAIL, EXIT_HARNESS, EXIT_OK } from "./exitCodes.ts";
import { formatTopology } from "./format.ts";
import { findReplayTarget, type ReplayOptions } from "./replayCommand.ts";
import { UsageError } from "./usageError.ts";

/** The object a step names or makes, if any. */
function objectOf(step: Step): string | undefined {
  if (step.op === "alloc") return step.as;
  return "obj" in step && typeof step.obj === "string" ? step.obj : undefined;
}

function placeText(name: string, p: Place | undefined): string {
  if (p === undefined) return `${name} not live`;
  const hex = (n: number) => `0x${n.toString(16)}`;
  const block = p.block !== undefined ? ` ${p.block}` : "";
  const offset = p.offset !== undefined ? `+${hex(p.offset)}` : "";
  const page = p.pageOffset !== undefined ? ` (page +${hex(p.pageOffset)})` : "";
  return `${name}${block}${offset}${page}`;
}

function sideLine(label: string, view: SideView, obj: string | undefined): string {
  const parts = [
    view.outcome.padEnd(8),
    ...(obj !== undefined ? [placeText(obj, view.places.get(obj))] : []),
    `pages [${view.pagesByNode.join(", ")}]`,
    ...(view.blocks !== undefined ? [`blocks ${view.blocks}`] : []),
  ];
  return `       ${label}  ${parts.join("  ")}`;
}

function sideJson(view: SideView) {
  return {
    returned: view.outcome,
    places: Object.fromEntries(
      [...view.places].map(([name, p]) => [
        name,
        {
          ...(p.block !== undefined ? { block: p.block } : {}),
          ...(p.offset !== undefined ? { offset: p.offset } : {}),
          ...(p.pageOffset !== undefined ? { page_offset: p.pageOffset } : {}),
          ...(p.copies !== undefined ? { copies: p.copies } : {}),
        },
      ]),
    ),
    pages_by_node: [...view.pagesByNode],
    ...(view.blocks !== undefined ? { blocks: view.blocks, lists: view.lists } : {}),
  };
}

function kindOf(t: Target): string {
  return t.kind === "mutant" ? `mutant of ${t.revision ?? "?"}` : t.kind;
}

export function replayDiffCommand(
  file: string,
  ce: CounterexampleFile,
  options: ReplayOptions,
  io: CliIo,
): number {
  const diff = ce.diff;
  if (diff === undefined) throw new Error(`${file}: not a difference`);
  if (options.external !== undefined) {
    throw new UsageError(
      `${file}: a difference's file names both targets (target and diff.head); --external is for a file of one external target`,
    );
  }
  const base = findReplayTarget(file, ce.target, options);
  const head = findReplayTarget(file, diff.head, options, "diff.head");
  const aspects = new Set<CompareAspect>(diff.compare);
  const config = topologyFromJson(ce.topology);
  const views: DiffStepViews[] = [];
  let found;
  try {
    found = replayDiff(base, head, config, ce.commands, aspects, {
      onStep: (v) => views.push(v),
    }).found;
  } catch (e) {
    if (e instanceof BootFailure) throw new UsageError(`${file}: field topology: ${e.message}`);
    if (!(e instanceof HarnessFailure)) throw e;
    io.err(`replay: a harness failed (${e.kind}): ${e.message}\n`);
    return EXIT_HARNESS;
  } finally {
    asExternal(base)?.close();
    asExternal(head)?.close();
  }
  const d = found?.difference;
  const message =
    d === undefined
      ? "no difference: BASE and HEAD agree on every step"
      : `${d.field === diff.field ? "the difference reproduces" : `a difference, not the recorded ${diff.field}`}: ${d.field} after step ${found?.stepIndex}: BASE ${d.base}, HEAD ${d.head}`;
  if (options.json) {
    const json = {
      file,
      base: base.id,
      head: head.id,
      compare: diff.compare,
      recorded: diff.field,
      reproduced: d !== undefined,
      ...(d !== undefined ? { field: d.field } : {}),
      message,
      steps: views.map((v) => ({
        index: v.index,
        step: v.step,
        base: sideJson(v.base),
        head: sideJson(v.head),
        ...(v.difference !== undefined ? { difference: v.difference.field } : {}),
      })),
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return d === undefined ? EXIT_OK : EXIT_FAIL;
  }
  const lines = [
    `replay ${file}`,
    `  BASE       ${base.id} (${kindOf(base)})`,
    `  HEAD       ${head.id} (${kindOf(head)})`,
    `  compared   ${diff.compare.join(", ")}`,
    `  recorded   ${diff.field}`,
    `  topology   ${formatTopology(config)}`,
    "",
    ...views.flatMap((v) => {
      const obj = objectOf(v.step);
      return [
        `${String(v.index).padStart(3)}  ${describeStep(v.step)}`,
        sideLine("BASE", v.base, obj),
        sideLine("HEAD", v.head, obj),
        ...(v.difference !== undefined
          ? [`       ^ ${v.difference.field}: BASE ${v.difference.base}, HEAD ${v.difference.head}`]
          : []),
      ];
    }),
    "",
    message,
    "",
  ];
  io.out(lines.join("\n"));
  return d === undefined ? EXIT_OK : EXIT_FAIL;
}
