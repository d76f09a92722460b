/* boot (in a fresh process: see harness.c) and the CPU sets of the hotplug events. */
#include <stdlib.h>
#include <string.h>

#include "kapi.h"
#include "harness.h"

int nr_cpus;
unsigned char *possible, *present, *online;

static int count_online(void)
{
	int n = 0;
	for (int c = 0; c < nr_cpus; c++)
		n += online[c];
	return n;
}

void do_hotplug(const char *op, long long cpu)
{
	if (cpu < 0 || cpu >= nr_cpus || !possible[cpu]) {
		answer_err("EINVAL", "cpu is not a possible CPU");
		return;
	}
	if (strcmp(op, "cpu_up") == 0) {
		if (!present[cpu])
			return answer_err("EINVAL", "cpu_up: the CPU is not present");
		if (online[cpu])
			return answer_err("EINVAL", "cpu_up: the CPU is already online");
		online[cpu] = 1;
	} else if (strcmp(op, "cpu_down") == 0) {
		if (!online[cpu])
			return answer_err("EINVAL", "cpu_down: the CPU is not online");
		if (count_online() == 1)
			return answer_err("EINVAL", "cpu_down: the last online CPU may not go offline");
		online[cpu] = 0;
	} else if (strcmp(op, "cpu_add") == 0) {
		if (present[cpu])
			return answer_err("EINVAL", "cpu_add: the CPU is already present");
		present[cpu] = 1;
	} else {
		if (!present[cpu])
			return answer_err("EINVAL", "cpu_remove: the CPU is not present");
		if (online[cpu])
			return answer_err("EINVAL", "cpu_remove: the CPU is online");
		present[cpu] = 0;
	}
	answer_ok();
}

/* Boots the kernel in this (fresh) process; 0 on success (answered either way). */
int do_boot(const struct jobj *o)
{
	const struct jval *pv, *prv, *onv, *c2n;
	long long ncpus, nr_nodes, page_size;
	int bad = 0;
	struct kapi_boot b = { 0 };
	const char *why = "";

	if (get_int(o, "nr_cpus", &ncpus) || get_list(o, "possible", &pv) ||
	    get_list(o, "present", &prv) || get_list(o, "online", &onv) ||
	    get_list(o, "cpu_to_node", &c2n) || get_int(o, "nr_nodes", &nr_nodes) ||
	    get_int(o, "page_size", &page_size))
		return -1;
	if (page_size != 4096) {
		answer_err("EINVAL", "page_size must be 4096 (the x86_64 kernel's PAGE_SIZE)");
		return -1;
	}
	if (ncpus < 1 || ncpus > 512 || (long long)c2n->len != ncpus) {
		answer_err("EINVAL", "nr_cpus must be 1..512 and cpu_to_node have nr_cpus entries");
		return -1;
	}
	b.nr_cpus = (int)ncpus;
	b.possible = pv->arr, b.nr_possible = pv->len;
	b.present = prv->arr, b.nr_present = prv->len;
	b.online = onv->arr, b.nr_online = onv->len;
	b.cpu_to_node = c2n->arr;
	b.nr_nodes = nr_nodes > 64 ? 65 : (int)nr_nodes;
	b.pages_per_node = opt(o, "pages_per_node", 0, &bad);
	b.vmalloc_bytes = opt(o, "vmalloc_bytes", 0, &bad);
	/* x86_64 6.x defaults: PERCPU_MODULE_RESERVE, PERCPU_DYNAMIC_RESERVE minus it, PMD_SIZE. */
	b.static_size = opt(o, "static_size", first_static, &bad);
	b.reserved_size = opt(o, "reserved_size", first_reserved, &bad);
	b.dyn_size = opt(o, "dyn_size", first_dyn, &bad);
	b.atom_size = opt(o, "atom_size", first_atom, &bad);
	b.node_order_reverse = node_order_reverse;
	if (bad)
		return -1;
	nr_cpus = b.nr_cpus;
	possible = calloc(nr_cpus, 1);
	present = calloc(nr_cpus, 1);
	online = calloc(nr_cpus, 1);
	for (size_t i = 0; i < pv->len; i++)
		if (pv->arr[i] >= 0 && pv->arr[i] < nr_cpus)
			possible[pv->arr[i]] = 1;
	for (size_t i = 0; i < prv->len; i++)
		if (prv->arr[i] >= 0 && prv->arr[i] < nr_cpus)
			present[prv->arr[i]] = 1;
	for (size_t i = 0; i < onv->len; i++)
		if (onv->arr[i] >= 0 && onv->arr[i] < nr_cpus)
			online[onv->arr[i]] = 1;
	int rc = kapi_boot(&b, &why);
	answer_rc(rc, why);
	return rc;
}
