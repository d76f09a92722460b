/*
 * The machine the real allocator runs on: physical pages per NUMA node (one memfd, mapped once
 * as the linear map), a vmalloc area whose pages are really mapped (so the kernel's own
 * memset reaches them), the harness's own page table of that area, and a TLB that caches a
 * translation when the protocol uses an address and drops it only on flush_tlb_kernel_range.
 * Plain C: no kernel header is included here.
 */
#ifndef PCPU_MACHINE_H
#define PCPU_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#define MACHINE_PAGE_SHIFT 12
#define MACHINE_PAGE_SIZE (1UL << MACHINE_PAGE_SHIFT)
#define MACHINE_MAX_NODES 64

/* The kernel's struct page: the allocator's field first, then the machine's. */
struct page {
	unsigned long index; /* mm/percpu.c keeps the page's chunk here */
	unsigned long pfn;
	int node;
	int in_use;
	int meta; /* boot memory of the allocator's own tables, not of a unit */
	struct page *next_free;
};

struct machine_config {
	int nr_nodes;
	/* Pages the page allocator may hand out per node after boot (0: no limit but memory). */
	long pages_per_node;
	/* Bytes of vmalloc area the percpu vm areas may take (0: the whole area). */
	long vmalloc_bytes;
	/* Boot memory (memblock) per node. */
	long boot_pages_per_node;
	/*
	 * 1: the nodes' boot memory lies in descending node order (node 0's highest), as on
	 * machines whose firmware numbers the nodes against their address order; 0: ascending.
	 */
	int node_order_reverse;
};

/* Once per process, before any fork: reserves the address ranges and the memfd. */
int machine_init(const char **why);
/* A fresh machine for one boot (in the process that will run it). */
int machine_boot(const struct machine_config *cfg, const char **why);

/* Allocations the kernel makes; each one counts for fail_page_alloc. */
struct page *machine_alloc_page(int node);
void machine_free_page(struct page *page);
void *machine_kmalloc(size_t size, int zero);
void machine_kfree(const void *p);
void machine_fail_after(long after, long count);
/*
 * The counting of machine_kmalloc (with may_fail, one allocation for fail_page_alloc; bytes
 * in meta_bytes) for an object placed elsewhere (guard.h); 0 if the allocation is to fail.
 */
int machine_meta_charge(long bytes, int may_fail);
void machine_meta_uncharge(long bytes);

void *machine_page_address(const struct page *page);
struct page *machine_linear_page(const void *addr);
int machine_is_vmalloc(const void *addr);
unsigned long machine_pa(const void *addr);

/*
 * Boot memory: `meta` for the allocator's own tables (counted in meta_bytes), else the units
 * of the first chunk (counted in the node's pages).
 */
void *machine_memblock_alloc(size_t size, size_t align, int nid, int meta);
void machine_memblock_free(void *ptr, size_t size);

/* The percpu vm areas: `nr` areas at base + offsets[i], base aligned to `align`. */
int machine_vm_reserve(const unsigned long *offsets, const size_t *sizes, int nr, size_t align,
		       uintptr_t *base);
void machine_vm_release(uintptr_t addr, size_t size);
int machine_map(uintptr_t addr, struct page **pages, long nr);
void machine_unmap(uintptr_t start, uintptr_t end);
struct page *machine_pte(uintptr_t addr);
void machine_tlb_flush(uintptr_t start, uintptr_t end);

/* The protocol's view: an address translated as a CPU would (TLB first), or NULL. */
uint8_t *machine_translate(uintptr_t addr, int *node);
/*
 * Whether `addr` is one the kernel's per_cpu_ptr_to_phys() may be given: a page of the
 * vmalloc area mapped in the page table, or an in-use page of a first-chunk unit (boot
 * memory that is not the allocator's own tables).
 */
int machine_percpu_addr(uintptr_t addr);
/* The node of the page at a physical address, or -1 if no page of memory is there. */
int machine_phys_node(unsigned long long phys);

struct machine_stats {
	long pages_by_node[MACHINE_MAX_NODES];
	int nr_nodes;
	long meta_bytes;
	long vm_bytes;
	long page_allocs;
};
void machine_stats(struct machine_stats *s);

#endif
