/**
 * What an interleaved run can find. The invariant ids are those the check reports:
 * linearizability, lock-order and data-race are issue-level invariants; deadlock, lock-misuse,
 * sleep-in-atomic, oops and progress are what the scheduler itself sees.
 */
export type InterleaveInvariant =
  | "linearizability"
  | "lock-order"
  | "data-race"
  | "deadlock"
  | "lock-misuse"
  | "sleep-in-atomic"
  | "oops"
  | "progress";

export interface Finding {
  /** One of the above, or the id of an invariant judged between sections (PointInvariant). */
  readonly invariant: InterleaveInvariant | (string & Record<never, never>);
  readonly message: string;
}
