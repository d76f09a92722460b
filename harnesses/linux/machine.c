/*
 * The machine of machine.h. Physical memory is one memfd: per node a boot zone (memblock) and
 * a dynamic zone (the page allocator, LIFO so that a freed page is the next one handed out),
 * mapped once at LINEAR_BASE as the kernel's direct map. The vmalloc area is an address range
 * reserved at VMALLOC_BASE; mapping a page there maps the memfd page at that address, so the
 * kernel's own accesses reach it, and records it in the harness's page table, which the
 * protocol's accesses walk through the TLB.
 */
#define _GNU_SOURCE
#include "machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LINEAR_BASE 0x100000000000UL /* 16 TiB */
#define VMALLOC_BASE 0x200000000000UL /* 32 TiB */
#define VMALLOC_SPAN (1UL << 40) /* 1 TiB */
#define VM_PAGES (VMALLOC_SPAN >> MACHINE_PAGE_SHIFT)
#define DEFAULT_DYN_PAGES (1L << 16) /* 256 MiB per node */
#define ZONE_ALIGN_PAGES 512 /* 2 MiB */

struct zone {
	unsigned long boot_start, boot_end, boot_next; /* pfns */
	unsigned long dyn_start, dyn_end, dyn_next;
	long limit, dyn_used, held;
	struct page *free;
};

struct extent {
	uintptr_t start, end;
	struct extent *next;
};

static struct {
	int fd;
	int nr_nodes;
	unsigned long nr_pfns;
	struct page *pages;
	struct zone zones[MACHINE_MAX_NODES];
	uint32_t *pt;  /* vmalloc page -> pfn + 1 */
	uint32_t *tlb; /* cached translations, same form */
	uint8_t *pte_page; /* per 2 MiB of the vmalloc area: its page-table page exists */
	struct extent *vm_free;
	long vm_limit, vm_bytes;
	long meta_bytes;
	long skip, fail; /* fail_page_alloc */
	long page_allocs;
} m;

static unsigned long round_up_ul(unsigned long x, unsigned long a)
{
	return (x + a - 1) / a * a;
}

/* The page of a pfn, its pfn and node filled in on first use (no pass over all of memory). */
static struct page *pfn_page(unsigned long pfn)
{
	struct page *page = &m.pages[pfn];

	if (page->pfn != pfn || pfn == 0) {
		page->pfn = pfn;
		for (int n = 0; n < m.nr_nodes; n++)
			if ((pfn >= m.zones[n].boot_start && pfn < m.zones[n].boot_end) ||
			    (pfn >= m.zones[n].dyn_start && pfn < m.zones[n].dyn_end))
				page->node = n;
	}
	return page;
}

int machine_init(const char **why)
{
	(void)why;
	return 0;
}

int machine_boot(const struct machine_config *cfg, const char **why)
{
	unsigned long boot = round_up_ul((unsigned long)cfg->boot_pages_per_node, ZONE_ALIGN_PAGES);
	unsigned long dyn = cfg->pages_per_node > 0 ? (unsigned long)cfg->pages_per_node
						   : (unsigned long)DEFAULT_DYN_PAGES;
	unsigned long pfn = 0;
	void *p;

	if (cfg->nr_nodes < 1 || cfg->nr_nodes > MACHINE_MAX_NODES) {
		*why = "nr_nodes must be 1..64";
		return -EINVAL;
	}
	dyn = round_up_ul(dyn, ZONE_ALIGN_PAGES);
	m.nr_nodes = cfg->nr_nodes;
	m.nr_pfns = (unsigned long)cfg->nr_nodes * (boot + dyn);
	/*
	 * Boot zones first, side by side, so that the first chunk's groups lie close together;
	 * in node order, or against it (then a lower node's group lies above a higher node's, and
	 * the first chunk's lowest unit is not the first that pcpu_setup_first_chunk iterates).
	 */
	for (int i = 0; i < m.nr_nodes; i++) {
		struct zone *z = &m.zones[cfg->node_order_reverse ? m.nr_nodes - 1 - i : i];
		z->boot_start = z->boot_next = pfn;
		pfn += boot;
		z->boot_end = pfn;
	}
	for (int n = 0; n < m.nr_nodes; n++) {
		struct zone *z = &m.zones[n];
		z->dyn_start = z->dyn_next = pfn;
		pfn += dyn;
		z->dyn_end = pfn;
		z->limit = cfg->pages_per_node > 0 ? cfg->pages_per_node : -1;
	}
	m.fd = memfd_create("pcpu-linux-memory", 0);
	if (m.fd < 0 || ftruncate(m.fd, (off_t)(m.nr_pfns << MACHINE_PAGE_SHIFT)) < 0) {
		*why = "memfd_create or ftruncate failed";
		return -ENOMEM;
	}
	p = mmap((void *)LINEAR_BASE, m.nr_pfns << MACHINE_PAGE_SHIFT, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_NORESERVE, m.fd, 0);
	if (p != (void *)LINEAR_BASE) {
		*why = "mapping the linear map failed";
		return -ENOMEM;
	}
	p = mmap((void *)VMALLOC_BASE, VMALLOC_SPAN, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
	if (p != (void *)VMALLOC_BASE) {
		*why = "reserving the vmalloc area failed";
		return -ENOMEM;
	}
	m.pt = mmap(NULL, VM_PAGES * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	m.tlb = mmap(NULL, VM_PAGES * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	m.pte_page = calloc(VMALLOC_SPAN >> 21, 1);
	m.pages = calloc(m.nr_pfns, sizeof(struct page));
	m.vm_free = malloc(sizeof(*m.vm_free));
	if (m.pt == MAP_FAILED || m.tlb == MAP_FAILED || !m.pte_page || !m.pages || !m.vm_free) {
		*why = "allocating the page table failed";
		return -ENOMEM;
	}
	m.vm_free->start = VMALLOC_BASE;
	m.vm_free->end = VMALLOC_BASE + VMALLOC_SPAN;
	m.vm_free->next = NULL;
	m.vm_limit = cfg->vmalloc_bytes > 0 ? cfg->vmalloc_bytes : -1;
	return 0;
}

/* One allocation the kernel makes: 0 if fail_page_alloc says this one fails. */
static int allocation_allowed(void)
{
	if (m.skip == 0 && m.fail > 0) {
		m.fail--;
		return 0;
	}
	return 1;
}

static void allocation_done(void)
{
	m.page_allocs++;
	if (m.skip > 0)
		m.skip--;
}

void machine_fail_after(long after, long count)
{
	m.skip = after;
	m.fail = count;
}

struct page *machine_alloc_page(int node)
{
	struct zone *z;
	struct page *page;

	if (node < 0 || node >= m.nr_nodes)
		node = 0;
	z = &m.zones[node];
	if (!allocation_allowed())
		return NULL;
	if (z->limit >= 0 && z->dyn_used >= z->limit)
		return NULL;
	if (z->free) {
		page = z->free;
		z->free = page->next_free;
	} else if (z->dyn_next < z->dyn_end) {
		page = pfn_page(z->dyn_next++);
	} else {
		return NULL;
	}
	page->in_use = 1;
	page->next_free = NULL;
	page->index = 0;
	z->dyn_used++;
	z->held++;
	allocation_done();
	return page;
}

void machine_free_page(struct page *page)
{
	struct zone *z = &m.zones[page->node];

	if (!page->in_use) {
		fprintf(stderr, "pcpu-linux: __free_page of a free page (pfn %lu)\n", page->pfn);
		abort();
	}
	/*
	 * Poisoned as CONFIG_PAGE_POISONING does (PAGE_POISON 0xaa), so that a stale translation
	 * to a freed page reads something no allocation wrote.
	 */
	memset(machine_page_address(page), 0xaa, MACHINE_PAGE_SIZE);
	page->in_use = 0;
	page->next_free = z->free;
	z->free = page;
	z->dyn_used--;
	z->held--;
}

struct meta {
	size_t size;
	size_t pad;
};

void *machine_kmalloc(size_t size, int zero)
{
	struct meta *h;

	if (!allocation_allowed())
		return NULL;
	h = zero ? calloc(1, sizeof(*h) + size) : malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	m.meta_bytes += (long)size;
	allocation_done();
	return h + 1;
}

int machine_meta_charge(long bytes, int may_fail)
{
	if (may_fail && !allocation_allowed())
		return 0;
	m.meta_bytes += bytes;
	if (may_fail)
		allocation_done();
	return 1;
}

void machine_meta_uncharge(long bytes)
{
	m.meta_bytes -= bytes;
}

void machine_kfree(const void *p)
{
	struct meta *h;

	if (!p)
		return;
	h = (struct meta *)p - 1;
	m.meta_bytes -= (long)h->size;
	free(h);
}

void *machine_page_address(const struct page *page)
{
	return (void *)(LINEAR_BASE + (page->pfn << MACHINE_PAGE_SHIFT));
}

struct page *machine_linear_page(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	if (a < LINEAR_BASE || a >= LINEAR_BASE + (m.nr_pfns << MACHINE_PAGE_SHIFT))
		return NULL;
	return pfn_page((a - LINEAR_BASE) >> MACHINE_PAGE_SHIFT);
}

int machine_is_vmalloc(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	return a >= VMALLOC_BASE && a < VMALLOC_BASE + VMALLOC_SPAN;
}

unsigned long machine_pa(const void *addr)
{
	return (uintptr_t)addr >= LINEAR_BASE ? (uintptr_t)addr - LINEAR_BASE : (uintptr_t)addr;
}

void *machine_memblock_alloc(size_t size, size_t align, int nid, int meta)
{
	struct zone *z = &m.zones[nid >= 0 && nid < m.nr_nodes ? nid : 0];
	unsigned long align_pages = align > MACHINE_PAGE_SIZE ? align >> MACHINE_PAGE_SHIFT : 1;
	unsigned long start = round_up_ul(z->boot_next, align_pages);
	unsigned long nr = (size + MACHINE_PAGE_SIZE - 1) >> MACHINE_PAGE_SHIFT;

	/*
	 * The allocator's own tables are each followed by a page that is never mapped, as a guard
	 * page: the kernel's read past the end of one (an index of NR_CPUS into an nr_cpu_ids
	 * array) is an oops, not a value of whatever memblock placed next.
	 */
	if (start + nr + (meta ? 1 : 0) > z->boot_end)
		return NULL;
	z->boot_next = start + nr;
	if (meta) {
		mprotect((void *)(LINEAR_BASE + ((start + nr) << MACHINE_PAGE_SHIFT)),
			 MACHINE_PAGE_SIZE, PROT_NONE);
		z->boot_next++;
	}
	for (unsigned long i = start; i < start + nr; i++) {
		pfn_page(i)->in_use = 1;
		m.pages[i].meta = meta;
	}
	if (meta)
		m.meta_bytes += (long)(nr << MACHINE_PAGE_SHIFT);
	else
		z->held += (long)nr;
	/* memblock memory comes zeroed: the memfd's pages are zero until written. */
	return (void *)(LINEAR_BASE + (start << MACHINE_PAGE_SHIFT));
}

void machine_memblock_free(void *ptr, size_t size)
{
	/* Only whole pages return; a partial page stays with what shares it. */
	uintptr_t a = (uintptr_t)ptr, end = a + size;
	uintptr_t first = (a + MACHINE_PAGE_SIZE - 1) & ~(MACHINE_PAGE_SIZE - 1);

	for (uintptr_t p = first; p + MACHINE_PAGE_SIZE <= end; p += MACHINE_PAGE_SIZE) {
		struct page *page = machine_linear_page((void *)p);
		if (page && page->in_use) {
			page->in_use = 0;
			if (page->meta)
				m.meta_bytes -= (long)MACHINE_PAGE_SIZE;
			else
				m.zones[page->node].held--;
			page->meta = 0;
			/* Returned boot memory reads as zero if it is ever handed out again. */
			memset((void *)p, 0, MACHINE_PAGE_SIZE);
		}
	}
}

int machine_vm_reserve(const unsigned long *offsets, const size_t *sizes, int nr, size_t align,
		       uintptr_t *base)
{
	unsigned long lo = (unsigned long)-1, hi = 0;
	long total = 0;
	struct extent **pp, *e;

	for (int i = 0; i < nr; i++) {
		if (offsets[i] < lo)
			lo = offsets[i];
		if (offsets[i] + sizes[i] > hi)
			hi = offsets[i] + sizes[i];
		total += (long)sizes[i];
	}
	if (m.vm_limit >= 0 && m.vm_bytes + total > m.vm_limit)
		return -ENOMEM;
	if (align < MACHINE_PAGE_SIZE)
		align = MACHINE_PAGE_SIZE;
	/* First fit over the free extents: the span [base + lo, base + hi) with base aligned. */
	for (pp = &m.vm_free; (e = *pp); pp = &e->next) {
		uintptr_t b = round_up_ul(e->start - lo, align);
		while (b + lo < e->start)
			b += align;
		if (b + hi > e->end)
			continue;
		/* Split the extent around the span. */
		uintptr_t s = b + lo, t = b + hi;
		if (t < e->end) {
			struct extent *after = malloc(sizeof(*after));
			if (!after)
				return -ENOMEM;
			after->start = t;
			after->end = e->end;
			after->next = e->next;
			e->next = after;
		}
		if (s > e->start) {
			e->end = s;
		} else {
			*pp = e->next;
			free(e);
		}
		m.vm_bytes += total;
		*base = b;
		return 0;
	}
	return -ENOMEM;
}

void machine_vm_release(uintptr_t addr, size_t size)
{
	struct extent **pp = &m.vm_free, *e, *n;

	/* The vmalloc core flushes a freed area before it hands the range out again. */
	machine_unmap(addr, addr + size);
	machine_tlb_flush(addr, addr + size);
	m.vm_bytes -= (long)size;
	while (*pp && (*pp)->end < addr)
		pp = &(*pp)->next;
	n = malloc(sizeof(*n));
	if (!n)
		abort();
	n->start = addr;
	n->end = addr + size;
	n->next = *pp;
	*pp = n;
	/* Merge with the neighbours. */
	for (e = m.vm_free; e && e->next;) {
		if (e->end == e->next->start) {
			struct extent *d = e->next;
			e->end = d->end;
			e->next = d->next;
			free(d);
		} else {
			e = e->next;
		}
	}
}

/*
 * Mapping may need a page-table page, once per 2 MiB, which is an allocation fail_page_alloc
 * counts (kept, as the kernel keeps its vmalloc page tables, and not reported as held). A
 * failure leaves the pages before it mapped, as vmap_pages_range_noflush() does.
 */
int machine_map(uintptr_t addr, struct page **pages, long nr)
{
	for (long i = 0; i < nr; i++) {
		uintptr_t a = addr + ((uintptr_t)i << MACHINE_PAGE_SHIFT);
		size_t region = (a - VMALLOC_BASE) >> 21;
		if (!m.pte_page[region]) {
			if (!allocation_allowed())
				return -ENOMEM;
			m.pte_page[region] = 1;
			allocation_done();
		}
		if (m.pt[(a - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT]) {
			/* vmap_pte_range() warns and refuses to map over a present pte. */
			fprintf(stderr, "pcpu-linux: kernel WARNING: mapping over a present pte at 0x%lx\n",
				(unsigned long)a);
			return -EBUSY;
		}
		void *p = mmap((void *)a, MACHINE_PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, m.fd,
			       (off_t)(pages[i]->pfn << MACHINE_PAGE_SHIFT));
		if (p != (void *)a)
			return -ENOMEM;
		m.pt[(a - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT] = (uint32_t)(pages[i]->pfn + 1);
	}
	return 0;
}

void machine_unmap(uintptr_t start, uintptr_t end)
{
	if (end <= start)
		return;
	mmap((void *)start, end - start, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	for (uintptr_t a = start; a < end; a += MACHINE_PAGE_SIZE)
		m.pt[(a - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT] = 0;
}

struct page *machine_pte(uintptr_t addr)
{
	uint32_t e;

	if (!machine_is_vmalloc((void *)addr))
		return NULL;
	e = m.pt[(addr - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT];
	return e ? &m.pages[e - 1] : NULL;
}

void machine_tlb_flush(uintptr_t start, uintptr_t end)
{
	if (start < VMALLOC_BASE)
		start = VMALLOC_BASE;
	if (end > VMALLOC_BASE + VMALLOC_SPAN)
		end = VMALLOC_BASE + VMALLOC_SPAN;
	for (uintptr_t a = start & ~(MACHINE_PAGE_SIZE - 1); a < end; a += MACHINE_PAGE_SIZE)
		m.tlb[(a - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT] = 0;
}

uint8_t *machine_translate(uintptr_t addr, int *node)
{
	struct page *page;
	uintptr_t off = addr & (MACHINE_PAGE_SIZE - 1);

	if (machine_is_vmalloc((void *)addr)) {
		size_t vpn = (addr - VMALLOC_BASE) >> MACHINE_PAGE_SHIFT;
		uint32_t e = m.tlb[vpn];
		if (!e) {
			e = m.pt[vpn];
			if (!e)
				return NULL;
			m.tlb[vpn] = e;
		}
		page = &m.pages[e - 1];
	} else {
		page = machine_linear_page((void *)addr);
		if (!page || !page->in_use)
			return NULL;
	}
	if (node)
		*node = page->node;
	return (uint8_t *)machine_page_address(page) + off;
}

int machine_percpu_addr(uintptr_t addr)
{
	struct page *page;

	if (machine_is_vmalloc((void *)addr))
		return machine_pte(addr) != NULL;
	page = machine_linear_page((void *)addr);
	if (!page || !page->in_use || page->meta)
		return 0;
	for (int n = 0; n < m.nr_nodes; n++)
		if (page->pfn >= m.zones[n].boot_start && page->pfn < m.zones[n].boot_end)
			return 1;
	return 0;
}

int machine_phys_node(unsigned long long phys)
{
	unsigned long long pfn = phys >> MACHINE_PAGE_SHIFT;

	return pfn < m.nr_pfns ? pfn_page((unsigned long)pfn)->node : -1;
}

void machine_stats(struct machine_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->nr_nodes = m.nr_nodes;
	for (int n = 0; n < m.nr_nodes; n++)
		s->pages_by_node[n] = m.zones[n].held;
	s->meta_bytes = m.meta_bytes;
	s->vm_bytes = m.vm_bytes;
	s->page_allocs = m.page_allocs;
}
