/* The answers of hello (what the harness is), stats and inspect (the kernel's own counters). */
#include <stdio.h>

#include "kapi.h"
#include "guard.h"
#include "harness.h"
#include "batch.h"

void do_hello(void)
{
	answer_begin();
	printf(",\"protocol\":1,\"name\":\"linux\",\"revision\":\"%s%s%s\","
	       "\"capabilities\":[\"cpu_add\",\"cpu_remove\",\"fail_page_alloc\",\"reclaim\","
	       "\"inspect\",\"gfp\",\"oops\",\"threads\"%s%s%s],\"max_size\":%d,\"kernel\":\"%s\",\"mutation\":",
	       PCPU_KERNEL_VERSION, PCPU_MUTATION[0] ? "+" : "", PCPU_MUTATION,
	       first_reserved ? ",\"reserved\"" : "", offer_batch ? ",\"batch\"" : "",
	       offer_digest ? ",\"digest\"" : "", MAX_SIZE,
	       PCPU_KERNEL_VERSION);
	/* An edit (a patch under review) is built as a mutation is, but named as what it is. */
	if (PCPU_MUTATION[0] && !PCPU_EDIT[0])
		printf("\"%s\"", PCPU_MUTATION);
	else
		fputs("null", stdout);
	if (PCPU_EDIT[0])
		printf(",\"edit\":\"%s\"", PCPU_EDIT);
	printf(",\"first_chunk\":{\"static_size\":%ld,\"reserved_size\":%ld,\"dyn_size\":%ld,"
	       "\"atom_size\":%ld}",
	       first_static, first_reserved, first_dyn, first_atom);
	printf(",\"node_order\":\"%s\"", node_order_reverse ? "reverse" : "forward");
	printf(",\"guard_pages\":%s", guard_pages ? "true" : "false");
	/*
	 * The kernel's rules, by their constants (the suite works the bounds out): two fully free
	 * chunks kept after a worker run (pcpu_balance_free(false) spares one: "Destroy all free
	 * chunks except for one"; pcpu_reclaim_populated then returns a depopulated chunk to the
	 * head of the free slot, which pcpu_balance_free(true) spares as "the first one"; a failed
	 * pcpu_alloc keeps the chunk it made), of units at most the first chunk's alloc_size, its
	 * metadata counted in meta_bytes, not in pages; and alignments below PCPU_MIN_ALLOC_SIZE
	 * raised to it.
	 */
	printf(",\"pool\":{\"chunks\":2,\"unit_bytes\":%ld,\"meta_pages\":0},\"min_align\":%ld",
	       kapi_max_unit_size(first_static, first_reserved, first_dyn, first_atom),
	       kapi_min_align());
	/*
	 * The reserved chunk serves < static | [reserved] | dynamic > from the static area's end
	 * rounded to PCPU_MIN_ALLOC_SIZE (pcpu_setup_first_chunk); the static section is
	 * zero-based, so a percpu pointer is its offset in the unit, and sizes are rounded to the
	 * same PCPU_MIN_ALLOC_SIZE (pcpu_alloc); the kernel keeps exact hints per
	 * PCPU_BITMAP_BLOCK_SIZE block, and a chunk's may be off where a free area spans blocks.
	 */
	if (first_reserved)
		printf(",\"reserved_area\":{\"start\":\"0x%lx\",\"size\":%ld,\"granule\":%ld,"
		       "\"block\":%ld}",
		       (first_static + kapi_min_align() - 1) & ~(kapi_min_align() - 1),
		       first_reserved, kapi_min_align(), kapi_block_size());
	printf(",\"bad_free\":\"%s\"",
	       PCPU_BAD_FREE_TO_KERNEL
		       ? "to the kernel: a pointer never handed out or already freed goes to free_percpu"
		       : "refused by the harness: EINVAL for a pointer never handed out or already freed, without calling the kernel");
	answer_end();
}

void do_stats(void)
{
	struct kapi_stats s;
	kapi_stats(&s);
	answer_begin();
	fputs(",\"pages_by_node\":[", stdout);
	for (int n = 0; n < s.nr_nodes; n++)
		printf("%s%ld", n ? "," : "", s.pages_by_node[n]);
	printf("],\"unit_bytes\":%ld,\"meta_bytes\":%ld,\"vm_bytes\":%ld,\"mem_refs_per_deref\":1,"
	       "\"nr_populated\":%ld,\"nr_empty_pop_pages\":%ld,\"nr_chunks\":%ld,\"page_allocs\":%ld,"
	       "\"unit_size\":%ld,\"nr_units\":%ld,\"nr_groups\":%ld,\"atom_size\":%ld,"
	       "\"static_size\":%ld,\"reserved_size\":%ld,\"dyn_size\":%ld,"
	       "\"work\":{\"bitmap_calls\":%ld,\"bitmap_words\":%ld,\"kernel_ns\":%ld}",
	       s.unit_bytes, s.meta_bytes, s.vm_bytes, s.nr_populated, s.nr_empty_pop_pages,
	       s.nr_chunks, s.page_allocs, s.unit_size, s.nr_units, s.nr_groups, s.atom_size,
	       s.static_size, s.reserved_size, s.dyn_size, s.bitmap_calls, s.bitmap_words,
	       s.kernel_ns);
	answer_end();
}

struct inspect_pass {
	int second, count;
};

static void inspect_one(const struct kapi_chunk *c, void *arg)
{
	struct inspect_pass *pass = arg;
	if (pass->count++)
		putchar(',');
	if (!pass->second)
		printf("{\"id\":%d,\"state\":\"%s\",\"live\":%ld,\"free_bytes\":%ld}", c->id, c->state,
		       c->live, c->free_bytes);
	else
		printf("{\"id\":%d,\"list\":\"%s\",\"slot\":%d,\"first\":%s,\"isolated\":%s,"
		       "\"nr_pages\":%ld,\"nr_populated\":%ld,\"nr_empty_pop_pages\":%ld}",
		       c->id, c->list, c->slot, c->first ? "true" : "false",
		       c->isolated ? "true" : "false", c->nr_pages, c->nr_populated,
		       c->nr_empty_pop_pages);
}

void do_inspect(void)
{
	struct inspect_pass pass = { 0, 0 };
	answer_begin();
	fputs(",\"blocks\":[", stdout);
	kapi_inspect(inspect_one, &pass);
	fputs("],\"detail\":{\"chunks\":[", stdout);
	pass.second = 1;
	pass.count = 0;
	kapi_inspect(inspect_one, &pass);
	fputs("]}", stdout);
	answer_end();
}
