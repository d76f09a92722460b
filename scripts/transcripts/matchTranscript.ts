/**
 * A documented transcript against a command's output. The documented lines are the output's
 * lines, in order and whole, except that a line holding only `…` (an elision, indented as the
 * reader likes) stands for one or more lines left out. Lines are compared normalised
 * (`normaliseLine`: durations and padding only).
 *
 * Rewriting keeps the author's cuts: the old lines are lined up with the new output (numbers
 * masked, so a changed count still lines up), new lines inside a shown part are shown, new
 * lines where the old transcript had an elision stay elided, and an elision that would cover
 * nothing is dropped.
 */
import { alignmentKey, normaliseLine } from "./normaliseOutput.ts";

export const ELISION = "…";

/** Whether a documented line is an elision. */
export function isElision(line: string): boolean {
  return line.trim() === ELISION;
}

/** Whether the documented lines match the output. */
export function matchesOutput(doc: readonly string[], output: readonly string[]): boolean {
  const d = doc.map((l) => (isElision(l) ? undefined : normaliseLine(l)));
  const o = output.map(normaliseLine);
  // ok[i][j]: doc[i..] matches output[j..]; computed from the end.
  let next: boolean[] = new Array<boolean>(o.length + 1).fill(false);
  next[o.length] = true;
  for (let i = d.length - 1; i >= 0; i--) {
    const row: boolean[] = new Array<boolean>(o.length + 1).fill(false);
    const want = d[i];
    for (let j = o.length - 1; j >= 0; j--) {
      row[j] =
        want === undefined
          ? // An elision takes this line, then ends or takes more.
            (next[j + 1] ?? false) || (row[j + 1] ?? false)
          : want === o[j] && (next[j + 1] ?? false);
    }
    next = row;
  }
  return next[0] ?? false;
}

/** The transcript the output gives, keeping the documented transcript's elisions. */
export function rewriteTranscript(doc: readonly string[], output: readonly string[]): string[] {
  const shown = doc.flatMap((line, at) =>
    isElision(line) ? [] : [{ at, key: alignmentKey(line) }],
  );
  const keys = output.map(alignmentKey);
  const pairs = align(
    shown.map((s) => s.key),
    keys,
  );
  if (pairs.length === 0) return [...output];
  const result: string[] = [];
  let from = 0;
  let docFrom = 0;
  const gap = (until: number, docUntil: number): void => {
    if (until <= from) return;
    const elision = doc.slice(docFrom, docUntil).find(isElision);
    if (elision !== undefined) result.push(elision);
    else result.push(...output.slice(from, until));
  };
  for (const [s, o] of pairs) {
    const docAt = (shown[s] as { at: number }).at;
    gap(o, docAt);
    result.push(output[o] as string);
    from = o + 1;
    docFrom = docAt + 1;
  }
  gap(output.length, doc.length);
  return result;
}

/**
 * The longest common subsequence of two key lists, as index pairs, each documented line taken
 * at the earliest output line that still allows the longest alignment.
 */
function align(a: readonly string[], b: readonly string[]): [number, number][] {
  const width = b.length + 1;
  const lcs = new Int32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const here = lcs[i * width + j] as number;
    if (a[i] === b[j] && here === (lcs[(i + 1) * width + j + 1] as number) + 1) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((lcs[i * width + j + 1] as number) === here) j++;
    else i++;
  }
  return pairs;
}

/** The first documented line that differs from the rewritten transcript, for a message. */
export function firstDifference(
  doc: readonly string[],
  output: readonly string[],
): { line: number; expected: string | undefined; actual: string | undefined } | undefined {
  const fresh = rewriteTranscript(doc, output);
  const n = Math.max(doc.length, fresh.length);
  for (let k = 0; k < n; k++) {
    const a = doc[k];
    const b = fresh[k];
    const same =
      a !== undefined &&
      b !== undefined &&
      (isElision(a) ? isElision(b) : normaliseLine(a) === normaliseLine(b));
    if (!same) return { line: k, expected: a, actual: b };
  }
  return undefined;
}
