/**
 * The machines on their own: simple paths over the CPU sets and over one block (small enough
 * for simple paths), the system machine's graph, and its transition tour.
 */
import { describe, expect, it } from "vitest";
import { transition } from "xstate";
import { createTestModel } from "xstate/graph";
import { REVISION_TARGETS, Session, type Step } from "../properties/index.ts";
import { INVARIANTS } from "../properties/invariants/index.ts";
import { blockMachine, blockState, usedUnits, type BlockEvent } from "./blockMachine.ts";
import { chunkMachine, newChunkContext, type ChunkEvent } from "./chunkMachine.ts";
import { ChunkCoverage, CHUNK_STATES, chunkStep } from "./chunkCoverage.ts";
import { cpuEventAllowed, cpuSetsMachine, type CpuEvent } from "./cpuSetsMachine.ts";
import { buildSystemGraph, transitionTour } from "./systemGraph.ts";
import { INITIAL_SYSTEM, systemMachine } from "./systemMachine.ts";
import { guardOutcomes } from "../properties/runner/modelPaths.ts";

const CPU_EVENTS: CpuEvent[] = (
  ["cpu.add", "cpu.remove", "cpu.online", "cpu.offline"] as const
).flatMap((type) => [0, 1, 2].map((cpu) => ({ type, cpu })));
const CPU_INPUT = { possible: [0, 1, 2], present: [0, 1], online: [0] };

describe("cpuSetsMachine (simple paths, 3 possible CPUs)", () => {
  const model = createTestModel(cpuSetsMachine, { events: CPU_EVENTS, input: CPU_INPUT });
  const paths = model.getSimplePaths();

  it("has the 19 states of 3 CPUs with one online at least, and many simple paths", () => {
    expect(Object.keys(model.getAdjacencyMap())).toHaveLength(3 ** 3 - 2 ** 3);
    expect(paths.length).toBeGreaterThan(100);
  });

  it("keeps online ⊆ present ⊆ possible, possible fixed, online never empty, on every path", () => {
    for (const path of paths) {
      for (const { state } of path.steps) {
        const { possible, present, online } = state.context;
        expect(possible).toEqual(CPU_INPUT.possible);
        expect(present.every((c) => possible.includes(c))).toBe(true);
        expect(online.every((c) => present.includes(c))).toBe(true);
        expect(online.length).toBeGreaterThan(0);
      }
    }
  });

  it.each(REVISION_TARGETS.map((t) => [t.id, t] as const))(
    "%s answers every event of every simple path as the machine says (allowed: ok, refused: EINVAL)",
    (_id, target) => {
      const config = {
        nrCpus: 8,
        ...CPU_INPUT,
        cpuToNode: [0, 0, 1, 1, 0, 0, 1, 1],
        nrNodes: 2,
        pageSize: 4096,
      };
      const invariants = INVARIANTS.filter((i) =>
        ["bad-input", "completeness", "hotplug-transparency"].includes(i.id),
      );
      const ops = {
        "cpu.add": "cpu_add",
        "cpu.remove": "cpu_remove",
        "cpu.online": "cpu_up",
        "cpu.offline": "cpu_down",
      } as const;
      // Every 7th path keeps the test quick; the paths share most prefixes anyway.
      for (const path of paths.filter((_, i) => i % 7 === 0)) {
        const session = new Session({ target, config, invariants });
        session.execute({ op: "alloc", size: 8, align: 8, as: "o1" });
        let context = path.steps[0]?.state.context ?? cpuSetsMachine.config.context;
        for (const { event, state } of path.steps.slice(1)) {
          const e = event as CpuEvent;
          const allowed = cpuEventAllowed(context as never, e);
          const step: Step = { op: ops[e.type], cpu: e.cpu };
          expect(session.execute(step)).toBe(true);
          expect(session.log.at(-1)).toMatchObject({
            valid: allowed,
            error: allowed ? undefined : "EINVAL",
          });
          context = state.context;
        }
      }
    },
  );
});

describe("blockMachine (simple paths, a block of two halves)", () => {
  const events: BlockEvent[] = [
    { type: "block.reserve" },
    { type: "populate.done" },
    { type: "populate.enomem" },
    { type: "obj.alloc", units: 1 },
    { type: "obj.alloc", units: 2 },
    { type: "obj.free", units: 1 },
    { type: "obj.free", units: 2 },
    { type: "block.release" },
  ];
  const model = createTestModel(blockMachine, { events, input: { capacity: 2 } });
  const paths = model.getSimplePaths();

  it("reaches every lifecycle state", () => {
    const seen = new Set(paths.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    expect([...seen].sort()).toEqual([
      "empty",
      "full",
      "partial",
      "populating",
      "released",
      "unreserved",
    ]);
  });

  it("keeps the state equal to what the block holds, and never more than it holds", () => {
    for (const path of paths) {
      for (const { state } of path.steps) {
        const used = usedUnits(state.context);
        expect(used).toBeLessThanOrEqual(2);
        const value = String(state.value);
        if (["empty", "partial", "full"].includes(value)) expect(value).toBe(blockState(used, 2));
        else expect(state.context.objects).toEqual([]);
      }
    }
  });

  it("rolls back from populating to unreserved on ENOMEM", () => {
    const rolled = paths.some((p) =>
      p.steps.some(
        (s, i) =>
          s.event.type === "populate.enomem" && String(p.steps[i]?.state.value) === "unreserved",
      ),
    );
    expect(rolled).toBe(true);
  });
});

describe("systemMachine graph and tour", () => {
  const graph = buildSystemGraph();
  const tour = transitionTour(graph);

  it("enumerates the scope: thousands of states, tens of thousands of transitions", () => {
    expect(graph.states.size).toBe(3120);
    expect(graph.edgeCount).toBeGreaterThan(50_000);
  });

  it("the tour takes every transition and sees every guard both ways", () => {
    const taken = new Set<string>();
    const guards = new Set<string>();
    for (const walk of tour) {
      let snapshot = systemMachine.resolveState({ value: "running", context: INITIAL_SYSTEM });
      for (const event of walk) {
        taken.add(`${JSON.stringify(snapshot.context)}|${JSON.stringify(event)}`);
        for (const [g, outcome] of guardOutcomes(snapshot.context, event))
          guards.add(`${g}:${outcome}`);
        [snapshot] = transition(systemMachine, snapshot, event);
      }
    }
    expect(taken.size).toBe(graph.edgeCount);
    expect(guards.size).toBe(Object.keys(systemMachine.implementations.guards).length * 2);
  });
});

describe("chunkMachine (every state and transition, a chunk of 2 pages)", () => {
  // Simple paths explode on its parallel regions; the adjacency map gives every state and
  // every transition, which is what these checks need. The events carry what the check
  // derives from a view: bytes, the chunk's empty pages after, the system-wide count.
  const half = 4096;
  const events: ChunkEvent[] = [
    { type: "obj.alloc", bytes: half, emptyPopulated: 0 },
    { type: "obj.alloc", bytes: 2 * half, emptyPopulated: 0 },
    { type: "obj.free", bytes: half, emptyPopulated: 1, globalEmpty: 9 },
    { type: "obj.free", bytes: half, emptyPopulated: 0, globalEmpty: 0 },
    { type: "obj.free", bytes: 2 * half, emptyPopulated: 2, globalEmpty: 9 },
    { type: "alloc.unwind", bytes: half },
    { type: "pages.populate", pages: 1 },
    { type: "pages.depopulate", pages: 1 },
    { type: "chunk.sideline" },
    { type: "chunk.reintegrate" },
    { type: "chunk.destroy" },
  ];
  const model = createTestModel(chunkMachine, {
    events,
    input: { nrPages: 2, unitBytes: 2 * half },
  });
  const adjacency = Object.values(model.getAdjacencyMap());
  const states = adjacency.map((a) => a.state);
  type Snapshot = (typeof states)[number];
  const transitions = adjacency.flatMap((a) =>
    (Object.values(a.transitions) as { event: ChunkEvent; state: Snapshot }[]).map((t) => ({
      from: a.state,
      event: t.event,
      to: t.state,
    })),
  );

  it("reaches every state and takes every transition of its definition", () => {
    const coverage = new ChunkCoverage();
    for (const t of transitions) {
      const value = t.from.value as Record<string, string>;
      coverage.visit(value);
      coverage.record(chunkStep(value, t.from.context, t.event));
    }
    // Two halves fill the chunk, so the partial chunk that takes or gives back an area and
    // stays partial needs a third size: a quarter, from a partial chunk with a half in it.
    const partial = { value: { holding: "partial", lists: "slot" } };
    const ctx = { ...newChunkContext(2, 2 * half), live: 1, freeBytes: half };
    coverage.record(
      chunkStep(partial.value, ctx, { type: "obj.alloc", bytes: half / 2, emptyPopulated: 0 }),
    );
    coverage.record(
      chunkStep(
        partial.value,
        { ...ctx, live: 2, freeBytes: half / 2 },
        { type: "obj.free", bytes: half / 2, emptyPopulated: 0, globalEmpty: 0 },
      ),
    );
    const f = coverage.figures();
    expect(f.missing.states).toEqual([]);
    expect(f.missing.transitions).toEqual([]);
    expect(f.states).toEqual([CHUNK_STATES.length, CHUNK_STATES.length]);
  });

  it("never depopulates a page in use, and populates no more than the chunk has", () => {
    for (const s of states) {
      expect(s.context.populated).toBeLessThanOrEqual(2);
      expect(s.context.emptyPopulated).toBeGreaterThanOrEqual(0);
      expect(s.context.emptyPopulated).toBeLessThanOrEqual(s.context.populated + 2);
    }
    for (const t of transitions.filter((t) => t.event.type === "pages.depopulate")) {
      if (t.to === t.from) continue;
      expect(t.from.value).toMatchObject({ lists: "toDepopulate" });
    }
  });

  it("takes no allocation on to_depopulate, and a sidelined chunk an allocation takes goes back to its slot", () => {
    for (const t of transitions.filter((t) => t.event.type === "obj.alloc")) {
      const from = t.from.value as Record<string, string>;
      const taken = chunkStep(from, t.from.context, t.event).some((s) => s.taken !== undefined);
      if (from.lists === "toDepopulate") expect(taken).toBe(false);
      if (from.lists === "sidelined" && taken) {
        expect(t.to.value).toMatchObject({ lists: "slot" });
      }
    }
  });

  it("never isolates, depopulates or destroys the first chunk", () => {
    const first = chunkMachine.resolveState({
      value: { holding: "partial", lists: "slot" },
      context: { ...newChunkContext(2, 2 * half), first: true, live: 2, freeBytes: half },
    });
    for (const e of events) {
      const steps = chunkStep(first.value as Record<string, string>, first.context, e);
      const lists = steps[1];
      if (["obj.free", "chunk.destroy", "pages.depopulate"].includes(e.type)) {
        expect(lists?.taken).toBeUndefined();
      }
      const [next] = transition(chunkMachine, first, e);
      expect(next.value).toMatchObject({ lists: "slot" });
    }
  });
});
