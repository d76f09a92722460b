/* See arena.h: per-CPU units in chunks, first fit over a granule map, node-aware pages. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#ifndef SEEDED_BUG
#define SEEDED_BUG 0
#endif

#define DEFAULT_PAGES_PER_NODE (1ll << 20)
#define DEFAULT_VMALLOC_BYTES (128ll << 20)

struct chunk {
	int used;
	int live;
	uint8_t *map;      /* NR_GRANULES: 1 where a granule is taken */
	uint32_t *sizes;   /* NR_GRANULES: the size of the object that starts there, else 0 */
	uint8_t *data;     /* nr_units * UNIT_SIZE */
};

static struct {
	int booted;
	int nr_cpus, nr_nodes;
	int *unit_of;      /* per CPU: its unit index, or -1 if not possible */
	int *unit_cpu;     /* per unit: its CPU */
	int nr_units;
	uint8_t *present, *online;
	int nr_online;
	int *node_of;
	long long pages_by_node[MAX_NODES];
	long long page_limit, vm_limit, vm_bytes;
	long long fail_after, fail_count;
	struct chunk chunks[MAX_CHUNKS];
	int nr_chunks;
} sys;

static int fail(const char **why, const char *msg, int code)
{
	*why = msg;
	return code;
}

static void release_chunk(struct chunk *c)
{
	for (int u = 0; u < sys.nr_units; u++)
		sys.pages_by_node[sys.node_of[sys.unit_cpu[u]]] -= PAGES_PER_UNIT;
	sys.vm_bytes -= (long long)sys.nr_units * UNIT_SIZE;
	free(c->map);
	free(c->sizes);
	free(c->data);
	memset(c, 0, sizeof(*c));
	sys.nr_chunks--;
}

static void reset(void)
{
	for (int i = 0; i < MAX_CHUNKS; i++)
		if (sys.chunks[i].used)
			release_chunk(&sys.chunks[i]);
	free(sys.unit_of);
	free(sys.unit_cpu);
	free(sys.present);
	free(sys.online);
	free(sys.node_of);
	memset(&sys, 0, sizeof(sys));
}

static int in_list(const long long *list, size_t n, long long x)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == x)
			return 1;
	return 0;
}

int arena_booted(void)
{
	return sys.booted;
}

int arena_boot(const struct arena_config *cfg, const char **why)
{
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > MAX_NR_CPUS)
		return fail(why, "nr_cpus must be 1..8192", A_EINVAL);
	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MAX_NODES)
		return fail(why, "nr_nodes must be 1..64", A_EINVAL);
	if (cfg->page_size != (int)PAGE_SIZE)
		return fail(why, "page_size must be 4096", A_EINVAL);
	if (cfg->nr_cpu_to_node != (size_t)cfg->nr_cpus)
		return fail(why, "cpu_to_node needs one entry per CPU below nr_cpus", A_EINVAL);
	for (size_t i = 0; i < cfg->nr_cpu_to_node; i++)
		if (cfg->cpu_to_node[i] < 0 || cfg->cpu_to_node[i] >= cfg->nr_nodes)
			return fail(why, "cpu_to_node names a node at or above nr_nodes", A_EINVAL);
	if (cfg->nr_possible == 0 || cfg->nr_online == 0)
		return fail(why, "possible and online must not be empty", A_EINVAL);
	for (size_t i = 0; i < cfg->nr_possible; i++) {
		if (cfg->possible[i] < 0 || cfg->possible[i] >= cfg->nr_cpus)
			return fail(why, "a possible CPU is not below nr_cpus", A_EINVAL);
		if (in_list(cfg->possible, i, cfg->possible[i]))
			return fail(why, "a possible CPU is listed twice", A_EINVAL);
	}
	for (size_t i = 0; i < cfg->nr_present; i++)
		if (!in_list(cfg->possible, cfg->nr_possible, cfg->present[i]))
			return fail(why, "a present CPU is not possible", A_EINVAL);
	for (size_t i = 0; i < cfg->nr_online; i++)
		if (!in_list(cfg->present, cfg->nr_present, cfg->online[i]))
			return fail(why, "an online CPU is not present", A_EINVAL);
	if (cfg->pages_per_node < 0 || cfg->vmalloc_bytes < 0)
		return fail(why, "limits must not be negative", A_EINVAL);

	reset();
	sys.nr_cpus = cfg->nr_cpus;
	sys.nr_nodes = cfg->nr_nodes;
	sys.unit_of = malloc(sizeof(int) * (size_t)sys.nr_cpus);
	sys.unit_cpu = malloc(sizeof(int) * cfg->nr_possible);
	sys.present = calloc((size_t)sys.nr_cpus, 1);
	sys.online = calloc((size_t)sys.nr_cpus, 1);
	sys.node_of = malloc(sizeof(int) * (size_t)sys.nr_cpus);
	if (!sys.unit_of || !sys.unit_cpu || !sys.present || !sys.online || !sys.node_of)
		abort();
	for (int cpu = 0; cpu < sys.nr_cpus; cpu++) {
		sys.node_of[cpu] = (int)cfg->cpu_to_node[cpu];
		sys.unit_of[cpu] = -1;
	}
	/* Units in CPU order. */
	for (int cpu = 0; cpu < sys.nr_cpus; cpu++) {
		if (in_list(cfg->possible, cfg->nr_possible, cpu)) {
			sys.unit_of[cpu] = sys.nr_units;
			sys.unit_cpu[sys.nr_units++] = cpu;
		}
	}
	for (size_t i = 0; i < cfg->nr_present; i++)
		sys.present[cfg->present[i]] = 1;
	for (size_t i = 0; i < cfg->nr_online; i++)
		if (!sys.online[cfg->online[i]]) {
			sys.online[cfg->online[i]] = 1;
			sys.nr_online++;
		}
	sys.page_limit = cfg->pages_per_node ? cfg->pages_per_node : DEFAULT_PAGES_PER_NODE;
	sys.vm_limit = cfg->vmalloc_bytes ? cfg->vmalloc_bytes : DEFAULT_VMALLOC_BYTES;
	sys.booted = 1;
	return A_OK;
}

/* One page from `node`: fails when the node is full or an injected failure is due. */
static int page_alloc(int node)
{
	if (sys.pages_by_node[node] >= sys.page_limit)
		return -1;
	if (sys.fail_count > 0) {
		if (sys.fail_after > 0) {
			sys.fail_after--;
		} else {
			sys.fail_count--;
			return -1;
		}
	}
	sys.pages_by_node[node]++;
	return 0;
}

/* A new chunk in a free slot, its pages taken unit by unit; rolled back on any failure. */
static struct chunk *make_chunk(void)
{
	int slot = -1;
	for (int i = 0; i < MAX_CHUNKS; i++)
		if (!sys.chunks[i].used) {
			slot = i;
			break;
		}
	long long span = (long long)sys.nr_units * UNIT_SIZE;
	if (slot < 0 || sys.vm_bytes + span > sys.vm_limit)
		return NULL;
	int taken = 0; /* pages taken so far, unit by unit */
	for (int u = 0; u < sys.nr_units; u++) {
		int node = sys.node_of[sys.unit_cpu[u]];
		for (unsigned p = 0; p < PAGES_PER_UNIT; p++, taken++) {
			if (page_alloc(node) == 0)
				continue;
			/* Roll back: every page taken so far goes back to its node. */
			for (int t = 0; t < taken; t++)
				sys.pages_by_node[sys.node_of[sys.unit_cpu[t / (int)PAGES_PER_UNIT]]]--;
			return NULL;
		}
	}
	struct chunk *c = &sys.chunks[slot];
	c->used = 1;
	c->map = calloc(NR_GRANULES, 1);
	c->sizes = calloc(NR_GRANULES, sizeof(uint32_t));
	c->data = calloc((size_t)sys.nr_units, UNIT_SIZE);
	if (!c->map || !c->sizes || !c->data)
		abort();
	sys.vm_bytes += span;
	sys.nr_chunks++;
	return c;
}

/* First fit in one chunk: the first aligned run of `n` free granules, or -1. */
static long first_fit(const struct chunk *c, unsigned n, unsigned step)
{
	for (unsigned g = 0; g + n <= NR_GRANULES; g += step) {
		unsigned k = 0;
		while (k < n && !c->map[g + k])
			k++;
		if (k == n)
			return (long)g;
		/* Skip past the taken granule, to the next aligned start. */
		unsigned next = g + k + 1;
		g = ((next + step - 1) / step) * step - step;
	}
	return -1;
}

static uint64_t chunk_base(const struct chunk *c)
{
	return SLOT_BASE + (uint64_t)(c - sys.chunks) * SLOT_STRIDE;
}

int arena_alloc(long long size, long long align, uint64_t *ptr, const char **why)
{
	if (size < 1 || size > (long long)UNIT_SIZE)
		return fail(why, "size must be 1..32768", A_EINVAL);
	if (align < 1 || align > (long long)PAGE_SIZE || (align & (align - 1)) != 0)
		return fail(why, "align must be a power of two from 1 to 4096", A_EINVAL);
	unsigned n = (unsigned)((size + GRANULE - 1) / GRANULE);
	unsigned step = align > GRANULE ? (unsigned)(align / GRANULE) : 1;
	struct chunk *c = NULL;
	long g = -1;
	for (int i = 0; i < MAX_CHUNKS && g < 0; i++) {
		if (!sys.chunks[i].used)
			continue;
		g = first_fit(&sys.chunks[i], n, step);
		if (g >= 0)
			c = &sys.chunks[i];
	}
	if (g < 0) {
		c = make_chunk();
		if (!c)
			return fail(why, "out of memory: no page or address space for a new chunk", A_ENOMEM);
		g = 0;
	}
	memset(c->map + g, 1, n);
	c->sizes[g] = (uint32_t)size;
	c->live++;
	if (!SEEDED_BUG) {
		for (int u = 0; u < sys.nr_units; u++)
			memset(c->data + (size_t)u * UNIT_SIZE + (size_t)g * GRANULE, 0, (size_t)n * GRANULE);
	}
	*ptr = chunk_base(c) + (uint64_t)g * GRANULE;
	return A_OK;
}

/* The chunk and granule of a live object's percpu pointer, or NULL. */
static struct chunk *lookup(uint64_t ptr, unsigned *granule)
{
	if (ptr < SLOT_BASE)
		return NULL;
	uint64_t slot = (ptr - SLOT_BASE) / SLOT_STRIDE;
	uint64_t off = (ptr - SLOT_BASE) % SLOT_STRIDE;
	if (slot >= MAX_CHUNKS || off >= UNIT_SIZE || off % GRANULE != 0)
		return NULL;
	struct chunk *c = &sys.chunks[slot];
	if (!c->used || c->sizes[off / GRANULE] == 0)
		return NULL;
	*granule = (unsigned)(off / GRANULE);
	return c;
}

int arena_free(uint64_t ptr, const char **why)
{
	unsigned g;
	struct chunk *c = lookup(ptr, &g);
	if (!c)
		return fail(why, "not a live percpu pointer", A_EINVAL);
	unsigned n = (c->sizes[g] + GRANULE - 1) / GRANULE;
	memset(c->map + g, 0, n);
	c->sizes[g] = 0;
	c->live--;
	return A_OK;
}

static int possible_cpu(long long cpu)
{
	return cpu >= 0 && cpu < sys.nr_cpus && sys.unit_of[cpu] >= 0;
}

int arena_ptr(uint64_t ptr, long long cpu, uint64_t *addr, const char **why)
{
	unsigned g;
	struct chunk *c = lookup(ptr, &g);
	if (!c)
		return fail(why, "not a live percpu pointer", A_EINVAL);
	if (!possible_cpu(cpu))
		return fail(why, "cpu is not a possible CPU below nr_cpus", A_EINVAL);
	*addr = ptr + (uint64_t)sys.unit_of[cpu] * UNIT_SIZE;
	return A_OK;
}

/* The chunk whose units hold `addr`, and the offset into its data, or NULL. */
static struct chunk *mapped(uint64_t addr, uint64_t *offset)
{
	if (addr < SLOT_BASE)
		return NULL;
	uint64_t slot = (addr - SLOT_BASE) / SLOT_STRIDE;
	uint64_t off = (addr - SLOT_BASE) % SLOT_STRIDE;
	if (slot >= MAX_CHUNKS || !sys.chunks[slot].used)
		return NULL;
	if (off >= (uint64_t)sys.nr_units * UNIT_SIZE)
		return NULL;
	*offset = off;
	return &sys.chunks[slot];
}

int arena_node(uint64_t addr, int *node, const char **why)
{
	uint64_t off;
	if (!mapped(addr, &off))
		return fail(why, "the address is not mapped", A_EFAULT);
	*node = sys.node_of[sys.unit_cpu[off / UNIT_SIZE]];
	return A_OK;
}

int arena_access(uint64_t addr, long long len, uint8_t **data, const char **why)
{
	uint64_t off;
	struct chunk *c = mapped(addr, &off);
	if (len < 0)
		return fail(why, "len must not be negative", A_EINVAL);
	if (!c || off + (uint64_t)len > (uint64_t)sys.nr_units * UNIT_SIZE)
		return fail(why, "the address range is not mapped", A_EFAULT);
	if (data)
		*data = c->data + off;
	return A_OK;
}

int arena_hotplug(const char *op, long long cpu, const char **why)
{
	if (!possible_cpu(cpu))
		return fail(why, "cpu is not a possible CPU below nr_cpus", A_EINVAL);
	if (strcmp(op, "cpu_add") == 0) {
		if (sys.present[cpu])
			return fail(why, "cpu is already present", A_EINVAL);
		sys.present[cpu] = 1;
	} else if (strcmp(op, "cpu_remove") == 0) {
		if (!sys.present[cpu])
			return fail(why, "cpu is not present", A_EINVAL);
		if (sys.online[cpu])
			return fail(why, "cpu is online", A_EINVAL);
		sys.present[cpu] = 0;
	} else if (strcmp(op, "cpu_up") == 0) {
		if (!sys.present[cpu])
			return fail(why, "cpu is not present", A_EINVAL);
		if (sys.online[cpu])
			return fail(why, "cpu is already online", A_EINVAL);
		sys.online[cpu] = 1;
		sys.nr_online++;
	} else {
		if (!sys.online[cpu])
			return fail(why, "cpu is not online", A_EINVAL);
		if (sys.nr_online == 1)
			return fail(why, "the last online CPU may not go offline", A_EINVAL);
		sys.online[cpu] = 0;
		sys.nr_online--;
	}
	/* Every possible CPU has its unit from the start: hotplug moves and allocates nothing. */
	return A_OK;
}

int arena_fail_page_alloc(long long after, long long count, const char **why)
{
	if (after < 0 || count < 0)
		return fail(why, "after and count must not be negative", A_EINVAL);
	sys.fail_after = after;
	sys.fail_count = count;
	return A_OK;
}

void arena_reclaim(void)
{
	for (int i = 0; i < MAX_CHUNKS; i++)
		if (sys.chunks[i].used && sys.chunks[i].live == 0)
			release_chunk(&sys.chunks[i]);
}

int arena_stats(struct arena_stats *out, const char **why)
{
	(void)why;
	out->pages_by_node = sys.pages_by_node;
	out->nr_nodes = sys.nr_nodes;
	out->unit_bytes = (long long)sys.nr_chunks * UNIT_SIZE;
	out->meta_bytes = (long long)sys.nr_chunks * (NR_GRANULES * (1 + sizeof(uint32_t)));
	out->vm_bytes = sys.vm_bytes;
	return A_OK;
}
