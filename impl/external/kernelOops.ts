/**
 * An allocator that oopsed, as a harness declaring the `oops` capability says it
 * (docs/protocol.md): the request in flight answered `EOOPS`, the session dead until the next
 * `boot`. Unlike a `HarnessFailure` it is a verdict on the allocator, not on the harness: the
 * client throws it from the operation, as an in-process allocator throws on an internal error,
 * and the session judges it by `no-oops` (shrunk and made 1-minimal like any violation).
 */

/** The error code of an oops answer; valid only from a harness that declares `oops`. */
export const EOOPS = "EOOPS";

/** The capability a harness names in `hello` to answer its allocator's oops with `EOOPS`. */
export const OOPS_CAPABILITY = "oops";

export class KernelOops extends Error {
  /** The operation whose request was answered `EOOPS`. */
  readonly op: string;

  constructor(op: string, message: string) {
    super(`${op} answered EOOPS: ${message}`);
    this.name = "KernelOops";
    this.op = op;
  }
}
