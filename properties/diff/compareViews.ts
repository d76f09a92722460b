/**
 * The first field in which two sides' views differ, in a fixed order: the outcome, then each
 * live object's place (in the order the run made them), then the accounting, then the lists.
 * Only the aspects asked for are compared, and of each only what both sides expose (a field
 * one side does not give is left out, never counted as a difference).
 */
import type { Place, SideView } from "./sideView.ts";

/** What a diff can compare, in the order it compares them. */
export const COMPARE_ASPECTS = ["outcomes", "placement", "accounting", "lists"] as const;
export type CompareAspect = (typeof COMPARE_ASPECTS)[number];

/** A difference: the field (`outcome`, `o3.offset`, `pages_by_node[1]`, ...) and both values. */
export interface FieldDifference {
  readonly aspect: CompareAspect;
  readonly field: string;
  readonly base: string;
  readonly head: string;
}

const PLACE_FIELDS = [
  ["block", "block"],
  ["offset", "offset"],
  ["pageOffset", "page_offset"],
  ["copies", "copies"],
] as const;

function show(value: string | number | undefined): string {
  if (value === undefined) return "absent";
  return typeof value === "number" ? `0x${value.toString(16)}` : value;
}

function placeDifference(name: string, a: Place, b: Place): FieldDifference | undefined {
  for (const [key, field] of PLACE_FIELDS) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined || x === y) continue;
    return { aspect: "placement", field: `${name}.${field}`, base: show(x), head: show(y) };
  }
  return undefined;
}

function listDifference(
  field: string,
  aspect: CompareAspect,
  a: readonly (string | number)[],
  b: readonly (string | number)[],
): FieldDifference | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const text = (v: string | number | undefined) => (v === undefined ? "absent" : String(v));
    return { aspect, field: `${field}[${i}]`, base: text(a[i]), head: text(b[i]) };
  }
  return undefined;
}

/** The first difference between two views in the aspects asked for, or undefined. */
export function compareViews(
  base: SideView,
  head: SideView,
  aspects: ReadonlySet<CompareAspect>,
): FieldDifference | undefined {
  if (aspects.has("outcomes") && base.outcome !== head.outcome) {
    return { aspect: "outcomes", field: "outcome", base: base.outcome, head: head.outcome };
  }
  if (aspects.has("placement")) {
    for (const name of new Set([...base.places.keys(), ...head.places.keys()])) {
      const a = base.places.get(name);
      const b = head.places.get(name);
      if (a === undefined || b === undefined) {
        const where = (p: Place | undefined) => (p === undefined ? "not live" : "live");
        return { aspect: "placement", field: name, base: where(a), head: where(b) };
      }
      const d = placeDifference(name, a, b);
      if (d !== undefined) return d;
    }
  }
  if (aspects.has("accounting")) {
    const d = listDifference("pages_by_node", "accounting", base.pagesByNode, head.pagesByNode);
    if (d !== undefined) return d;
    if (base.blocks !== undefined && head.blocks !== undefined && base.blocks !== head.blocks) {
      return {
        aspect: "accounting",
        field: "blocks_in_use",
        base: String(base.blocks),
        head: String(head.blocks),
      };
    }
  }
  if (aspects.has("lists") && base.lists !== undefined && head.lists !== undefined) {
    return listDifference("lists", "lists", base.lists, head.lists);
  }
  return undefined;
}

/** A difference as one line: `o3.offset: BASE 0x40, HEAD 0x80`. */
export function describeDifference(d: FieldDifference): string {
  return `${d.field}: BASE ${d.base}, HEAD ${d.head}`;
}
