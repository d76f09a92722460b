import { describe, expect, it } from "vitest";
import { and, createMachine, not, setup, stateIn } from "xstate";
import { guardLabel, toMermaid } from "./toMermaid.ts";

const noop = (): void => {};
const yes = (): boolean => true;

/** A diagram's lines after the header, without their indentation. */
function body(text: string): string[] {
  const lines = text.trimEnd().split("\n");
  expect(lines[0]).toBe("stateDiagram-v2");
  return lines.slice(1).map((l) => l.trim());
}

describe("toMermaid", () => {
  it("starts with stateDiagram-v2 and draws the initial state and each transition", () => {
    const m = createMachine({
      id: "light",
      initial: "off",
      states: { off: { on: { toggle: "on" } }, on: { on: { toggle: "off" } } },
    });
    expect(toMermaid(m)).toBe(
      [
        "stateDiagram-v2",
        "    [*] --> off",
        "    off --> on : toggle",
        "    on --> off : toggle",
        "",
      ].join("\n"),
    );
  });

  it("writes a title as front matter before the header", () => {
    const m = createMachine({ initial: "a", states: { a: {} } });
    expect(toMermaid(m, { title: "A title" }).split("\n").slice(0, 4)).toEqual([
      "---",
      'title: "A title"',
      "---",
      "stateDiagram-v2",
    ]);
  });

  it("names guards in brackets, merges events only when the guard is the same", () => {
    const m = setup({ guards: { canAdd: yes, isFull: yes } }).createMachine({
      initial: "idle",
      states: {
        idle: {
          on: {
            "cpu.add": { target: "busy", guard: "canAdd" },
            "cpu.up": { target: "busy", guard: "canAdd" },
            "cpu.down": { target: "busy", guard: "isFull" },
            start: "busy",
            go: "busy",
          },
        },
        busy: {},
      },
    });
    expect(body(toMermaid(m))).toEqual([
      "[*] --> idle",
      "idle --> busy : cpu.add, cpu.up [canAdd]",
      "idle --> busy : cpu.down [isFull]",
      "idle --> busy : start, go",
    ]);
  });

  it("shows a fallback after guarded branches as [else], a refusing one only with actions", () => {
    const m = setup({ guards: { canAdd: yes }, actions: { refuse: noop } }).createMachine({
      initial: "idle",
      states: {
        idle: {
          on: {
            "cpu.add": [{ target: "busy", guard: "canAdd" }, { actions: "refuse" }],
            "cpu.remove": [{ target: "busy", guard: "canAdd" }, {}],
            "cpu.up": [{ target: "busy", guard: "canAdd" }, { target: "idle" }],
            stop: "busy",
          },
        },
        busy: {},
      },
    });
    // A source's [else] lines come after its other lines.
    expect(body(toMermaid(m))).toEqual([
      "[*] --> idle",
      "idle --> busy : cpu.add, cpu.remove, cpu.up [canAdd]",
      "idle --> busy : stop",
      "idle --> idle : cpu.add, cpu.up [else]",
    ]);
  });

  it("draws targetless transitions with actions as self-loops and omits those without", () => {
    const m = setup({ actions: { record: noop }, guards: { online: yes } }).createMachine({
      initial: "up",
      states: {
        up: {
          on: {
            write: { actions: "record" },
            read: { actions: "record", guard: "online" },
            ignored: {},
            refused: { guard: "online" },
            again: { target: "up", reenter: true },
          },
        },
      },
    });
    expect(body(toMermaid(m))).toEqual(["[*] --> up", "up --> up : write, again<br>read [online]"]);
  });

  it("draws a state's self-loops as one edge, a label row each, and other edges apart", () => {
    // Mermaid keeps one self-loop per state: a second `a --> a` line would replace the first.
    const m = setup({ guards: { g: yes, h: yes }, actions: { act: noop } }).createMachine({
      initial: "a",
      states: {
        a: {
          on: {
            x: [{ guard: "g", actions: "act" }, { guard: "h", target: "b" }, { actions: "act" }],
            y: [
              { guard: "h", target: "a" },
              { guard: "g", target: "b" },
            ],
          },
        },
        b: {},
      },
    });
    expect(body(toMermaid(m))).toEqual([
      "[*] --> a",
      "a --> a : x [g]<br>y [h]<br>x [else]",
      "a --> b : x [h]",
      "a --> b : y [g]",
    ]);
  });

  it("nests compound states and draws each transition in the lowest common block", () => {
    const m = createMachine({
      id: "block",
      initial: "empty",
      states: {
        empty: { on: { alloc: "used" } },
        used: {
          initial: "partial",
          on: { release: "empty" },
          states: {
            partial: { on: { fill: "full", drop: "#block.empty" } },
            full: { on: { free: "partial" } },
          },
        },
      },
    });
    expect(toMermaid(m)).toBe(
      [
        "stateDiagram-v2",
        "    [*] --> empty",
        "    state used {",
        "        [*] --> partial",
        "        partial --> full : fill",
        "        full --> partial : free",
        "    }",
        "    empty --> used : alloc",
        "    used --> empty : release",
        "    partial --> empty : drop",
        "",
      ].join("\n"),
    );
  });

  it("marks final states, inside compound states too, and labels done events", () => {
    const m = createMachine({
      initial: "running",
      states: {
        running: {
          initial: "work",
          onDone: "stopped",
          states: { work: { on: { finish: "finished" } }, finished: { type: "final" } },
        },
        stopped: { type: "final" },
      },
    });
    expect(body(toMermaid(m))).toEqual([
      "[*] --> running",
      "state running {",
      "[*] --> work",
      "work --> finished : finish",
      "finished --> [*]",
      "}",
      "running --> stopped : done",
      "stopped --> [*]",
    ]);
  });

  it("maps keys that are not Mermaid identifiers, keywords and repeated keys to safe ids", () => {
    const m = createMachine({
      initial: "cpu.offline",
      states: {
        // A key with a dot can only be a target by id: xstate reads dots as a path.
        "cpu.offline": { id: "offline", on: { "cpu.up": "cpu-online" } },
        "cpu-online": { on: { "cpu.down": "#offline", next: "state" } },
        state: {
          initial: "idle",
          states: { idle: { on: { go: "cpu_online" } }, cpu_online: {} },
        },
        other: { initial: "idle", states: { idle: {} } },
        "2nd": {},
      },
    });
    expect(toMermaid(m)).toBe(
      [
        "stateDiagram-v2",
        '    state "cpu.offline" as cpu_offline',
        '    state "cpu-online" as cpu_online_2',
        '    state "state" as state_',
        '    state "2nd" as s_2nd',
        "    [*] --> cpu_offline",
        "    state state_ {",
        '        state "idle" as state_idle',
        "        [*] --> state_idle",
        "        state_idle --> cpu_online : go",
        "    }",
        "    state other {",
        '        state "idle" as other_idle',
        "        [*] --> other_idle",
        "    }",
        "    cpu_offline --> cpu_online_2 : cpu.up",
        "    cpu_online_2 --> cpu_offline : cpu.down",
        "    cpu_online_2 --> state_ : next",
        "",
      ].join("\n"),
    );
  });

  it("declares states that no line mentions, so every state is drawn", () => {
    const m = createMachine({ initial: "a", states: { a: {}, lonely: {} } });
    expect(body(toMermaid(m))).toEqual(["lonely", "[*] --> a"]);
  });

  it("separates parallel regions with --", () => {
    const m = createMachine({
      initial: "on",
      states: {
        on: {
          type: "parallel",
          on: { off: "off" },
          states: {
            cpus: { initial: "one", states: { one: { on: { add: "two" } }, two: {} } },
            memory: { initial: "low", states: { low: { on: { grow: "high" } }, high: {} } },
          },
        },
        off: {},
      },
    });
    expect(body(toMermaid(m))).toEqual([
      "[*] --> on",
      "state on {",
      "state cpus {",
      "[*] --> one",
      "one --> two : add",
      "}",
      "--",
      "state memory {",
      "[*] --> low",
      "low --> high : grow",
      "}",
      "}",
      "on --> off : off",
    ]);
  });

  it("draws root transitions from every top-level state but the final ones", () => {
    const m = createMachine({
      initial: "a",
      on: { reset: ".a" },
      states: { a: { on: { next: "b" } }, b: { on: { stop: "end" } }, end: { type: "final" } },
    });
    expect(body(toMermaid(m))).toEqual([
      'state "end" as end_',
      "[*] --> a",
      "a --> b : next",
      "a --> a : reset",
      "b --> end_ : stop",
      "b --> a : reset",
      "end_ --> [*]",
    ]);
  });

  it("labels eventless and delayed transitions", () => {
    const m = setup({ guards: { ready: yes } }).createMachine({
      initial: "wait",
      states: {
        wait: { after: { 500: "poll" }, always: { target: "done", guard: "ready" } },
        poll: {},
        done: {},
      },
    });
    expect(body(toMermaid(m))).toEqual([
      "[*] --> wait",
      "wait --> poll : after 500ms",
      "wait --> done : always [ready]",
    ]);
  });

  it("names combined, parameterised, stateIn and inline guards", () => {
    expect(guardLabel("canAdd")).toBe("canAdd");
    expect(guardLabel({ type: "inSet", params: { set: "online" } })).toBe(
      'inSet({"set":"online"})',
    );
    expect(guardLabel({ type: "inSet", params: () => ({}) })).toBe("inSet");
    expect(guardLabel(not("full"))).toBe("!full");
    expect(guardLabel(and(["a", not("b")]))).toBe("a && !b");
    expect(guardLabel(not(and(["a", "b"])))).toBe("!(a && b)");
    expect(guardLabel(stateIn("#m.up"))).toBe('in("#m.up")');
    function hasRoom(): boolean {
      return true;
    }
    expect(guardLabel(hasRoom)).toBe("hasRoom");
  });

  it("escapes ; and # in labels", () => {
    const m = createMachine({ initial: "a", states: { a: { on: { "x;y#z": "b" } }, b: {} } });
    expect(body(toMermaid(m))).toEqual(["[*] --> a", "a --> b : x#59;y#35;z"]);
  });

  it("is deterministic: the same definition gives the same text", () => {
    const make = () =>
      setup({ guards: { g: yes }, actions: { act: noop } }).createMachine({
        id: "d",
        initial: "x",
        on: { reset: ".x" },
        states: {
          x: { on: { a: [{ target: "y", guard: "g" }, { actions: "act" }], b: "z.inner" } },
          y: { on: { c: "x" } },
          z: { initial: "inner", states: { inner: { on: { out: "#d.y" } } } },
        },
      });
    const first = toMermaid(make());
    expect(toMermaid(make())).toBe(first);
    expect(toMermaid(make())).toBe(toMermaid(make()));
  });
});
