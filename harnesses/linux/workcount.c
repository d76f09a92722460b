/*
 * The kernel's work, counted for `stats` (`work`): what `metrics` reports as the work per
 * allocation and free of the real code, the way the in-process designs count theirs.
 *
 * - bitmap_calls: calls of the bitmap helpers the allocator's code makes: the tree's own
 *   tools/lib/find_bit.c searches (find_next_bit, find_next_zero_bit, find_first_bit,
 *   find_first_zero_bit: reached through the linker's --wrap, so the tree's code runs
 *   unchanged) and the harness's bitmap_set, bitmap_clear and find_last_bit (pcpu_kernel.h).
 * - bitmap_words: the unsigned long words those calls read or write: for a search, the words
 *   from its start bit's word to the word of the bit it found (or the bitmap's last word), as
 *   find_bit.c's FIND_NEXT_BIT/FIND_FIRST_BIT loops read them; for set and clear, the words
 *   the range spans. Every bitmap the kernel searches is counted: alloc_map, bound_map,
 *   populated, and the CPU masks its for_each_possible_cpu loops walk. Not counted: test_bit
 *   (one word, inline) and the md blocks' hint arithmetic, which reads no bitmap.
 * - kernel_ns: wall-clock nanoseconds spent inside the kernel's pcpu_alloc, free_percpu and
 *   pcpu_balance_workfn (CLOCK_MONOTONIC), without the protocol around them. A time, so it is
 *   only ever reported as the median of several runs, never judged.
 * Written for this harness; no line comes from a kernel tree.
 */
#include <time.h>

#define WORD_BITS (8 * sizeof(unsigned long))

long pcpu_harness_bitmap_calls, pcpu_harness_bitmap_words, pcpu_harness_kernel_ns;

/* A search over [start, nbits) that answered `found` (nbits when none). */
static unsigned long count_search(unsigned long nbits, unsigned long start, unsigned long found)
{
	pcpu_harness_bitmap_calls++;
	if (start < nbits) {
		unsigned long last = found < nbits ? found / WORD_BITS : (nbits - 1) / WORD_BITS;

		pcpu_harness_bitmap_words += (long)(last - start / WORD_BITS + 1);
	}
	return found;
}

/* find_last_bit reads from the last word down to the word of the bit it found. */
void pcpu_harness_count_last(unsigned long size, unsigned long found)
{
	pcpu_harness_bitmap_calls++;
	if (size > 0)
		pcpu_harness_bitmap_words +=
			(long)((size - 1) / WORD_BITS - (found < size ? found / WORD_BITS : 0) + 1);
}

/* bitmap_set / bitmap_clear of [start, start + len). */
void pcpu_harness_count_range(unsigned long start, unsigned long len)
{
	pcpu_harness_bitmap_calls++;
	if (len > 0)
		pcpu_harness_bitmap_words +=
			(long)((start + len - 1) / WORD_BITS - start / WORD_BITS + 1);
}

unsigned long __real__find_next_bit(const unsigned long *addr, unsigned long nbits,
				    unsigned long start);
unsigned long __real__find_next_zero_bit(const unsigned long *addr, unsigned long nbits,
					 unsigned long start);
unsigned long __real__find_first_bit(const unsigned long *addr, unsigned long size);
unsigned long __real__find_first_zero_bit(const unsigned long *addr, unsigned long size);
unsigned long __wrap__find_next_bit(const unsigned long *addr, unsigned long nbits,
				    unsigned long start);
unsigned long __wrap__find_next_zero_bit(const unsigned long *addr, unsigned long nbits,
					 unsigned long start);
unsigned long __wrap__find_first_bit(const unsigned long *addr, unsigned long size);
unsigned long __wrap__find_first_zero_bit(const unsigned long *addr, unsigned long size);

unsigned long __wrap__find_next_bit(const unsigned long *addr, unsigned long nbits,
				    unsigned long start)
{
	return count_search(nbits, start, __real__find_next_bit(addr, nbits, start));
}

unsigned long __wrap__find_next_zero_bit(const unsigned long *addr, unsigned long nbits,
					 unsigned long start)
{
	return count_search(nbits, start, __real__find_next_zero_bit(addr, nbits, start));
}

unsigned long __wrap__find_first_bit(const unsigned long *addr, unsigned long size)
{
	return count_search(size, 0, __real__find_first_bit(addr, size));
}

unsigned long __wrap__find_first_zero_bit(const unsigned long *addr, unsigned long size)
{
	return count_search(size, 0, __real__find_first_zero_bit(addr, size));
}

static long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static long started_ns;

void pcpu_harness_kernel_enter(void)
{
	started_ns = now_ns();
}

void pcpu_harness_kernel_leave(void)
{
	pcpu_harness_kernel_ns += now_ns() - started_ns;
}
