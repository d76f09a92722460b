/**
 * Writes the model's state diagrams into docs/model.md, between `<!-- diagrams:start -->` and
 * `<!-- diagrams:end -->` (a "The model's machines" section is appended when the markers are
 * missing). Run it with `npm run diagrams` after changing a machine.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { updateReadme } from "./diagrams.ts";

const readmePath = fileURLToPath(new URL("../docs/model.md", import.meta.url));
const before = readFileSync(readmePath, "utf8");
const after = updateReadme(before);
if (after === before) {
  console.log("docs/model.md: the diagrams are current");
} else {
  writeFileSync(readmePath, after);
  console.log("docs/model.md: diagrams written");
}
