/*
 * A kernel oops as the protocol's answer (docs/protocol.md, the `oops` capability).
 *
 * A fault of the kernel side (SIGSEGV, SIGBUS, ...) or a BUG() (abort) kills the worker that
 * runs the kernel. Its parent, the harness's first process, survives it; through a page of
 * shared memory it learns which request was in flight and what killed the worker (the signal,
 * the faulting address, the return addresses of the stack), answers that request with
 * `EOOPS` and a message naming the signal, the address and the kernel functions, and answers
 * every later request with `EOOPS` until the next `boot`. A worker that dies with no request
 * in flight is still a crash of the harness.
 */
#ifndef PCPU_OOPS_H
#define PCPU_OOPS_H

struct jobj;

/* In the first process, before each fork of a worker: the shared page, cleared. */
void oops_prepare(void);
/* In the worker, once: the handlers that record what kills it. */
void oops_arm(void);
/* In the worker, around each request it answers (`o` parsed, with an id). */
void oops_begin(const struct jobj *o);
void oops_end(void);
/* From the kernel side's BUG(): the text, before the worker aborts. */
void oops_note_bug(const char *file, int line, const char *what);
/*
 * In the first process, once the worker has died of a signal: answers the request in flight
 * with EOOPS and returns 1 (the session is then dead until the next boot), or returns 0 if no
 * request was in flight.
 */
int oops_answer(int status);
/* Whether the last worker oopsed and no boot came since. */
int oops_dead(void);
/* In the first process, for a request after the oops: EOOPS again, naming the oops. */
void oops_refuse(void);

#endif
