/*
 * What the protocol side (harness.h and its files) asks of the kernel side (kernel.c, the
 * translation unit that includes the tree's mm/percpu.c). Plain C types only.
 */
#ifndef PCPU_KAPI_H
#define PCPU_KAPI_H

#include <stddef.h>
#include <stdint.h>

struct kapi_boot {
	int nr_cpus;
	const long long *possible, *present, *online;
	size_t nr_possible, nr_present, nr_online;
	const long long *cpu_to_node; /* nr_cpus entries */
	int nr_nodes;
	long pages_per_node, vmalloc_bytes;
	/* The first chunk: the static section, the reserved area, the dynamic reserve, the atom. */
	long static_size, reserved_size, dyn_size, atom_size;
	/* The nodes' boot memory in descending node order (machine_config.node_order_reverse). */
	int node_order_reverse;
};

enum kapi_gfp { KAPI_GFP_KERNEL, KAPI_GFP_ATOMIC, KAPI_GFP_NOIO, KAPI_GFP_NOFS };

/* 0, or a negative errno with `why` set. */
int kapi_boot(const struct kapi_boot *b, const char **why);
/*
 * The constants of the tree's rules that hello declares. PCPU_MIN_ALLOC_SIZE: pcpu_alloc
 * raises a smaller alignment to it before its power-of-two check.
 */
long kapi_min_align(void);
/* PCPU_BITMAP_BLOCK_SIZE: the span of a bitmap block, whose hints the kernel keeps exact. */
long kapi_block_size(void);
/*
 * The largest unit a first chunk of these sizes can have: pcpu_build_alloc_info's alloc_size
 * (the sizes with the dynamic area at least PERCPU_DYNAMIC_EARLY_SIZE, at least
 * PCPU_MIN_UNIT_SIZE, rounded up to the atom); its unit is alloc_size / upa, upa >= 1.
 */
long kapi_max_unit_size(long static_size, long reserved_size, long dyn_size, long atom_size);
int kapi_alloc(long size, long align, enum kapi_gfp gfp, int reserved, uintptr_t *ptr,
	       const char **why);
/* 1 if the kernel warned while freeing. */
int kapi_free(uintptr_t ptr);
uintptr_t kapi_per_cpu_ptr(uintptr_t ptr, int cpu);
/*
 * The node of the page behind a percpu address (machine_percpu_addr) by the kernel's own
 * translation, per_cpu_ptr_to_phys(), as its callers use it; -1 if that finds no memory.
 */
int kapi_node_of(uintptr_t addr);
/* Runs the balance worker; 1 if an allocation or a free had scheduled it. */
int kapi_reclaim(void);

struct kapi_stats {
	long pages_by_node[64];
	int nr_nodes;
	long unit_bytes, meta_bytes, vm_bytes;
	long nr_populated, nr_empty_pop_pages, nr_chunks, page_allocs;
	long unit_size, static_size, reserved_size, dyn_size, atom_size, nr_groups, nr_units;
	/* The kernel's work since the process started (workcount.c says what each counts). */
	long bitmap_calls, bitmap_words, kernel_ns;
};
void kapi_stats(struct kapi_stats *s);

/* workcount.c: the counters, and the clock around each call into the kernel. */
extern long pcpu_harness_bitmap_calls, pcpu_harness_bitmap_words, pcpu_harness_kernel_ns;
void pcpu_harness_kernel_enter(void);
void pcpu_harness_kernel_leave(void);

struct kapi_chunk {
	int id;
	const char *state; /* empty, partial, full */
	long live, free_bytes, nr_pages, nr_populated, nr_empty_pop_pages;
	int slot;
	const char *list; /* "slot", "free", "to-depopulate", "sidelined", "reserved" */
	int first, isolated;
};
/* Calls `fn` for every chunk, the reserved chunk first. */
void kapi_inspect(void (*fn)(const struct kapi_chunk *c, void *arg), void *arg);

#endif
