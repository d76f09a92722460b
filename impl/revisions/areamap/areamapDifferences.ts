/**
 * Each known difference between areamap-2009 and its source (mm/percpu.c and
 * arch/x86/kernel/setup_percpu.c of 2.6.30), with the reason: `list --json` carries them as the
 * revision's `differences`, and the allocator's header repeats them.
 */
export const AREAMAP_DIFFERENCES: readonly string[] = [
  "the reserved chunk (schunk, PERCPU_MODULE_RESERVE) serves no request: the protocol has no reserved allocation, so the static and reserved areas stay one used head of the first chunk's map; a free of an address there is EINVAL, where pcpu_free_area on schunk's map would run (and BUG on a static offset)",
  "sizes are fixed: an 8 KiB static area (a small image's .data.percpu), an 8 KiB reserved area and 32 KiB units (PCPU_MIN_UNIT_SIZE), where a real boot takes them from the image and the config",
  "a possible mask with a hole is refused at boot and runs draw possible CPUs 0..n-1: 2.6.30 places CPU c's unit at c x unit_size in an area of num_possible_cpus() units, so a hole would map pages past the area (and write past the chunk struct's page array); x86's prefill_possible_map never makes one",
  "the list walk that follows a chunk moved to slot 0 by its failed pcpu_alloc_area stops with an oops: in the kernel list_for_each_entry reads pcpu_slot[0]'s list head as a chunk and walks slot 0 without reaching the head it started from, whose outcome depends on memory the model does not have",
  "the pages of the first chunk come from the machine's page allocator on each CPU's node, where setup_pcpu_4k takes them from bootmem; the chunk structs of the first chunk are counted in metaBytes like any chunk's, where they are bootmem",
  "alloc_pcpu_chunk of 2.6.30 stores into chunk->map without checking pcpu_mem_alloc's result; the model fails the allocation with ENOMEM instead of oopsing on a NULL map",
  "pcpu_chunk_addr_search uses an rbtree of chunks by address; the model scans its chunk list for the chunk whose unit 0 holds the address (same answer, other cost)",
  "the locking (pcpu_alloc_mutex over alloc and reclaim, pcpu_lock over the index, dropped around every memory allocation) is modelled only as the sections of areamapSections.ts, which the sequential checks run one operation at a time; cache and TLB flushes are not modelled",
  "pcpu_reclaim depopulates and frees the chunks it took off under pcpu_alloc_mutex, as 971f3918a5a8 'percpu: fix pcpu_reclaim() locking' (2.6.32) does and the mutex's own rule (it protects chunk->page arrays) asks; 2.6.30 dropped the mutex with pcpu_lock first, harmless there (each chunk's page array is its own and the chunks are on no list), the mutant areamap-reclaim-unlocked's order; sequentially the two are the same",
  "pcpu_alloc's alloc_pcpu_chunk and pcpu_extend_area_map's pcpu_mem_alloc run with pcpu_lock dropped in the kernel; the model allocates in the section after the lock is taken again (the section before is the sleeping one), so a chunk or map is never half set up outside the lock",
  "a free of an offset that starts no area, or of a free area, is EINVAL with nothing changed, where pcpu_free_area BUGs",
];
