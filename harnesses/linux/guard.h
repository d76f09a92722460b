/*
 * Guarded objects (--guard-pages), the way KFENCE places a sampled object: each at the end of
 * pages of its own, followed by a page that is never mapped, so that the kernel's read or
 * write past the end of one of its own objects (a bitmap, a chunk's block metadata) faults at
 * once, and with the `oops` answer is judged by no-oops. A freed object's pages are unmapped
 * and their addresses never reused, so a use after free faults too. Plain C: no kernel header.
 */
#ifndef PCPU_GUARD_H
#define PCPU_GUARD_H

#include <stddef.h>

/* Set by --guard-pages: the allocator's kmalloc, vmalloc and memblock tables are guarded. */
extern int guard_pages;

/* A zeroed object of `size` bytes ending 0 to 63 bytes before a guard page; NULL if no room. */
void *guard_alloc(size_t size);
/* Whether `p` is an object of guard_alloc (live or freed). */
int guard_owns(const void *p);
/* The size guard_alloc was asked for. */
size_t guard_size(const void *p);
void guard_free(const void *p);

#endif
