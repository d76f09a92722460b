/** The exit codes of pcpu-verify. */

/** Nothing failed unexpectedly (failures expected by design do not count); no violation replays. */
export const EXIT_OK = 0;
/** An invariant failed unexpectedly (check), or the violation reproduces (replay). */
export const EXIT_FAIL = 1;
/** A usage error: bad option or value, unknown id, unreadable or malformed file. */
export const EXIT_USAGE = 2;
/** A bug in pcpu-verify itself, or an allocator that threw outside any check. */
export const EXIT_INTERNAL = 3;
/** An external harness failed as a process (crash, hang, protocol error); same value as internal. */
export const EXIT_HARNESS = 3;
