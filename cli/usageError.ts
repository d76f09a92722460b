/**
 * A mistake the user can fix (a bad id, an unreadable or malformed file): printed as
 * `error: <message>` on standard error, exit code 2 (`EXIT_USAGE`).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
