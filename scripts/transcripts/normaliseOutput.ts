/**
 * What a transcript comparison ignores: only what differs from one run to the next with the same
 * seed. Durations ("82.2 s", "169 ms", "5 min 52 s") and `*_ms` JSON fields are wall-clock
 * time; padding and the width of dash rules follow the widest cell of a column, which is often a
 * duration, and Prettier re-pads the tables of a Markdown page. Everything else is compared as
 * printed.
 */

const DURATION = /\b\d+(?:\.\d+)?\s?(?:ms|s|min|h)\b(?:\s\d+(?:\.\d+)?\s?(?:ms|s))?/g;
const MS_FIELD = /("\w*_ms"\s*:\s*)\d+(?:\.\d+)?/g;
const RULE = /-{3,}/g;
const BLANKS = /[ \t]+/g;

/** One line as it is compared: durations replaced, padding and rules collapsed. */
export function normaliseLine(line: string): string {
  return line
    .replace(MS_FIELD, "$1<ms>")
    .replace(DURATION, "<duration>")
    .replace(RULE, "---")
    .replace(BLANKS, " ")
    .trim();
}

/**
 * A looser key used only to line up an old transcript with new output when rewriting it (so an
 * elided part stays elided when a count changes): the normalised line with every address and
 * every number that stands alone masked (not the digits of a name like kiran-2005-09 or cpu0).
 */
export function alignmentKey(line: string): string {
  return normaliseLine(line)
    .replace(/\b0x[0-9a-fA-F]+\b/g, "#")
    .replace(/(?<![\w.-])\d[\d,.]*(?![\w-])/g, "#");
}
