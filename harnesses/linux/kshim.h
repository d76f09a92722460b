/*
 * Forced ahead of every file of the kernel side (-include kshim.h): the configuration the
 * tree's mm/percpu.c is built in, as an x86_64 SMP NUMA kernel with modules would have it.
 * Written for this harness; no line of it comes from a kernel tree.
 */
#ifndef PCPU_KSHIM_H
#define PCPU_KSHIM_H

#define CONFIG_SMP 1
#define CONFIG_NUMA 1
#define CONFIG_MMU 1
#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_MODULES 1
#define CONFIG_NEED_PER_CPU_EMBED_FIRST_CHUNK 1
#define CONFIG_HAVE_SETUP_PER_CPU_AREA 1
#define CONFIG_PERCPU_STATS 1
#define CONFIG_PHYS_ADDR_T_64BIT 1
/*
 * As a debug kernel has it: vmalloc_to_page() of an address outside the vmalloc area is a BUG
 * (VIRTUAL_BUG_ON). Without it, 6.12's page-table walk would resolve a direct-map address to
 * its page through the leaf entry, and a misclassified first-chunk address would go unseen.
 */
#define CONFIG_DEBUG_VIRTUAL 1
/* The largest nr_cpus a boot may ask for; nr_cpu_ids is the boot's own. */
#define CONFIG_NR_CPUS 512
#define NR_CPUS CONFIG_NR_CPUS
#define MAX_NUMNODES 64

/*
 * Every use of pcpu_nr_empty_pop_pages in the tree's code goes through the harness (its
 * definition `int pcpu_nr_empty_pop_pages;` becomes a declaration of the function), so that
 * an interleaved run knows the sections that read or write it (threads.c).
 */
int *pcpu_harness_nr_empty_pop_pages(void);
#define pcpu_nr_empty_pop_pages (*pcpu_harness_nr_empty_pop_pages())

#endif
