/**
 * A harness that failed as a process, not as an allocator: it exited or died by a signal
 * (`harness-crash`), did not answer in time (`harness-hang`), or broke the wire form of
 * docs/protocol.md (`protocol-error`: a line that is not JSON, a wrong id, an `ok` answer
 * with fields missing, an enormous line). docs/protocol.md makes each a finding of its own kind,
 * never a pass and never an allocator oops; the allocator methods throw this error for them.
 */

export type HarnessFailureKind = "harness-crash" | "harness-hang" | "protocol-error";

export const HARNESS_FAILURE_KINDS: readonly HarnessFailureKind[] = [
  "harness-crash",
  "harness-hang",
  "protocol-error",
];

export class HarnessFailure extends Error {
  readonly kind: HarnessFailureKind;
  /** The harness command line. */
  readonly command: string;
  /** The request that was not answered properly (its JSON line), if one was. */
  readonly request: string | undefined;
  /** The last bytes the harness wrote to standard error. */
  readonly stderr: string;

  constructor(
    kind: HarnessFailureKind,
    command: string,
    why: string,
    request: string | undefined,
    stderr: string,
  ) {
    const tail =
      stderr.trim() === "" ? "" : `\nharness stderr (last lines):\n${lastLines(stderr, 20)}`;
    super(
      `${kind}: harness ${JSON.stringify(command)}: ${why}${request ? `; request ${request.length > 200 ? `${request.slice(0, 200)}…` : request}` : ""}${tail}`,
    );
    this.name = "HarnessFailure";
    this.kind = kind;
    this.command = command;
    this.request = request;
    this.stderr = stderr;
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split("\n");
  const shown = lines.slice(-n).map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l));
  return `${lines.length > n ? `  … (${lines.length - n} earlier lines)\n` : ""}${shown.map((l) => `  ${l}`).join("\n")}`;
}

export function isHarnessFailureKind(value: string): value is HarnessFailureKind {
  return (HARNESS_FAILURE_KINDS as readonly string[]).includes(value);
}
