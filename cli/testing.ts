/** Test helpers: run the CLI in-process and capture what it prints. */
import { bufferedIo } from "./cliIo.ts";
import { main } from "./main.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pcpu-verify ...args` in this process. */
export async function runCli(...args: string[]): Promise<CliRun> {
  const io = bufferedIo();
  const code = await main(["node", "pcpu-verify", ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
