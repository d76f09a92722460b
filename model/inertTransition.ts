/**
 * One event of a machine from a snapshot, as xstate's `transition(machine, s, e)` computes it,
 * with one inert actor scope per machine for every call. xstate's `transition` builds a new
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

const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function inertScope(machine: AnyStateMachine, input: unknown): AnyActorScope {
  let scope = scopes.get(machine);
  if (scope === undefined) {
    // As xstate's own inert scope: an actor that is never started, and no-op effects.
    const self = createActor(machine, { input });
    scope = {
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
    scopes.set(machine, scope);
  }
  return scope;
}

/**
 * The transition function of `machine` on a shared inert scope. `input`: what the machine needs
 * to make the (never started) scope actor's initial snapshot, for a machine that takes input.
 */
export function inertTransition<M extends AnyStateMachine>(
  machine: M,
  input?: InputFrom<M>,
): (before: SnapshotFrom<M>, event: EventFromLogic<M>) => SnapshotFrom<M> {
  return (before, event) =>
    machine.transition(before, event, inertScope(machine, input)) as SnapshotFrom<M>;
}
