/**
 * The exit codes of pcpu-verify, one meaning each, so that a CI can tell a defect of the
 * allocator from one of the harness, of the tool, or of the run itself:
 *
 *   0    ok: nothing failed unexpectedly (a failure expected by design, or a mutant's seeded bug
 *        and its consequences, does not count); replay: no violation
 *   1    an invariant failed unexpectedly, or a mutant survived an invariant meant to catch it;
 *        replay: the violation reproduces
 *   2    a usage error, found before any work: bad option or value, unknown id, an empty
 *        selection, an output path that cannot be written, a harness program that does not
 *        exist; a malformed file
 *   3    an external harness failed as a process: it crashed, hung or broke the protocol
 *   4    incomplete: some selected unit was not judged (a time limit, a capability the target
 *        lacks); `check --allow-incomplete` makes this 0, still printing what was not judged
 *   5    an internal error of pcpu-verify itself (a bug of the tool)
 *   128+N  stopped by signal N: 130 for SIGINT (Ctrl-C), 143 for SIGTERM
 *
 * When several apply, the most serious wins: 5 > 3 > 1 > 4 > 0 (`worstExit`); a signal ends
 * the run with 128+N whatever was found before it.
 */

/** Nothing failed unexpectedly (failures expected by design do not count); no violation replays. */
export const EXIT_OK = 0;
/** An invariant failed unexpectedly or a mutant survived (check); the violation reproduces (replay). */
export const EXIT_FAIL = 1;
/** A usage error: bad option or value, unknown id, empty selection, unwritable output, malformed file. */
export const EXIT_USAGE = 2;
/** An external harness failed as a process (crash, hang, protocol error). */
export const EXIT_HARNESS = 3;
/** Incomplete: a selected unit was not judged (time limit, missing capability). */
export const EXIT_INCOMPLETE = 4;
/** A bug in pcpu-verify itself, or an allocator that threw outside any check. */
export const EXIT_INTERNAL = 5;

/** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM (as a shell reports it). */
export function exitForSignal(signal: number): number {
  return 128 + signal;
}

/** The most serious first: an internal error hides everything, incomplete only a pass. */
const SEVERITY: readonly number[] = [
  EXIT_INTERNAL,
  EXIT_HARNESS,
  EXIT_FAIL,
  EXIT_INCOMPLETE,
  EXIT_OK,
];

/** The exit code when several apply: 5 > 3 > 1 > 4 > 0. */
export function worstExit(codes: readonly number[]): number {
  for (const code of SEVERITY) if (codes.includes(code)) return code;
  return EXIT_OK;
}
