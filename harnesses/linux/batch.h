/*
 * Batches (docs/protocol.md, the capability `batch`): a line that is a JSON list of requests,
 * answered by one line that lists their answers in order, up to the first error.
 *
 * A worker writes a batch's answers into a shared buffer (stdout is pointed at it for the
 * batch) and notes after each request how much of it is whole; the line goes out only when
 * the batch is done. If the kernel side dies in the middle, the first process answers the
 * batch itself: the answers the worker finished, then EOOPS for the request in flight (oops.c).
 */
#ifndef PCPU_BATCH_H
#define PCPU_BATCH_H

struct jobj;

/* harness.c: whether hello offers `batch` (--no-batch leaves it out). */
extern int offer_batch;
/* harness.c: whether hello offers `digest` (--no-digest leaves it out). */
extern int offer_digest;

/* In the first process, before each fork of a worker: the shared buffer, cleared. */
void batch_prepare(void);
/* In a worker: answers a batch line. */
void batch_answer(const char *line, void (*answer_one)(struct jobj *o));
/* In the first process, with no worker (before a boot, or after an oops): answers its first
 * request with what the first process answers any request (EINVAL "boot first" or EOOPS). */
void batch_refuse(const char *line);
/* In the first process, once the worker died: whether it was answering a batch; if so,
 * prints "[" and the answers it finished, each followed by a comma. */
int batch_in_flight(void);
void batch_print_finished(void);

#endif
