/*
 * The pointers handed out, an open-addressing set: a free or ptr of any other pointer is
 * refused by the harness (the kernel does not check what free_percpu() is given).
 */
#include <stdlib.h>

#include "harness.h"

static uint64_t *live;
static size_t live_cap, live_n;
#define EMPTY 0
#define GONE 1

static size_t slot_of(uint64_t p)
{
	return (size_t)((p * 0x9e3779b97f4a7c15ull) >> 20) & (live_cap - 1);
}

int live_has(uint64_t p)
{
	if (!live_cap)
		return 0;
	for (size_t i = slot_of(p);; i = (i + 1) & (live_cap - 1)) {
		if (live[i] == EMPTY)
			return 0;
		if (live[i] == p)
			return 1;
	}
}

void live_add(uint64_t p)
{
	if (2 * (live_n + 1) > live_cap) {
		uint64_t *old = live;
		size_t old_cap = live_cap;
		live_cap = live_cap ? 2 * live_cap : 1024;
		live = calloc(live_cap, sizeof(*live));
		live_n = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i] > GONE)
				live_add(old[i]);
		free(old);
	}
	size_t i = slot_of(p);
	while (live[i] > GONE)
		i = (i + 1) & (live_cap - 1);
	live[i] = p;
	live_n++;
}

void live_remove(uint64_t p)
{
	if (!live_cap)
		return;
	for (size_t i = slot_of(p);; i = (i + 1) & (live_cap - 1)) {
		if (live[i] == EMPTY)
			return;
		if (live[i] == p) {
			live[i] = GONE;
			return;
		}
	}
}
