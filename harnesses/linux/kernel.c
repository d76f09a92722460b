/*
 * The kernel side: the tree's own mm/percpu.c (which includes its percpu-internal.h and
 * percpu-vm.c) compiled into this translation unit, so that the glue below reaches its static
 * functions and globals as the kernel's own init code and workqueue would: the first chunk is
 * set up by pcpu_embed_first_chunk() as x86_64's setup_per_cpu_areas() does, the balance
 * worker is pcpu_balance_workfn() itself, and stats and inspect read the allocator's own
 * counters and lists. The tree's file is named by the build (PCPU_TREE_PERCPU_C).
 */
#include PCPU_TREE_PERCPU_C

#include "kapi.h"

/* CPU masks, node map and the arch's per-CPU offsets: set once, at boot. */
struct cpumask pcpu_harness_possible, pcpu_harness_present, pcpu_harness_online;
unsigned int nr_cpu_ids;
unsigned long __per_cpu_offset[NR_CPUS];
char *pcpu_harness_section_start, *pcpu_harness_section_end, *pcpu_harness_section_load;
static int harness_cpu_node[NR_CPUS];
static int harness_nr_nodes;
#ifdef CONFIG_PERCPU_STATS
/* percpu-stats.c (debugfs) is not built; the counters percpu-internal.h keeps live here. */
struct percpu_stats pcpu_stats;
struct pcpu_alloc_info pcpu_stats_ai;
#endif

int cpu_to_node(int cpu)
{
	return cpu >= 0 && cpu < NR_CPUS ? harness_cpu_node[cpu] : NUMA_NO_NODE;
}

int pcpu_harness_node_online(int node)
{
	return node >= 0 && node < harness_nr_nodes;
}

static int harness_cpu_distance(unsigned int from, unsigned int to)
{
	return harness_cpu_node[from] == harness_cpu_node[to] ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

static int harness_cpu_to_node(int cpu)
{
	return harness_cpu_node[cpu];
}

static int set_mask(struct cpumask *mask, const long long *cpus, size_t n, int nr_cpus)
{
	cpumask_clear(mask);
	for (size_t i = 0; i < n; i++) {
		if (cpus[i] < 0 || cpus[i] >= nr_cpus)
			return -EINVAL;
		cpumask_set_cpu(cpus[i], mask);
	}
	return 0;
}

long kapi_min_align(void)
{
	return PCPU_MIN_ALLOC_SIZE;
}

long kapi_block_size(void)
{
	return PCPU_BITMAP_BLOCK_SIZE;
}

long kapi_max_unit_size(long static_size, long reserved_size, long dyn_size, long atom_size)
{
	size_t size_sum = PFN_ALIGN(static_size + reserved_size +
				    max_t(size_t, dyn_size, PERCPU_DYNAMIC_EARLY_SIZE));

	return (long)roundup(max_t(size_t, size_sum, PCPU_MIN_UNIT_SIZE), atom_size);
}

int kapi_boot(const struct kapi_boot *b, const char **why)
{
	struct machine_config mc = { 0 };
	unsigned int cpu;
	size_t alloc_size;
	long boot_pages;
	int rc;

	if (b->nr_cpus < 1 || b->nr_cpus > NR_CPUS) {
		*why = "nr_cpus must be 1..512 (the harness's NR_CPUS)";
		return -EINVAL;
	}
	if (b->nr_nodes < 1 || b->nr_nodes > MACHINE_MAX_NODES) {
		*why = "nr_nodes must be 1..64";
		return -EINVAL;
	}
	nr_cpu_ids = b->nr_cpus;
	if (set_mask(&pcpu_harness_possible, b->possible, b->nr_possible, b->nr_cpus) ||
	    set_mask(&pcpu_harness_present, b->present, b->nr_present, b->nr_cpus) ||
	    set_mask(&pcpu_harness_online, b->online, b->nr_online, b->nr_cpus)) {
		*why = "a CPU number is not below nr_cpus";
		return -EINVAL;
	}
	if (cpumask_empty(cpu_possible_mask)) {
		*why = "no possible CPU";
		return -EINVAL;
	}
	harness_nr_nodes = b->nr_nodes;
	for (int c = 0; c < b->nr_cpus; c++) {
		if (b->cpu_to_node[c] < 0 || b->cpu_to_node[c] >= b->nr_nodes) {
			*why = "cpu_to_node names a node not below nr_nodes";
			return -EINVAL;
		}
		harness_cpu_node[c] = (int)b->cpu_to_node[c];
	}
	if (b->static_size < 0 || b->reserved_size < 0 || b->dyn_size < 0 || b->atom_size < 4096 ||
	    (b->atom_size & (b->atom_size - 1))) {
		*why = "first chunk sizes: static, reserved and dynamic sizes must be >= 0, atom_size a power of two >= 4096";
		return -EINVAL;
	}

	/*
	 * Boot memory per node: enough for a group of every possible CPU, each unit at most one
	 * allocation of the atom size, and the allocator's own boot tables.
	 */
	alloc_size = kapi_max_unit_size(b->static_size, b->reserved_size, b->dyn_size,
					b->atom_size);
	boot_pages = (long)((num_possible_cpus() + 1) * alloc_size / PAGE_SIZE) + 1024;
	mc.nr_nodes = b->nr_nodes;
	mc.pages_per_node = b->pages_per_node;
	mc.vmalloc_bytes = b->vmalloc_bytes;
	mc.boot_pages_per_node = boot_pages;
	mc.node_order_reverse = b->node_order_reverse;
	rc = machine_boot(&mc, why);
	if (rc)
		return rc;

	/* The static section: zero-based as on x86_64, its image zero. */
	pcpu_harness_section_start = (char *)0;
	pcpu_harness_section_end = (char *)b->static_size;
	pcpu_harness_section_load = calloc(1, b->static_size ? b->static_size : 1);

	rc = pcpu_embed_first_chunk(b->reserved_size, b->dyn_size, b->atom_size,
				    harness_cpu_distance, harness_cpu_to_node);
	if (rc) {
		*why = "pcpu_embed_first_chunk failed";
		return rc;
	}
	/* The arch's part of setup_per_cpu_areas(): each CPU's offset to its unit. */
	for_each_possible_cpu(cpu)
		__per_cpu_offset[cpu] = (unsigned long)pcpu_base_addr -
					(unsigned long)__per_cpu_start + pcpu_unit_offsets[cpu];
	percpu_enable_async();
	return 0;
}

/* Set by the kernel's own "illegal size or align" warning during an allocation. */
int pcpu_harness_illegal;

int kapi_alloc(long size, long align, enum kapi_gfp kind, int reserved, uintptr_t *ptr,
	       const char **why)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_NOIO, GFP_NOFS };
	void __percpu *p;

	pcpu_harness_illegal = 0;
	if (size < 0 || align < 0) {
		*why = "size and align must not be negative";
		return -EINVAL;
	}
	pcpu_harness_kernel_enter();
	if (reserved)
		p = __alloc_reserved_percpu((size_t)size, (size_t)align);
	else
		p = __alloc_percpu_gfp((size_t)size, (size_t)align, gfps[kind]);
	pcpu_harness_kernel_leave();
	if (!p) {
		if (pcpu_harness_illegal) {
			*why = "the kernel refused the size or alignment (illegal size or align)";
			return -EINVAL;
		}
		*why = "the kernel's allocation failed";
		return -ENOMEM;
	}
	*ptr = (uintptr_t)p;
	return 0;
}

extern int pcpu_harness_warnings;

int kapi_free(uintptr_t ptr)
{
	int before = pcpu_harness_warnings;

	pcpu_harness_kernel_enter();
	free_percpu((void __percpu *)ptr);
	pcpu_harness_kernel_leave();
	return pcpu_harness_warnings != before;
}

uintptr_t kapi_per_cpu_ptr(uintptr_t ptr, int cpu)
{
	return (uintptr_t)per_cpu_ptr((void __percpu *)ptr, cpu);
}

int kapi_node_of(uintptr_t addr)
{
	return machine_phys_node(per_cpu_ptr_to_phys((void *)addr));
}

int kapi_reclaim(void)
{
	int was_pending = pcpu_balance_work.pending;

	/* As a workqueue runs the item: the pending mark is cleared before the function runs. */
	pcpu_balance_work.pending = 0;
	pcpu_harness_kernel_enter();
	pcpu_balance_work.func(&pcpu_balance_work);
	pcpu_harness_kernel_leave();
	return was_pending;
}

static long chunk_count(void)
{
	long n = pcpu_reserved_chunk ? 1 : 0;
	struct pcpu_chunk *chunk;

	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list)
			n++;
	return n;
}

static long chunk_unit_bytes(void)
{
	long bytes = pcpu_reserved_chunk ? (long)pcpu_reserved_chunk->nr_pages * PAGE_SIZE : 0;
	struct pcpu_chunk *chunk;

	for (int slot = 0; slot < pcpu_nr_slots; slot++)
		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list)
			bytes += (long)chunk->nr_pages * PAGE_SIZE;
	return bytes;
}

void kapi_stats(struct kapi_stats *s)
{
	struct machine_stats ms;

	machine_stats(&ms);
	memset(s, 0, sizeof(*s));
	s->nr_nodes = ms.nr_nodes;
	for (int n = 0; n < ms.nr_nodes; n++)
		s->pages_by_node[n] = ms.pages_by_node[n];
	s->meta_bytes = ms.meta_bytes;
	s->vm_bytes = ms.vm_bytes;
	s->page_allocs = ms.page_allocs;
	s->unit_bytes = chunk_unit_bytes();
	s->nr_populated = (long)pcpu_nr_populated;
	s->nr_empty_pop_pages = pcpu_nr_empty_pop_pages;
	s->nr_chunks = chunk_count();
	s->unit_size = pcpu_unit_size;
	s->nr_units = pcpu_nr_units;
	s->nr_groups = pcpu_nr_groups;
	s->atom_size = pcpu_atom_size;
	s->static_size = pcpu_harness_section_end - pcpu_harness_section_start;
	s->bitmap_calls = pcpu_harness_bitmap_calls;
	s->bitmap_words = pcpu_harness_bitmap_words;
	s->kernel_ns = pcpu_harness_kernel_ns;
#ifdef CONFIG_PERCPU_STATS
	s->reserved_size = (long)pcpu_stats_ai.reserved_size;
	s->dyn_size = (long)pcpu_stats_ai.dyn_size;
#endif
}

/* Chunk ids: assigned in the order chunks are first seen, kept while the chunk lives. */
#define MAX_IDS 4096
static struct {
	struct pcpu_chunk *chunk;
	int id;
	int seen;
} ids[MAX_IDS];
static int nr_ids, next_id;

static int chunk_id(struct pcpu_chunk *chunk)
{
	for (int i = 0; i < nr_ids; i++)
		if (ids[i].chunk == chunk) {
			ids[i].seen = 1;
			return ids[i].id;
		}
	if (nr_ids == MAX_IDS)
		return -1;
	ids[nr_ids].chunk = chunk;
	ids[nr_ids].seen = 1;
	ids[nr_ids].id = next_id++;
	return ids[nr_ids++].id;
}

static void describe(struct pcpu_chunk *chunk, int slot, const char *list,
		     void (*fn)(const struct kapi_chunk *c, void *arg), void *arg)
{
	struct kapi_chunk c = { 0 };
	long region = (long)pcpu_chunk_map_bits(chunk) * PCPU_MIN_ALLOC_SIZE;

	c.id = chunk_id(chunk);
	c.free_bytes = chunk->free_bytes;
	c.nr_pages = chunk->nr_pages;
	c.nr_populated = chunk->nr_populated;
	c.nr_empty_pop_pages = chunk->nr_empty_pop_pages;
	c.slot = slot;
	c.list = list;
	c.first = chunk == pcpu_first_chunk;
	c.isolated = chunk->isolated;
#ifdef CONFIG_PERCPU_STATS
	c.live = chunk->nr_alloc;
#endif
	/* The first and reserved chunks begin with the space before their region: never empty. */
	c.state = chunk->free_bytes == 0				  ? "full"
		  : chunk->free_bytes == region - chunk->start_offset - chunk->end_offset &&
				  c.live == 0
			  ? "empty"
			  : "partial";
	fn(&c, arg);
}

void kapi_inspect(void (*fn)(const struct kapi_chunk *c, void *arg), void *arg)
{
	struct pcpu_chunk *chunk;
	int kept = 0;

	for (int i = 0; i < nr_ids; i++)
		ids[i].seen = 0;
	if (pcpu_reserved_chunk)
		describe(pcpu_reserved_chunk, -1, "reserved", fn, arg);
	for (int slot = 0; slot < pcpu_nr_slots; slot++) {
		const char *list = slot == pcpu_free_slot	      ? "free"
				   : slot == pcpu_to_depopulate_slot ? "to-depopulate"
				   : slot == pcpu_sidelined_slot     ? "sidelined"
								     : "slot";
		list_for_each_entry(chunk, &pcpu_chunk_lists[slot], list)
			describe(chunk, slot, list, fn, arg);
	}
	/* Forget destroyed chunks, so that a new chunk at a reused address gets a new id. */
	for (int i = 0; i < nr_ids; i++)
		if (ids[i].seen)
			ids[kept++] = ids[i];
	nr_ids = kept;
}
