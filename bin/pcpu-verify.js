#!/usr/bin/env node
// The pcpu-verify command: registers tsx so that Node runs the TypeScript sources, then hands
// the command line to cli/main.ts. The exit code comes back as a number (0, 1, 2 or 3).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv);
