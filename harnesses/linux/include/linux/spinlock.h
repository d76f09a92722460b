/*
 * A stub of this harness (in place of tools/include's, a pthread mutex): a spinlock is a name,
 * taken and dropped through the harness's threads (threads.c), which yield at it.
 */
#ifndef PCPU_STUB_SPINLOCK_H
#define PCPU_STUB_SPINLOCK_H
#include "threads_kapi.h"

typedef struct {
	const char *name;
} spinlock_t;
#define DEFINE_SPINLOCK(x) spinlock_t x = { #x }
#define spin_lock(l) pcpu_harness_lock((l)->name, __func__)
#define spin_unlock(l) pcpu_harness_unlock((l)->name, __func__)
#define spin_lock_irq(l) pcpu_harness_lock((l)->name, __func__)
#define spin_unlock_irq(l) pcpu_harness_unlock((l)->name, __func__)
#define spin_lock_irqsave(l, f) do { (f) = 0; pcpu_harness_lock((l)->name, __func__); } while (0)
#define spin_unlock_irqrestore(l, f) do { (void)(f); pcpu_harness_unlock((l)->name, __func__); } while (0)
#endif
