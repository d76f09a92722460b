/**
 * An operation written as atomic sections: a generator that runs until the kernel would drop a
 * lock, take one, sleep or schedule work, and there yields a Boundary naming what the section
 * just did and what it wants next. The same generator serves both paths: `drain` runs it to
 * completion for the sequential checks, `runInterleaved` runs it one section at a time between
 * other threads' sections.
 */
import type { Lock } from "./locks.ts";

export interface Boundary {
  /**
   * What the section just run did, as the trace prints it ("area found at chunk 2 off 0x40"),
   * with each `%d` (decimal) and `%x` (0x and hex) replaced by the next of `args`: the text is
   * made only when a trace or an error prints it (`sectionText`), never on the sequential path.
   * (Neither a string made at each yield nor a function to make it is cheap enough there: under
   * tsx, esbuild's keepNames names each closure as it is made.)
   */
  readonly section: string;
  readonly args?: readonly number[];
  /** Locks released at the end of this section, in order. */
  readonly release?: readonly Lock[];
  /** Locks the next section needs: taken (all at once) before it runs; the thread waits. */
  readonly acquire?: readonly Lock[];
  /** Locks taken and dropped at once (fs_reclaim around a page allocation): lock order only. */
  readonly touch?: readonly Lock[];
  /** The section slept (populating pages, GFP_KERNEL allocation): illegal under a spinlock. */
  readonly sleeps?: boolean;
  /** Shared fields the section read and wrote, for the data-race check. */
  readonly reads?: readonly string[];
  readonly writes?: readonly string[];
}

/** The section's text: `section` with its `%d` and `%x` replaced by `args`. */
export function sectionText(b: Boundary): string {
  const args = b.args;
  if (args === undefined) return b.section;
  let k = 0;
  return b.section.replace(/%[dx]/g, (m) => {
    const v = args[k++];
    if (v === undefined) return "?";
    return m === "%x" ? `0x${v.toString(16)}` : String(v);
  });
}

/** One operation as atomic sections, returning its result R. */
export type Operation<R> = Generator<Boundary, R, void>;

/** Raised by `drain` when the sections misuse a lock on the sequential path. */
export class LockMisuse extends Error {
  override readonly name = "LockMisuse";
}

/**
 * Runs an operation's sections one after the other, as the sequential path does, tracking the
 * locks it takes so that a release of a lock not held, or a return with a lock still held, is
 * caught on this path too. Returns the operation's result.
 */
export function drain<R>(op: Operation<R>, onSection?: (b: Boundary) => void): R {
  // The locks held, by name: a short list (two at most in mm/percpu.c), cheaper than a set.
  const held: string[] = [];
  for (;;) {
    const step = op.next();
    if (step.done === true) {
      if (held.length > 0) {
        throw new LockMisuse(`the operation returned holding ${held.join(", ")}`);
      }
      return step.value;
    }
    const b = step.value;
    onSection?.(b);
    const { release, acquire } = b;
    if (release !== undefined) {
      for (let k = 0; k < release.length; k++) {
        const name = (release[k] as Lock).name;
        const at = held.indexOf(name);
        if (at < 0) {
          throw new LockMisuse(
            `section "${sectionText(b)}" releases ${name}, which it does not hold`,
          );
        }
        held.splice(at, 1);
      }
    }
    if (acquire !== undefined) {
      for (let k = 0; k < acquire.length; k++) {
        const name = (acquire[k] as Lock).name;
        if (held.includes(name)) {
          throw new LockMisuse(`section "${sectionText(b)}" takes ${name} again while holding it`);
        }
        held.push(name);
      }
    }
  }
}
