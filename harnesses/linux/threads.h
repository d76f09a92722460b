/* threads.c: the protocol's thread_start, thread_step and thread_state (capability threads). */
#ifndef PCPU_THREADS_H
#define PCPU_THREADS_H

#include "jsonline.h"

void do_thread_start(const struct jobj *o);
void do_thread_step(const struct jobj *o);
void do_thread_state(void);
/* 1 (answered EINVAL) while a thread is started and not done: a plain alloc, free, reclaim. */
int threads_refuse(const char *op);

#endif
