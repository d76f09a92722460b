/**
 * What the model's walks compute about the machine alone, kept across targets: every target of
 * a check runs the same walks (the shortest paths and the transition tour, about 110,000 events),
 * and the machine's side of each event (the next snapshot, the coverage keys, the abstract state
 * refinement compares with) does not depend on the target. The first target computes it; the
 * others look it up.
 *
 * Snapshots are never changed in place, and every walk starts from the one `initial` snapshot,
 * so a snapshot object and an event object name one transition: the memo is keyed by identity
 * (the walks' events are the same objects from target to target). A snapshot no walk reaches
 * any longer is collected with what it keys.
 */
export class WalkMemo<S extends object, E extends object, M> {
  private readonly after = new WeakMap<S, Map<E, M>>();

  /** `make`: the machine's side of `event` from `before`, as computed without the memo. */
  constructor(
    readonly initial: S,
    private readonly make: (before: S, event: E) => M,
  ) {}

  /** The machine's side of `event` from `before`, computed once. */
  get(before: S, event: E): M {
    let byEvent = this.after.get(before);
    if (byEvent === undefined) this.after.set(before, (byEvent = new Map()));
    let moved = byEvent.get(event);
    if (moved === undefined) byEvent.set(event, (moved = this.make(before, event)));
    return moved;
  }
}
