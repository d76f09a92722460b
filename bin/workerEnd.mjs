// How a worker of `check --jobs N` says it has ended (properties/runner/targetJobs.ts): node
// emits `exit` in a worker thread however it ends (after its last job, by process.exit, or by
// an error nothing caught), so the handler bumps the ended counter and wakes the caller, which
// may be waiting for a report this worker will never post.
const POSTED = 1; // the counters' slots, as targetJobs.ts numbers them
const ENDED = 2;

/** Sets the handler: first of all, so that a failed import is seen too. */
export function signalEndOnExit(counters) {
  process.once("exit", () => {
    Atomics.add(counters, ENDED, 1);
    Atomics.notify(counters, POSTED);
  });
}
