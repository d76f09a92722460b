import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DIAGRAMS,
  DIAGRAMS_END,
  DIAGRAMS_HEADING,
  DIAGRAMS_START,
  readmeDiagramsSection,
  renderDiagramsSection,
  updateReadme,
} from "./diagrams.ts";

const README = new URL("../docs/model.md", import.meta.url);

describe("diagrams", () => {
  it("docs/model.md shows the current diagrams", () => {
    const readme = readFileSync(README, "utf8");
    const shown = readmeDiagramsSection(readme);
    expect(
      shown,
      `docs/model.md has no ${DIAGRAMS_START} ... ${DIAGRAMS_END} section: run \`npm run diagrams\``,
    ).toBeDefined();
    expect(
      shown,
      "docs/model.md's state diagrams are out of date with the machines in model/: run `npm run diagrams`",
    ).toBe(renderDiagramsSection());
  });

  it("renders one titled mermaid block per machine between the markers", () => {
    const section = renderDiagramsSection();
    expect(section.startsWith(`${DIAGRAMS_START}\n\n`)).toBe(true);
    expect(section.endsWith(`\n\n${DIAGRAMS_END}`)).toBe(true);
    expect(section.match(/^```mermaid\nstateDiagram-v2\n/gm)).toHaveLength(DIAGRAMS.length);
    for (const d of DIAGRAMS) expect(section).toContain(`\n### ${d.title}\n`);
    // Prettier leaves markdown alone only without trailing spaces and with single blank lines.
    expect(section).not.toMatch(/[ \t]$/m);
    expect(section).not.toMatch(/\n\n\n/);
  });

  it("replaces only the text between the markers", () => {
    const readme = `# t\n\nbefore\n\n${DIAGRAMS_START}\nold\n${DIAGRAMS_END}\n\nafter\n`;
    expect(updateReadme(readme, `${DIAGRAMS_START}\nnew\n${DIAGRAMS_END}`)).toBe(
      `# t\n\nbefore\n\n${DIAGRAMS_START}\nnew\n${DIAGRAMS_END}\n\nafter\n`,
    );
  });

  it("appends a section with the markers when they are missing, once", () => {
    const section = `${DIAGRAMS_START}\nnew\n${DIAGRAMS_END}`;
    const once = updateReadme("# t\n\ntext\n", section);
    expect(once).toBe(`# t\n\ntext\n\n${DIAGRAMS_HEADING}\n\n${section}\n`);
    expect(updateReadme(once, section)).toBe(once);
    expect(updateReadme("# t", section)).toBe(`# t\n\n${DIAGRAMS_HEADING}\n\n${section}\n`);
  });

  it("finds no section when a marker is missing or out of order", () => {
    expect(readmeDiagramsSection(`x ${DIAGRAMS_START} y`)).toBeUndefined();
    expect(readmeDiagramsSection(`x ${DIAGRAMS_END} y ${DIAGRAMS_START}`)).toBeUndefined();
  });
});
