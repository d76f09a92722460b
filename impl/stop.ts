/**
 * A stop request: how a signal (Ctrl-C, SIGTERM) reaches work that never yields to the event
 * loop.
 *
 * A check is synchronous from end to end (fast-check runs, and an external harness is waited
 * for in `Atomics.wait`), so a signal handler on the thread doing the work would run only when
 * the work is over. The command line therefore does the work in a worker thread and keeps the
 * main thread free: the main thread's handler calls `requestStop` on a flag both threads share
 * (`useStopFlag` in the worker), and the work asks `stopRequested()` between steps and while it
 * waits for a harness, then ends what it was doing with `Stopped`.
 *
 * Without a worker (tests, embedding), the flag is this thread's own and nobody sets it unless
 * the caller does.
 */

/** The shared flag: 0 while nobody asked to stop, else the number of the signal that asked. */
let flag = new Int32Array(new SharedArrayBuffer(4));

/** A new flag to share with another thread (pass its `buffer` in `workerData`). */
export function newStopFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Makes this thread read (and set) the given shared flag. */
export function useStopFlag(buffer: SharedArrayBuffer): void {
  flag = new Int32Array(buffer);
}

/** Asks the work to stop; `signal` is the signal's number (2 for SIGINT, 15 for SIGTERM). */
export function requestStop(signal: number, on: Int32Array = flag): void {
  Atomics.store(on, 0, signal);
  Atomics.notify(on, 0);
}

/** The buffer of the flag this thread reads, for another thread that watches it too. */
export function stopFlagBuffer(): SharedArrayBuffer {
  return flag.buffer as SharedArrayBuffer;
}

/** The number of the signal that asked to stop, or 0. */
export function stopRequested(): number {
  return Atomics.load(flag, 0);
}

/** Clears a stop request (a test that asked for one, or a new command in the same process). */
export function clearStop(): void {
  Atomics.store(flag, 0, 0);
}

/** Thrown by work that saw a stop request; it carries the signal's number. */
export class Stopped extends Error {
  readonly signal: number;
  constructor(signal: number) {
    super(`stopped by signal ${signal}`);
    this.name = "Stopped";
    this.signal = signal;
  }
}

/** Throws `Stopped` when a stop was requested. */
export function throwIfStopped(): void {
  const signal = stopRequested();
  if (signal !== 0) throw new Stopped(signal);
}
