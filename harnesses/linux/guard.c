/*
 * The guarded objects of guard.h. One address range is reserved (inaccessible) on first use;
 * each object takes the next pages of it: a header at the start of its first page, the object
 * at the end of its last, and one page left inaccessible after it. The object starts aligned
 * as kmalloc's size classes are, 8 bytes below 64 and a cache line from 64 on (the compiler
 * relies on it: struct pcpu_chunk has cache-aligned members), so it ends 0 to 63 bytes before
 * the guard page; a bitmap of a chunk's pages (alloc_map: 128 bytes a page) ends right at it. Addresses only move forward (each boot is a fresh process), so a
 * freed object stays inaccessible.
 */
#define _GNU_SOURCE
#include "guard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096UL
#define SPAN (64UL << 30) /* 64 GiB of addresses: millions of objects in one boot */
#define MAGIC 0x70637075676172ULL

struct header {
	uint64_t magic;
	size_t size;  /* asked for */
	size_t pages; /* mapped, the guard page not counted */
};

int guard_pages;
static uintptr_t base, next;

static uintptr_t round_up(uintptr_t x, uintptr_t a)
{
	return (x + a - 1) & ~(a - 1);
}

void *guard_alloc(size_t size)
{
	size_t align = size >= 64 ? 64 : 8;
	size_t bytes = round_up(size ? size : 1, align);
	size_t pages = round_up(bytes + sizeof(struct header), PAGE) / PAGE;
	struct header *h;

	if (!base) {
		void *r = mmap(NULL, SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (r == MAP_FAILED) {
			perror("pcpu-linux: guard pages: mmap");
			abort();
		}
		base = next = (uintptr_t)r;
	}
	if (next + (pages + 1) * PAGE > base + SPAN)
		return NULL;
	h = (struct header *)next;
	if (mprotect(h, pages * PAGE, PROT_READ | PROT_WRITE)) {
		perror("pcpu-linux: guard pages: mprotect");
		abort();
	}
	h->magic = MAGIC;
	h->size = size;
	h->pages = pages;
	next += (pages + 1) * PAGE;
	return (char *)h + pages * PAGE - bytes;
}

int guard_owns(const void *p)
{
	return base && (uintptr_t)p >= base && (uintptr_t)p < base + SPAN;
}

/* The header of an object: at the start of the page that holds the header's end. */
static struct header *header_of(const void *p)
{
	struct header *h = (struct header *)(((uintptr_t)p - sizeof(struct header)) & ~(PAGE - 1));
	if (h->magic != MAGIC) {
		fprintf(stderr, "pcpu-linux: guard pages: %p is not a guarded object\n", p);
		abort();
	}
	return h;
}

size_t guard_size(const void *p)
{
	return header_of(p)->size;
}

void guard_free(const void *p)
{
	struct header *h = header_of(p);
	size_t len = h->pages * PAGE;

	/* Inaccessible from now on: a later access through a stale pointer faults. */
	if (mmap(h, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) ==
	    MAP_FAILED) {
		perror("pcpu-linux: guard pages: mmap");
		abort();
	}
}
