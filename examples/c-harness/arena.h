/*
 * A small percpu allocator of its own design (not kernel code), for the example harness.
 *
 * Memory comes in chunks. A chunk holds one unit of UNIT_SIZE bytes for every possible CPU,
 * the units side by side in one slot of virtual space (SLOT_STRIDE apart), each unit's pages
 * taken from its CPU's NUMA node when the chunk is made. Objects are placed first fit over a
 * map of 4-byte granules shared by all units of a chunk, so an object has the same offset in
 * every unit: the percpu pointer is the address of the first unit's copy, and
 * per_cpu_ptr(ptr, cpu) = ptr + unit_index(cpu) * UNIT_SIZE (one load: the unit index).
 * An allocation is zeroed in every unit. Empty chunks are released by `reclaim` only.
 * Page allocations can be made to fail (fail_page_alloc); making a chunk rolls back on failure.
 *
 * Built with -DSEEDED_BUG=1 it forgets to zero memory that a freed object used (fresh chunks
 * still read zero): the bug the suite must catch.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>
#include <stdint.h>

#define UNIT_SIZE 32768u
#define GRANULE 4u
#define NR_GRANULES (UNIT_SIZE / GRANULE)
#define PAGE_SIZE 4096u
#define PAGES_PER_UNIT (UNIT_SIZE / PAGE_SIZE)
#define SLOT_BASE 0x100000000ull
#define SLOT_STRIDE 0x10000000ull /* 256 MiB: room for 8192 units */
#define MAX_CHUNKS 1024
#define MAX_NR_CPUS 8192
#define MAX_NODES 64

/* The protocol's error codes. */
enum arena_err { A_OK = 0, A_EINVAL, A_ENOMEM, A_EFAULT };

struct arena_config {
	int nr_cpus;
	const long long *possible, *present, *online, *cpu_to_node;
	size_t nr_possible, nr_present, nr_online, nr_cpu_to_node;
	int nr_nodes;
	int page_size;
	long long pages_per_node; /* 0: the default */
	long long vmalloc_bytes;  /* 0: the default */
};

struct arena_stats {
	const long long *pages_by_node;
	int nr_nodes;
	long long unit_bytes, meta_bytes, vm_bytes;
};

/* Every function returns A_OK or an error code; `why` is set to a message for errors. */
int arena_boot(const struct arena_config *cfg, const char **why);
int arena_alloc(long long size, long long align, uint64_t *ptr, const char **why);
int arena_free(uint64_t ptr, const char **why);
int arena_ptr(uint64_t ptr, long long cpu, uint64_t *addr, const char **why);
int arena_node(uint64_t addr, int *node, const char **why);
/* The `len` bytes at `addr` inside one chunk's units (NULL data: only check the range). */
int arena_access(uint64_t addr, long long len, uint8_t **data, const char **why);
int arena_hotplug(const char *op, long long cpu, const char **why);
int arena_fail_page_alloc(long long after, long long count, const char **why);
void arena_reclaim(void);
int arena_stats(struct arena_stats *out, const char **why);
int arena_booted(void);

#endif
