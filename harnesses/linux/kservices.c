/*
 * The kernel services the allocator calls (pages, vmalloc areas and their mappings, memblock,
 * kmalloc, TLB flushes, messages), under the kernel's names, over the harness's machine.
 * Compiled in the same environment as the tree's mm/percpu.c (pcpu_kernel.h), but written
 * for this harness.
 */
#include <pcpu_kernel.h>
#include <linux/slab.h>

#include "guard.h"

extern int pcpu_harness_illegal;
static int verbose = -1;

static int is_verbose(void)
{
	if (verbose < 0)
		verbose = getenv("PCPU_LINUX_VERBOSE") != NULL;
	return verbose;
}

void pcpu_harness_printk(const char *level, const char *fmt, ...)
{
	va_list ap;

	/* The kernel's own refusal of a size or an alignment: the harness answers EINVAL. */
	if (strstr(fmt, "illegal size"))
		pcpu_harness_illegal = 1;
	if (!is_verbose() && strcmp(level, "warn") != 0 && strcmp(level, "err") != 0 &&
	    strcmp(level, "emerg") != 0)
		return;
	if (!is_verbose() && (strstr(fmt, "illegal size") || strstr(fmt, "allocation failed")))
		return;
	fprintf(stderr, "pcpu-linux: kernel %s: ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int pcpu_harness_warnings;

void pcpu_harness_warn(const char *file, int line, const char *what)
{
	pcpu_harness_warnings++;
	if (pcpu_harness_illegal && !is_verbose())
		return;
	fprintf(stderr, "pcpu-linux: kernel WARNING at %s:%d: %s\n", file, line, what);
}

/* oops.h: the BUG text for the EOOPS answer (declared here: oops.h is of the protocol side). */
void oops_note_bug(const char *file, int line, const char *what);

void pcpu_harness_bug(const char *file, int line, const char *what)
{
	oops_note_bug(file, line, what);
	fprintf(stderr, "pcpu-linux: kernel BUG at %s:%d: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

bool slab_is_available(void)
{
	return true;
}

/*
 * With --guard-pages every object of the allocator's own (kmalloc, vmalloc, its memblock
 * tables) ends before an inaccessible page (guard.h), counted as it would be otherwise, so an
 * access past its end faults in the kernel's code: an oops the harness answers EOOPS.
 */
static void *meta_alloc(size_t size, gfp_t gfp)
{
	if (!guard_pages)
		return machine_kmalloc(size, !!(gfp & __GFP_ZERO));
	if (!machine_meta_charge((long)size, 1))
		return NULL;
	return guard_alloc(size);
}

static void meta_free(const void *p)
{
	if (p && guard_owns(p)) {
		machine_meta_uncharge((long)guard_size(p));
		guard_free(p);
		return;
	}
	machine_kfree(p);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		pcpu_harness_note(PCPU_NOTE_SLEEP, 0, __func__);
	return meta_alloc(size, gfp);
}

void kfree(void *p)
{
	meta_free(p);
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	if (gfpflags_allow_blocking(gfp))
		pcpu_harness_note(PCPU_NOTE_SLEEP, 0, __func__);
	return meta_alloc(size, gfp);
}

void vfree(const void *p)
{
	meta_free(p);
}

void kvfree(const void *p)
{
	meta_free(p);
}

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (order != 0) {
		pr_err("alloc_pages_node: order %u is not served by this harness\n", order);
		return NULL;
	}
	if (gfpflags_allow_blocking(gfp))
		pcpu_harness_note(PCPU_NOTE_SLEEP, 0, __func__);
	page = machine_alloc_page(nid);
	if (page && (gfp & __GFP_ZERO))
		memset(page_address(page), 0, PAGE_SIZE);
	return page;
}

void __free_page(struct page *page)
{
	pcpu_harness_note(PCPU_NOTE_PAGE_FREE, 1, __func__);
	machine_free_page(page);
}

void *page_address(const struct page *page)
{
	return machine_page_address(page);
}

phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)page->pfn << PAGE_SHIFT;
}

struct page *virt_to_page(const void *addr)
{
	return machine_linear_page(addr);
}

struct page *vmalloc_to_page(const void *addr)
{
#ifdef CONFIG_DEBUG_VIRTUAL
	if (!machine_is_vmalloc(addr))
		pcpu_harness_bug(__FILE__, __LINE__, "VIRTUAL_BUG_ON(!is_vmalloc_or_module_addr(addr))");
#endif
	return machine_pte((uintptr_t)addr);
}

bool is_vmalloc_addr(const void *addr)
{
	return machine_is_vmalloc(addr);
}

unsigned long pcpu_harness_pa(const void *addr)
{
	return machine_pa(addr);
}

void *memblock_alloc_try_nid(phys_addr_t size, phys_addr_t align, phys_addr_t min_addr,
			     phys_addr_t max_addr, int nid)
{
	(void)min_addr;
	(void)max_addr;
	return machine_memblock_alloc(size, align, nid, 0);
}

void *pcpu_harness_memblock_meta(phys_addr_t size, phys_addr_t align)
{
	if (!guard_pages)
		return machine_memblock_alloc(size, align, 0, 1);
	/* Counted as memblock counts it (whole pages, never failed), placed as a guarded object. */
	machine_meta_charge((long)PAGE_ALIGN(size), 0);
	return guard_alloc(size);
}

void memblock_free(void *ptr, size_t size)
{
	if (ptr && guard_owns(ptr)) {
		machine_meta_uncharge((long)PAGE_ALIGN(guard_size(ptr)));
		guard_free(ptr);
		return;
	}
	machine_memblock_free(ptr, size);
}

/* One allocation for the array and one per vm_struct, as the vmalloc core makes them. */
struct vm_struct **pcpu_get_vm_areas(const unsigned long *offsets, const size_t *sizes,
				     int nr_vms, size_t align)
{
	struct vm_struct **vms = kzalloc(sizeof(vms[0]) * nr_vms, GFP_KERNEL);
	uintptr_t base;
	int i;

	if (!vms)
		return NULL;
	pcpu_harness_note(PCPU_NOTE_VM_GET, nr_vms, __func__);
	for (i = 0; i < nr_vms; i++) {
		vms[i] = kzalloc(sizeof(*vms[i]), GFP_KERNEL);
		if (!vms[i])
			goto fail;
	}
	if (machine_vm_reserve(offsets, sizes, nr_vms, align, &base))
		goto fail;
	for (i = 0; i < nr_vms; i++) {
		vms[i]->addr = (void *)(base + offsets[i]);
		vms[i]->size = sizes[i];
	}
	return vms;
fail:
	for (i = 0; i < nr_vms; i++)
		kfree(vms[i]);
	kfree(vms);
	return NULL;
}

void pcpu_free_vm_areas(struct vm_struct **vms, int nr_vms)
{
	pcpu_harness_note(PCPU_NOTE_VM_FREE, nr_vms, __func__);
	for (int i = 0; i < nr_vms; i++) {
		machine_vm_release((uintptr_t)vms[i]->addr, vms[i]->size);
		kfree(vms[i]);
	}
	kfree(vms);
}

int vmap_pages_range_noflush(unsigned long addr, unsigned long end, pgprot_t prot,
			     struct page **pages, unsigned int page_shift)
{
	(void)prot;
	(void)page_shift;
	pcpu_harness_note(PCPU_NOTE_MAP, (long)((end - addr) >> PAGE_SHIFT), __func__);
	return machine_map(addr, pages, (long)((end - addr) >> PAGE_SHIFT));
}

void vunmap_range_noflush(unsigned long start, unsigned long end)
{
	pcpu_harness_note(PCPU_NOTE_UNMAP, (long)((end - start) >> PAGE_SHIFT), __func__);
	machine_unmap(start, end);
}

void flush_tlb_kernel_range(unsigned long start, unsigned long end)
{
	pcpu_harness_note(PCPU_NOTE_FLUSH, 0, __func__);
	machine_tlb_flush(start, end);
}

/* tools/lib/bitmap.c prints with it; the bounded form of vsnprintf. */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : (size_t)n >= size ? (int)size - 1 : n;
}
