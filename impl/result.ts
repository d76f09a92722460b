/**
 * Typed results for the allocator-under-test interface.
 *
 * Every operation of docs/protocol.md answers either `ok` with its fields or one of the protocol's
 * error codes with a human message. The TypeScript interface never throws for bad input: it
 * returns an `Err` and leaves the state as it was.
 */

/** The error codes of docs/protocol.md ("Error codes"). */
export type Errno = "EINVAL" | "ENOMEM" | "EFAULT" | "ENOTSUP" | "EPROTO";

export const ERRNOS: readonly Errno[] = ["EINVAL", "ENOMEM", "EFAULT", "ENOTSUP", "EPROTO"];

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err {
  readonly ok: false;
  readonly error: Errno;
  readonly message: string;
}

export type Result<T> = Ok<T> | Err;

const OK_VOID: Ok<void> = Object.freeze({ ok: true, value: undefined });

export function ok(): Ok<void>;
export function ok<T>(value: T): Ok<T>;
export function ok<T>(value?: T): Ok<T | undefined> {
  return value === undefined ? (OK_VOID as Ok<T | undefined>) : { ok: true, value };
}

export function err(error: Errno, message: string): Err {
  return { ok: false, error, message };
}

/** The value of an `Ok`, or an exception naming the error: for tests and set-up code only. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new Error(`${result.error}: ${result.message}`);
}

/** Whether `value` is a safe integer in [min, max]. */
export function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Whether `value` is a positive power of two (safe for values above 2^31). */
export function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && 2 ** Math.floor(Math.log2(value)) === value;
}
