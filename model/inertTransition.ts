/**
 * One event of a machine from a snapshot, as xstate's `transition(machine, s, e)` computes it,
 * with one inert actor scope for every call of the function `inertTransition` returns. xstate's `transition` builds a new
 * actor per call, and the actor's constructor computes the machine's initial snapshot: that was
 * half of the chunk-lifecycle invariant's time on bitmap-2017, and a sixth of the model round's
 * (the system machine's events and the 2005 blocks' machine). The suite's machines act only by
 * `assign` and have no children, so nothing a transition does reaches the scope: the shared one
 * gives the same snapshot (inertTransition.test.ts compares the two on each machine).
 */
import {
  createActor,
  type AnyActorScope,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from "xstate";

/** An inert scope for `machine`: as xstate's own, an actor never started, no-op effects. */
function inertScope(machine: AnyStateMachine, input: unknown): AnyActorScope {
  const self = createActor(machine, { input });
  return {
    self,
    id: "",
    sessionId: "",
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    system: self.system,
    actionExecutor: () => {},
  };
}

/**
 * The transition function of `machine` on a shared inert scope. `input`: what the machine needs
 * to make the (never started) scope actor's initial snapshot, for a machine that takes input.
 */
export function inertTransition<M extends AnyStateMachine>(
  machine: M,
  input?: InputFrom<M>,
): (before: SnapshotFrom<M>, event: EventFromLogic<M>) => SnapshotFrom<M> {
  // Made at the first transition, so that importing a machine's transition builds no actor.
  let scope: AnyActorScope | undefined;
  return (before, event) =>
    machine.transition(before, event, (scope ??= inertScope(machine, input))) as SnapshotFrom<M>;
}
