/**
 * Mermaid `stateDiagram-v2` text from an xstate 5 machine, read from its definition (the state
 * nodes and their formatted transitions), never by running it.
 *
 * What is drawn:
 * - `[*] --> s` for the initial state of the machine and of each compound state;
 * - one line per (source, target, guard): `a --> b : e1, e2 [guard]`, events that share source,
 *   target and guard merged into one line; an unguarded transition that follows guarded ones
 *   for the same event is the `[else]` branch;
 * - a transition without a target is a self-loop when it has actions, and is left out when it
 *   has none (it only refuses, or only stops the event from reaching a parent);
 * - a state's self-loops are one line, `a --> a : e1 [g1]<br>e2 [g2]`: Mermaid draws only one
 *   self-loop per state (a second replaces the first);
 * - compound states as `state x { ... }`, parallel regions separated by `--`, `x --> [*]` for
 *   final states;
 * - transitions declared on the machine's root (handled in any state) from each top-level state.
 *
 * State ids are the state keys; a key that is not a plain identifier, is a Mermaid keyword, or
 * is used by more than one state gets a safe id and a `state "key" as id` declaration. The
 * output depends only on the definition: states and events come in document order, which
 * xstate keeps.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from "xstate";

export interface ToMermaidOptions {
  /** A title, written as Mermaid front matter before `stateDiagram-v2`. */
  title?: string;
}

const INDENT = "    ";
const PLAIN_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words the state-diagram grammar reads as keywords at the start of a statement. */
const RESERVED = new Set([
  "state",
  "note",
  "direction",
  "class",
  "classDef",
  "style",
  "click",
  "as",
  "end",
  "accTitle",
  "accDescr",
]);

interface Edge {
  from: AnyStateNode;
  to: AnyStateNode;
  guard: string | undefined;
  events: string[];
}

export function toMermaid(machine: AnyStateMachine, options: ToMermaidOptions = {}): string {
  const root = machine.root;
  const nodes = descendants(root);
  const ids = assignIds(nodes);
  const id = (n: AnyStateNode): string => ids.get(n) ?? n.key;

  // Edges, keyed by the scope (the state whose block they are written in).
  const edgesByScope = new Map<AnyStateNode, Edge[]>();
  const mentioned = new Set<AnyStateNode>();
  const addEdge = (from: AnyStateNode, to: AnyStateNode, event: string, guard?: string): void => {
    const scope = edgeScope(from, to);
    let list = edgesByScope.get(scope);
    if (!list) edgesByScope.set(scope, (list = []));
    const same = list.find((e) => e.from === from && e.to === to && e.guard === guard);
    if (same) {
      if (!same.events.includes(event)) same.events.push(event);
    } else {
      list.push({ from, to, guard, events: [event] });
    }
    mentioned.add(from).add(to);
  };

  for (const node of [...nodes, root]) {
    for (const [descriptor, candidates] of transitionGroups(node)) {
      let afterGuarded = false;
      for (const t of candidates) {
        const event = eventLabel(descriptor, t);
        const guard =
          t.guard !== undefined ? guardLabel(t.guard) : afterGuarded ? "else" : undefined;
        if (t.guard !== undefined) afterGuarded = true;
        const targets: readonly AnyStateNode[] = t.target ?? [];
        // Root transitions are handled in every state: draw them from each top-level one.
        const sources = node === root ? children(root).filter((c) => c.type !== "final") : [node];
        for (const from of sources) {
          if (targets.length === 0) {
            if (t.actions.length > 0) addEdge(from, from, event, guard);
          } else {
            for (const to of targets) addEdge(from, to, event, guard);
          }
        }
      }
    }
  }
  for (const n of nodes) {
    if (n.parent?.type === "compound" && n.parent.initial.target[0] === n) mentioned.add(n);
    if (n.type === "final") mentioned.add(n);
  }

  // By source, in document order; a source's edges in the order their events are declared,
  // its `[else]` edges last. Mermaid draws one self-loop per state (a second one replaces the
  // first), so a state's self-loops are one edge with a label row per (events, guard).
  const isElse = (e: Edge): number => (e.guard === "else" ? 1 : 0);
  const edgeLines = (scope: AnyStateNode, pad: string): string[] => {
    const sorted = [...(edgesByScope.get(scope) ?? [])].sort(
      (a, b) => a.from.order - b.from.order || isElse(a) - isElse(b),
    );
    const out: { head: string; rows: string[] }[] = [];
    const loops = new Map<AnyStateNode, { head: string; rows: string[] }>();
    for (const e of sorted) {
      const label = escapeLabel(
        e.events.join(", ") + (e.guard === undefined ? "" : ` [${e.guard}]`),
      );
      const loop = e.from === e.to ? loops.get(e.from) : undefined;
      if (loop) {
        loop.rows.push(label);
        continue;
      }
      const line = { head: `${id(e.from)} --> ${id(e.to)}`, rows: [label] };
      out.push(line);
      if (e.from === e.to) loops.set(e.from, line);
    }
    return out.map((l) => `${pad}${l.head} : ${l.rows.join("<br>")}`);
  };

  const lines: string[] = [];
  if (options.title !== undefined) {
    lines.push("---", `title: ${JSON.stringify(options.title)}`, "---");
  }
  lines.push("stateDiagram-v2");

  const writeScope = (scope: AnyStateNode, depth: number): void => {
    const pad = INDENT.repeat(depth);
    const kids = children(scope);
    for (const c of kids) {
      if (id(c) !== c.key || c.type === "history") {
        lines.push(`${pad}state ${quote(stateLabel(c))} as ${id(c)}`);
      } else if (isLeaf(c) && !mentioned.has(c)) {
        lines.push(`${pad}${id(c)}`);
      }
    }
    if (scope.type === "compound") {
      const initial = scope.initial.target[0];
      if (initial) lines.push(`${pad}[*] --> ${id(initial)}`);
    }
    for (const c of kids) {
      if (isLeaf(c)) continue;
      lines.push(`${pad}state ${id(c)} {`);
      writeRegions(c, depth + 1);
      lines.push(`${pad}}`);
    }
    lines.push(...edgeLines(scope, pad));
    for (const c of kids) {
      if (c.type === "final") lines.push(`${pad}${id(c)} --> [*]`);
    }
  };

  // A parallel state's regions are separated by `--`; anything else is one scope.
  const writeRegions = (node: AnyStateNode, depth: number): void => {
    if (node.type !== "parallel") {
      writeScope(node, depth);
      return;
    }
    const pad = INDENT.repeat(depth);
    children(node).forEach((region, i) => {
      if (i > 0) lines.push(`${pad}--`);
      if (id(region) !== region.key) {
        lines.push(`${pad}state ${quote(stateLabel(region))} as ${id(region)}`);
      }
      if (isLeaf(region)) {
        lines.push(`${pad}${id(region)}`);
      } else {
        lines.push(`${pad}state ${id(region)} {`);
        writeRegions(region, depth + 1);
        lines.push(`${pad}}`);
      }
    });
    // No edges here: edgeScope lifts them out of parallel states.
  };

  if (children(root).length === 0) {
    // A machine without states: one state, named after the machine.
    const only = safeId(root.key.replace(/[()]/g, "") || "machine");
    lines.push(`${INDENT}[*] --> ${only}`);
  } else {
    // A parallel root's regions are drawn side by side: `--` is only valid inside a composite.
    writeScope(root, 1);
  }
  return lines.join("\n") + "\n";
}

/** The state nodes below `node`, in document order (depth first). */
function descendants(node: AnyStateNode): AnyStateNode[] {
  return children(node).flatMap((c) => [c, ...descendants(c)]);
}

function children(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states) as AnyStateNode[];
}

function isLeaf(node: AnyStateNode): boolean {
  return node.type === "atomic" || node.type === "final" || node.type === "history";
}

/** A state's own transitions by event descriptor, eventless (`always`) ones last. */
function transitionGroups(node: AnyStateNode): [string, readonly AnyTransitionDefinition[]][] {
  const groups: [string, readonly AnyTransitionDefinition[]][] = [...node.transitions.entries()];
  if (node.always && node.always.length > 0) groups.push(["", node.always]);
  return groups;
}

/**
 * The block an edge is written in: the lowest state that is a proper ancestor of both ends,
 * lifted out of parallel states (a line inside one would fall into its last region).
 */
function edgeScope(from: AnyStateNode, to: AnyStateNode): AnyStateNode {
  const toAncestors = new Set<AnyStateNode>();
  for (let a = to.parent; a; a = a.parent) toAncestors.add(a);
  let scope: AnyStateNode | undefined = from.parent;
  while (scope && !toAncestors.has(scope)) scope = scope.parent;
  // Both ends are below the root, which is always a common proper ancestor.
  let s = scope ?? from.machine.root;
  while (s.type === "parallel" && s.parent) s = s.parent;
  return s;
}

/** Mermaid ids: the key where it is a plain, unique identifier; otherwise a safe, unique id. */
function assignIds(nodes: readonly AnyStateNode[]): Map<AnyStateNode, string> {
  const keyCount = new Map<string, number>();
  for (const n of nodes) keyCount.set(n.key, (keyCount.get(n.key) ?? 0) + 1);
  const ids = new Map<AnyStateNode, string>();
  const taken = new Set<string>();
  // Plain unique keys first, so a generated id never takes a key that is used as it is.
  for (const n of nodes) {
    if (n.type !== "history" && keyCount.get(n.key) === 1 && isPlainId(n.key)) {
      ids.set(n, n.key);
      taken.add(n.key);
    }
  }
  for (const n of nodes) {
    if (ids.has(n)) continue;
    const base = safeId(keyCount.get(n.key) === 1 ? n.key : n.path.join("_"));
    let candidate = base;
    for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
    ids.set(n, candidate);
    taken.add(candidate);
  }
  return ids;
}

function isPlainId(s: string): boolean {
  return PLAIN_ID.test(s) && !RESERVED.has(s);
}

function safeId(s: string): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]/.test(id)) id = `s_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  return id;
}

function stateLabel(node: AnyStateNode): string {
  if (node.type === "history") return node.history === "deep" ? "H*" : "H";
  return node.key;
}

function quote(s: string): string {
  return `"${s.replace(/"/g, "#quot;")}"`;
}

/** `;` ends a statement and `#` starts an entity code in a label: write both as entities. */
function escapeLabel(s: string): string {
  return s.replace(/[#;]/g, (c) => (c === "#" ? "#35;" : "#59;"));
}

function eventLabel(descriptor: string, t: AnyTransitionDefinition): string {
  if (descriptor === "") return "always";
  if (descriptor.startsWith("xstate.after.")) {
    const delay = (t as { delay?: unknown }).delay;
    if (typeof delay === "number") return `after ${delay}ms`;
    if (typeof delay === "string") return `after ${delay}`;
    return "after";
  }
  if (descriptor.startsWith("xstate.done.state.")) return "done";
  for (const [prefix, name] of [
    ["xstate.done.actor.", "done"],
    ["xstate.error.actor.", "error"],
    ["xstate.snapshot.", "snapshot"],
  ] as const) {
    if (descriptor.startsWith(prefix)) return `${name}(${descriptor.slice(prefix.length)})`;
  }
  if (descriptor === "xstate.route") return "route";
  return descriptor;
}

/**
 * A guard's name: a named guard's type (with its parameters when they are a plain value), the
 * combinators `not`, `and`, `or` as `!`, `&&`, `||`, `stateIn(...)` as `in(...)`, and an inline
 * function by its name.
 */
export function guardLabel(guard: unknown): string {
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") {
    const fn = guard as { name?: string; guards?: unknown[]; stateValue?: unknown };
    if (Array.isArray(fn.guards)) {
      const parts = fn.guards.map((g) => {
        const label = guardLabel(g);
        return /\s/.test(label) ? `(${label})` : label;
      });
      if (fn.name === "not") return `!${parts[0] ?? ""}`;
      if (fn.name === "and") return parts.join(" && ");
      if (fn.name === "or") return parts.join(" || ");
    }
    if (fn.name === "stateIn" && "stateValue" in fn) return `in(${JSON.stringify(fn.stateValue)})`;
    return fn.name || "inline";
  }
  if (typeof guard === "object" && guard !== null && "type" in guard) {
    const { type, params } = guard as { type: unknown; params?: unknown };
    const name = String(type);
    if (params === undefined || typeof params === "function") return name;
    return `${name}(${JSON.stringify(params)})`;
  }
  return String(guard);
}
