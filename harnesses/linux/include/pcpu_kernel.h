/*
 * The kernel environment the tree's mm/percpu.c is compiled in, written for this harness:
 * every header the allocator includes that the tree's tools/include does not serve is a stub
 * that includes this file. It declares the services of the harness's machine (machine.h:
 * pages per node, the vmalloc area, a page table and a TLB) under the kernel's names, and the
 * handful of kernel idioms the allocator uses (CPU masks, work items, mutexes, warnings).
 * No line comes from a kernel tree.
 */
#ifndef PCPU_KERNEL_H
#define PCPU_KERNEL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/gfp.h>
#include <linux/pfn.h>
#include <linux/err.h>
#include <linux/kconfig.h>
#include <linux/slab.h>
#include <linux/overflow.h>

/*
 * Runs of set and clear bits, [b, e): the iterators the allocator walks its bitmaps with,
 * written over the tools' find_next_bit and find_next_zero_bit.
 */
#ifndef for_each_set_bitrange
#define for_each_set_bitrange_from(b, e, addr, size)                              \
	for ((b) = find_next_bit((addr), (size), (b)),                             \
	    (e) = find_next_zero_bit((addr), (size), (b) + 1);                     \
	     (b) < (size);                                                         \
	     (b) = find_next_bit((addr), (size), (e) + 1),                         \
	    (e) = find_next_zero_bit((addr), (size), (b) + 1))
#define for_each_set_bitrange(b, e, addr, size)                                   \
	for ((b) = find_next_bit((addr), (size), 0),                               \
	    (e) = find_next_zero_bit((addr), (size), (b) + 1);                     \
	     (b) < (size);                                                         \
	     (b) = find_next_bit((addr), (size), (e) + 1),                         \
	    (e) = find_next_zero_bit((addr), (size), (b) + 1))
/*
 * Bitmap helpers under the harness's own names, mapped over the kernel's: the tools/include of
 * one tree has some of them and not others, and these are what the allocator calls.
 */
/* The harness's count of the kernel's bitmap work (workcount.c). */
void pcpu_harness_count_range(unsigned long start, unsigned long len);
void pcpu_harness_count_last(unsigned long size, unsigned long found);
static inline void pcpu_bitmap_set(unsigned long *map, unsigned int start, unsigned int len)
{
	pcpu_harness_count_range(start, len);
	for (unsigned int i = start; i < start + len; i++)
		map[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
}
static inline void pcpu_bitmap_clear(unsigned long *map, unsigned int start, unsigned int len)
{
	pcpu_harness_count_range(start, len);
	for (unsigned int i = start; i < start + len; i++)
		map[i / BITS_PER_LONG] &= ~(1UL << (i % BITS_PER_LONG));
}
static inline void pcpu_bitmap_copy(unsigned long *dst, const unsigned long *src,
				    unsigned int nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}
static inline unsigned long pcpu_find_last_bit(const unsigned long *addr, unsigned long size)
{
	for (unsigned long i = size; i-- > 0;)
		if (addr[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG))) {
			pcpu_harness_count_last(size, i);
			return i;
		}
	pcpu_harness_count_last(size, size);
	return size;
}
static inline unsigned long pcpu_gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;
		a = b;
		b = t;
	}
	return a;
}
static inline unsigned long pcpu_lcm(unsigned long a, unsigned long b)
{
	return a && b ? a / pcpu_gcd(a, b) * b : 0;
}
#undef bitmap_set
#undef bitmap_clear
#undef bitmap_copy
#undef find_last_bit
#define bitmap_set pcpu_bitmap_set
#define bitmap_clear pcpu_bitmap_clear
#define bitmap_copy pcpu_bitmap_copy
#define find_last_bit pcpu_find_last_bit
#define lcm pcpu_lcm
#ifndef __ALIGN_MASK
#define __ALIGN_MASK(x, mask) (((x) + (mask)) & ~(mask))
#endif
#define for_each_clear_bitrange_from(b, e, addr, size)                            \
	for ((b) = find_next_zero_bit((addr), (size), (b)),                        \
	    (e) = find_next_bit((addr), (size), (b) + 1);                          \
	     (b) < (size);                                                         \
	     (b) = find_next_zero_bit((addr), (size), (e) + 1),                    \
	    (e) = find_next_bit((addr), (size), (b) + 1))
#define for_each_clear_bitrange(b, e, addr, size)                                 \
	for ((b) = find_next_zero_bit((addr), (size), 0),                          \
	    (e) = find_next_bit((addr), (size), (b) + 1);                          \
	     (b) < (size);                                                         \
	     (b) = find_next_zero_bit((addr), (size), (e) + 1),                    \
	    (e) = find_next_bit((addr), (size), (b) + 1))
#endif

/*
 * min_t and max_t cast each whole argument, as the kernel's do (a tools/include that casts
 * only the first term of `a + b` would compare in another type).
 */
#undef min_t
#undef max_t
#define min_t(type, x, y) ({ type __x = (x); type __y = (y); __x < __y ? __x : __y; })
#define max_t(type, x, y) ({ type __x = (x); type __y = (y); __x > __y ? __x : __y; })

/* ---- compiler and section annotations ---- */
#define __ro_after_init
#define __initdata
#define __initconst
#define __init
#define __flatten
#define ____cacheline_aligned_in_smp __attribute__((aligned(64)))
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif
#define __percpu
#define __alloc_size(...)
#define __must_check
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define subsys_initcall(fn)
/* Boot parameters are not parsed: the harness's boot request says what the kernel runs. */
#ifndef early_param
#define early_param(str, fn) static int (*const pcpu_early_##fn)(char *) __attribute__((unused)) = (fn)
#endif
#ifndef __exit
#define __exit
#endif
#ifndef __meminit
#define __meminit
#endif
#define SMP_CACHE_BYTES 64
#define DEFINE_FREE(...)
#define alloc_hooks(x) (x)

/* ---- messages, warnings, bugs ---- */
void pcpu_harness_printk(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pcpu_harness_warn(const char *file, int line, const char *what);
void pcpu_harness_bug(const char *file, int line, const char *what) __attribute__((noreturn));

#undef pr_info
#undef pr_warn
#undef pr_err
#undef pr_debug
#undef pr_cont
#undef pr_emerg
#define pr_emerg(...) pcpu_harness_printk("emerg", __VA_ARGS__)
#define pr_err(...) pcpu_harness_printk("err", __VA_ARGS__)
#define pr_warn(...) pcpu_harness_printk("warn", __VA_ARGS__)
#define pr_info(...) pcpu_harness_printk("info", __VA_ARGS__)
#define pr_cont(...) pcpu_harness_printk("cont", __VA_ARGS__)
#define pr_debug(...) do { } while (0)
#define printk(...) pcpu_harness_printk("", __VA_ARGS__)
#define KERN_EMERG ""
#define KERN_ERR ""
#define KERN_WARNING ""
#define KERN_INFO ""
#define KERN_DEBUG ""
#define KERN_CONT ""
#define pr_warn_once pr_warn
#define dump_stack() do { } while (0)

#undef BUG
#undef BUG_ON
#undef WARN_ON
#undef WARN_ON_ONCE
#undef WARN
#define BUG() pcpu_harness_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond) do { if (unlikely(cond)) pcpu_harness_bug(__FILE__, __LINE__, #cond); } while (0)
#define WARN_ON(cond) ({ int __w = !!(cond); if (unlikely(__w)) pcpu_harness_warn(__FILE__, __LINE__, #cond); unlikely(__w); })
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define WARN(cond, ...) ({ int __w = !!(cond); if (unlikely(__w)) { pcpu_harness_printk("warn", __VA_ARGS__); pcpu_harness_warn(__FILE__, __LINE__, #cond); } unlikely(__w); })
#define WARN_ONCE WARN
#define panic(...) pcpu_harness_bug(__FILE__, __LINE__, "panic")

/* ---- CPUs and nodes ---- */
struct cpumask {
	DECLARE_BITMAP(bits, NR_CPUS);
};
typedef struct cpumask cpumask_t;
extern struct cpumask pcpu_harness_possible, pcpu_harness_present, pcpu_harness_online;
extern unsigned int nr_cpu_ids;
#define cpu_possible_mask ((const struct cpumask *)&pcpu_harness_possible)
#define cpu_present_mask ((const struct cpumask *)&pcpu_harness_present)
#define cpu_online_mask ((const struct cpumask *)&pcpu_harness_online)
#define cpumask_bits(m) ((m)->bits)
#define cpumask_first(m) ((unsigned int)find_first_bit(cpumask_bits(m), nr_cpu_ids))
#define cpumask_next(n, m) ((unsigned int)find_next_bit(cpumask_bits(m), nr_cpu_ids, (n) + 1))
#define cpumask_empty(m) (cpumask_first(m) >= nr_cpu_ids)
#define cpumask_clear(m) bitmap_zero(cpumask_bits(m), NR_CPUS)
#define cpumask_copy(d, s) bitmap_copy(cpumask_bits(d), cpumask_bits(s), NR_CPUS)
#define cpumask_set_cpu(c, m) __set_bit((c), cpumask_bits(m))
#define cpumask_clear_cpu(c, m) __clear_bit((c), cpumask_bits(m))
#define cpumask_test_cpu(c, m) test_bit((c), cpumask_bits(m))
#define cpumask_weight(m) ((unsigned int)bitmap_weight(cpumask_bits(m), nr_cpu_ids))
#define for_each_cpu(cpu, m) \
	for ((cpu) = cpumask_first(m); (cpu) < nr_cpu_ids; (cpu) = cpumask_next((cpu), (m)))
#define for_each_possible_cpu(cpu) for_each_cpu((cpu), cpu_possible_mask)
#define for_each_online_cpu(cpu) for_each_cpu((cpu), cpu_online_mask)
#define num_possible_cpus() cpumask_weight(cpu_possible_mask)
#define num_online_cpus() cpumask_weight(cpu_online_mask)
#define cpu_possible(c) cpumask_test_cpu((c), cpu_possible_mask)
#define cpumask_pr_args(m) nr_cpu_ids, cpumask_bits(m)
/* The CPU the allocator runs on: the boot CPU, online by construction. */
#define raw_smp_processor_id() cpumask_first(cpu_online_mask)
#define get_boot_cpu_id() cpumask_first(cpu_possible_mask)
/* Newer tools/include alias these to test_and_* helpers it does not define; older ones define them. */
#ifdef set_bit
#undef set_bit
#undef clear_bit
static inline void set_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}
static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}
#endif
#define smp_processor_id() raw_smp_processor_id()

#define NUMA_NO_NODE (-1)
#define LOCAL_DISTANCE 10
#define REMOTE_DISTANCE 20
int cpu_to_node(int cpu);
#define early_cpu_to_node(cpu) cpu_to_node(cpu)
int pcpu_harness_node_online(int node);
#define node_online(n) pcpu_harness_node_online(n)
/* Only tested for being there: every online node has its data. */
#define NODE_DATA(n) ((void *)(unsigned long)pcpu_harness_node_online(n))

/* ---- per-CPU offsets (the arch's part, set by the harness after the first chunk) ---- */
extern unsigned long __per_cpu_offset[NR_CPUS];
#define per_cpu_offset(x) (__per_cpu_offset[x])
#define per_cpu_ptr(ptr, cpu) ((typeof(ptr))((unsigned long)(ptr) + per_cpu_offset(cpu)))
/*
 * The static per-CPU section: a zero-based section as on x86_64 (__per_cpu_start at 0), its
 * size chosen at boot, its initial image (__per_cpu_load) harness memory.
 */
extern char *pcpu_harness_section_start, *pcpu_harness_section_end, *pcpu_harness_section_load;
#define __per_cpu_start pcpu_harness_section_start
#define __per_cpu_end pcpu_harness_section_end
#define __per_cpu_load pcpu_harness_section_load

/* ---- pages ---- */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) ALIGN((x), PAGE_SIZE)
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define PMD_SIZE (1UL << 21)

/* struct page is the machine's (machine.h). */
#include <machine.h>
typedef struct { unsigned long pgprot; } pgprot_t;
#define PAGE_KERNEL ((pgprot_t){ 0 })

struct page *alloc_pages_node(int nid, gfp_t gfp, unsigned int order);
void __free_page(struct page *page);
void *page_address(const struct page *page);
phys_addr_t page_to_phys(const struct page *page);
struct page *virt_to_page(const void *addr);
struct page *vmalloc_to_page(const void *addr);
bool is_vmalloc_addr(const void *addr);
#undef __pa
#define __pa(x) pcpu_harness_pa((const void *)(x))
unsigned long pcpu_harness_pa(const void *addr);
#define MAX_DMA_ADDRESS 0UL
#ifndef PFN_ALIGN
#define PFN_ALIGN(x) (((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
#endif

/* ---- boot memory ---- */
#define MEMBLOCK_ALLOC_ACCESSIBLE 0
void *memblock_alloc_try_nid(phys_addr_t size, phys_addr_t align, phys_addr_t min_addr,
			     phys_addr_t max_addr, int nid);
/*
 * The allocator asks memblock_alloc_try_nid() for the units of the first chunk only (in
 * pcpu_fc_alloc, on the CPU's node), and memblock_alloc() and memblock_alloc_from() for its
 * own tables (and for a unit of a CPU without a node, which no boot here has): the harness
 * counts the first as the node's pages and the second as the allocator's metadata.
 */
void *pcpu_harness_memblock_meta(phys_addr_t size, phys_addr_t align);
#define memblock_alloc_from(size, align, min) pcpu_harness_memblock_meta((size), (align))
#define memblock_alloc(size, align) memblock_alloc_from((size), (align), 0)
#define memblock_alloc_or_panic(size, align) ({ void *__m = memblock_alloc((size), (align)); if (!__m) panic("memblock"); __m; })
void memblock_free(void *ptr, size_t size);

/* ---- kmalloc and vmalloc ---- */
/* kmalloc, kzalloc and kfree as the tree's tools/include/linux/slab.h declares them. */
void *__vmalloc(unsigned long size, gfp_t gfp);
#define vzalloc(size) __vmalloc((size), GFP_KERNEL | __GFP_ZERO)
void vfree(const void *p);
void kvfree(const void *p);

struct vm_struct {
	void *addr;
	unsigned long size;
};
struct vm_struct **pcpu_get_vm_areas(const unsigned long *offsets, const size_t *sizes,
				     int nr_vms, size_t align);
void pcpu_free_vm_areas(struct vm_struct **vms, int nr_vms);
int vmap_pages_range_noflush(unsigned long addr, unsigned long end, pgprot_t prot,
			     struct page **pages, unsigned int page_shift);
void vunmap_range_noflush(unsigned long start, unsigned long end);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
#define flush_cache_vmap(start, end) do { } while (0)
#define flush_cache_vunmap(start, end) do { } while (0)
#define flush_cache_vmap_early(start, end) do { } while (0)
#define VMALLOC_TOTAL (1UL << 45)

/* ---- kmemleak, tracing, memcg: nothing to do ---- */
#define kmemleak_alloc_percpu(...) do { } while (0)
#define kmemleak_free_percpu(...) do { } while (0)
#define kmemleak_ignore_phys(...) do { } while (0)
#define kmemleak_free(...) do { } while (0)
#define trace_percpu_alloc_percpu(...) do { } while (0)
#define trace_percpu_alloc_percpu_fail(...) do { } while (0)
#define trace_percpu_free_percpu(...) do { } while (0)
#define trace_percpu_create_chunk(...) do { } while (0)
#define trace_percpu_destroy_chunk(...) do { } while (0)
struct obj_cgroup;
#define memcg_kmem_online() false
#define mem_cgroup_kmem_disabled() true

/* ---- scheduling, locks, work ---- */
/*
 * The kernel's scheduling points, owned by the harness's threads (threads.c): a lock is taken
 * and dropped by name, from the kernel function that called the shim (__func__ at the call
 * site). Outside a thread (a plain request) they only record the holder; inside one, the
 * thread yields just before it takes a lock and just after it drops one.
 */
#include "threads_kapi.h"
struct mutex {
	const char *name;
};
#define DEFINE_MUTEX(m) struct mutex m = { #m }
#define mutex_lock(m) pcpu_harness_lock((m)->name, __func__)
#define mutex_lock_killable(m) (pcpu_harness_lock((m)->name, __func__), 0)
#define mutex_unlock(m) pcpu_harness_unlock((m)->name, __func__)
#define lockdep_assert_held(l) do { } while (0)
#define might_sleep() do { } while (0)
#define might_sleep_if(c) do { } while (0)
#define cond_resched() pcpu_harness_note(PCPU_NOTE_RESCHED, 0, __func__)
#undef current_gfp_context
#define current_gfp_context(gfp) (gfp)
#define memalloc_noio_save() 0u
#define memalloc_noio_restore(flags) ((void)(flags))
#define memalloc_nofs_save() 0u
#define memalloc_nofs_restore(flags) ((void)(flags))

/*
 * A work item is only marked pending: the harness runs the balance worker when the protocol
 * says `reclaim`, as a workqueue would at some later time.
 */
struct work_struct {
	void (*func)(struct work_struct *work);
	int pending;
};
#define DECLARE_WORK(n, f) struct work_struct n = { .func = (f), .pending = 0 }
#define schedule_work(w)                                                             \
	(pcpu_harness_note(PCPU_NOTE_WORK, (w)->pending, __func__),                    \
	 (w)->pending ? false : ((w)->pending = 1, true))
#define work_pending(w) ((w)->pending)

#endif
