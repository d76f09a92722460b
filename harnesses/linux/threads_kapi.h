/*
 * The kernel's scheduling points as the harness's threads see them (threads.c): what the stubs
 * of the kernel side (include/pcpu_kernel.h, include/linux/spinlock.h, kservices.c, kshim.h)
 * call. Plain C, no kernel header: both sides include it.
 */
#ifndef PCPU_THREADS_KAPI_H
#define PCPU_THREADS_KAPI_H

/* Takes and drops the lock of that name (pcpu_alloc_mutex, pcpu_lock), from kernel function fn. */
void pcpu_harness_lock(const char *lock, const char *fn);
void pcpu_harness_unlock(const char *lock, const char *fn);

/* What a section did, for its text: counted in the thread that runs (nothing outside one). */
enum pcpu_note {
	PCPU_NOTE_RESCHED, /* cond_resched() */
	PCPU_NOTE_WORK,	   /* schedule_work(), n: whether the work was pending already */
	PCPU_NOTE_MAP,	   /* n pages mapped (vmap_pages_range_noflush: populating) */
	PCPU_NOTE_UNMAP,   /* n pages unmapped (vunmap_range_noflush: depopulating) */
	PCPU_NOTE_FLUSH,   /* flush_tlb_kernel_range() */
	PCPU_NOTE_VM_GET,  /* pcpu_get_vm_areas(): a chunk's vm areas made */
	PCPU_NOTE_VM_FREE, /* pcpu_free_vm_areas() */
	PCPU_NOTE_PAGE_FREE, /* n pages freed to the page allocator */
	PCPU_NOTE_SLEEP,   /* an allocation that may block (GFP_KERNEL): the section sleeps */
};
void pcpu_harness_note(enum pcpu_note what, long n, const char *fn);

/*
 * pcpu_nr_empty_pop_pages, the field the kernel reads without a lock in pcpu_alloc: kshim.h
 * makes every use of the name in the tree's code a call of this, so the harness knows which
 * sections touch it (read, or written where its value changed).
 */
int *pcpu_harness_nr_empty_pop_pages(void);

#endif
