/**
 * The relative links of a Markdown page: each must name a file inside the repository, and an
 * anchor must name a heading of the page it points to (GitHub's slugs), so that no page links
 * outside the repository or to a section that moved.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT } from "./runTranscript.ts";

const LINK = /\]\(([^)\s]+)\)/g;

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(text: string): Set<string> {
  const seen = new Set<string>();
  let inFence = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const h = inFence ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (h !== null) seen.add(headingSlug(h[1] as string));
  }
  return seen;
}

/** The broken links of a page (relative to the repository root), as messages. */
export function brokenLinks(page: string, root: string = REPO_ROOT): string[] {
  const text = readFileSync(join(root, page), "utf8");
  const problems: string[] = [];
  let inFence = false;
  text.split("\n").forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) return;
    for (const m of line.matchAll(LINK)) {
      const href = m[1] as string;
      if (/^[a-z]+:/i.test(href)) continue;
      const [path, anchor] = href.split("#") as [string, string | undefined];
      const target = path === "" ? join(root, page) : resolve(dirname(join(root, page)), path);
      const where = `${page}:${i + 1}: link ${href}`;
      if (relative(root, target).startsWith("..")) {
        problems.push(`${where} points outside the repository`);
      } else if (!existsSync(target)) {
        problems.push(`${where}: no such file`);
      } else if (anchor !== undefined && target.endsWith(".md")) {
        if (!anchors(readFileSync(target, "utf8")).has(anchor)) {
          problems.push(`${where}: no heading with that anchor`);
        }
      }
    }
  });
  return problems;
}
