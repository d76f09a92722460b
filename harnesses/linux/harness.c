/*
 * pcpu-linux: the tree's mm/percpu.c behind the protocol of PROTOCOL.md, version 1.
 *
 * The allocator's globals are set once, by pcpu_setup_first_chunk(), so every `boot` runs in
 * a fresh process: the first process (which never touches the allocator) forks a worker per
 * boot; the worker boots the kernel and answers every request until the next `boot` (which it
 * hands back through shared memory) or `quit`. Requests are read a byte at a time, so that no
 * process reads ahead of the line it answers. A worker killed by a signal (a kernel BUG, an
 * oops: a fault of the kernel's own access) ends the harness with status 70 and the reason
 * on standard error: the suite reports a harness crash.
 *
 * The kernel does not check what free_percpu() is given; this harness answers EINVAL for a
 * pointer it never handed out or already freed, without calling the kernel (built with
 * PCPU_BAD_FREE_TO_KERNEL=1 it hands such frees to the kernel instead).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonline.h"
#include "kapi.h"
#include "machine.h"

#ifndef PCPU_KERNEL_VERSION
#define PCPU_KERNEL_VERSION "unknown"
#endif
#ifndef PCPU_MUTATION
#define PCPU_MUTATION ""
#endif
#ifndef PCPU_EDIT
#define PCPU_EDIT ""
#endif
#ifndef PCPU_BAD_FREE_TO_KERNEL
#define PCPU_BAD_FREE_TO_KERNEL 0
#endif

#define LINE_MAX_BYTES (1 << 20)
#define EXIT_REBOOT 3
#define EXIT_CRASH 70
/* PCPU_MIN_UNIT_SIZE: the largest size the kernel serves. */
#define MAX_SIZE 32768

/*
 * The first chunk's geometry: x86_64's by default (a 225,280-byte static area as a Debian
 * 6.12 kernel has, PERCPU_MODULE_RESERVE, the dynamic reserve, a PMD_SIZE atom), or what the
 * command line says (--small-unit: 32 KiB units of 8 pages, bitmap-2017's geometry, in which
 * depopulation happens within a few dozen steps). A boot request may still override each.
 */
static long first_static = 225280, first_reserved = 8 << 10, first_dyn = 28 << 10,
	    first_atom = 2 << 20;

static char *shared_line; /* a boot request handed from a worker to the first process */

/* ---- answers ---- */
static void answer_rc(int rc, const char *why)
{
	if (rc == 0)
		answer_ok();
	else
		answer_err(rc == -ENOMEM ? "ENOMEM" : rc == -EFAULT ? "EFAULT" : "EINVAL", why);
}

/* ---- fields: 0 when present with the right type, else they answer EPROTO ---- */
static int get_int(const struct jobj *o, const char *key, long long *out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type != J_INT) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected an integer", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = v->num;
	return 0;
}

static int get_opt_int(const struct jobj *o, const char *key, long long *out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type == J_NULL)
		return 0;
	return get_int(o, key, out);
}

static int get_list(const struct jobj *o, const char *key, const struct jval **out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type != J_ARR) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected a list of integers", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = v;
	return 0;
}

static int get_flag(const struct jobj *o, const char *key)
{
	const struct jval *v = jobj_get(o, key);
	return v && v->type == J_BOOL && v->num;
}

static int get_addr(const struct jobj *o, const char *key, uint64_t *out)
{
	const struct jval *v = jobj_get(o, key);
	char *endp;
	if (!v || v->type != J_STR || strncmp(v->str, "0x", 2) != 0 || v->str[2] == '\0' ||
	    strlen(v->str) > 18) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected a hexadecimal address string", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = strtoull(v->str + 2, &endp, 16);
	if (*endp != '\0') {
		answer_err("EPROTO", "an address has a character that is not hexadecimal");
		return -1;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- the pointers handed out: an open-addressing set ---- */
static uint64_t *live;
static size_t live_cap, live_n;
#define EMPTY 0
#define GONE 1

static size_t slot_of(uint64_t p)
{
	return (size_t)((p * 0x9e3779b97f4a7c15ull) >> 20) & (live_cap - 1);
}

static int live_has(uint64_t p)
{
	if (!live_cap)
		return 0;
	for (size_t i = slot_of(p);; i = (i + 1) & (live_cap - 1)) {
		if (live[i] == EMPTY)
			return 0;
		if (live[i] == p)
			return 1;
	}
}

static void live_add(uint64_t p)
{
	if (2 * (live_n + 1) > live_cap) {
		uint64_t *old = live;
		size_t old_cap = live_cap;
		live_cap = live_cap ? 2 * live_cap : 1024;
		live = calloc(live_cap, sizeof(*live));
		live_n = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i] > GONE)
				live_add(old[i]);
		free(old);
	}
	size_t i = slot_of(p);
	while (live[i] > GONE)
		i = (i + 1) & (live_cap - 1);
	live[i] = p;
	live_n++;
}

static void live_remove(uint64_t p)
{
	if (!live_cap)
		return;
	for (size_t i = slot_of(p);; i = (i + 1) & (live_cap - 1)) {
		if (live[i] == EMPTY)
			return;
		if (live[i] == p) {
			live[i] = GONE;
			return;
		}
	}
}

/* ---- the CPU sets the protocol's hotplug events change (the allocator ignores them) ---- */
static int nr_cpus;
static unsigned char *possible, *present, *online;

static int count_online(void)
{
	int n = 0;
	for (int c = 0; c < nr_cpus; c++)
		n += online[c];
	return n;
}

static void do_hotplug(const char *op, long long cpu)
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

/* ---- requests ---- */
static void do_hello(void)
{
	answer_begin();
	printf(",\"protocol\":1,\"name\":\"linux\",\"revision\":\"%s%s%s\","
	       "\"capabilities\":[\"cpu_add\",\"cpu_remove\",\"fail_page_alloc\",\"reclaim\","
	       "\"inspect\",\"reserved\"],\"max_size\":%d,\"kernel\":\"%s\",\"mutation\":",
	       PCPU_KERNEL_VERSION, PCPU_MUTATION[0] ? "+" : "", PCPU_MUTATION, MAX_SIZE,
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
	printf(",\"bad_free\":\"%s\"",
	       PCPU_BAD_FREE_TO_KERNEL
		       ? "to the kernel: a pointer never handed out or already freed goes to free_percpu"
		       : "refused by the harness: EINVAL for a pointer never handed out or already freed, without calling the kernel");
	answer_end();
}

static long long opt(const struct jobj *o, const char *key, long long dflt, int *bad)
{
	long long v = dflt;
	if (get_opt_int(o, key, &v))
		*bad = 1;
	return v;
}

/* Boots the kernel in this (fresh) process; 0 on success (answered either way). */
static int do_boot(const struct jobj *o)
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

static void do_alloc(const struct jobj *o)
{
	long long size, align;
	const struct jval *gfp = jobj_get(o, "gfp");
	enum kapi_gfp kind = get_flag(o, "atomic") ? KAPI_GFP_ATOMIC : KAPI_GFP_KERNEL;
	uintptr_t p;
	const char *why = "";

	if (get_int(o, "size", &size) || get_int(o, "align", &align))
		return;
	if (gfp && gfp->type == J_STR) {
		if (strcmp(gfp->str, "noio") == 0)
			kind = KAPI_GFP_NOIO;
		else if (strcmp(gfp->str, "nofs") == 0)
			kind = KAPI_GFP_NOFS;
		else if (strcmp(gfp->str, "atomic") == 0)
			kind = KAPI_GFP_ATOMIC;
		else if (strcmp(gfp->str, "kernel") != 0)
			return answer_err("EPROTO", "field gfp: expected kernel, atomic, noio or nofs");
	}
	int rc = kapi_alloc(size, align, kind, get_flag(o, "reserved"), &p, &why);
	if (rc)
		return answer_rc(rc, why);
	live_add(p);
	answer_begin();
	printf(",\"ptr\":\"0x%" PRIxPTR "\"", p);
	answer_end();
}

static void do_free(const struct jobj *o)
{
	uint64_t p;
	if (get_addr(o, "ptr", &p))
		return;
	if (!live_has(p) && !PCPU_BAD_FREE_TO_KERNEL)
		return answer_err("EINVAL", "free: the pointer was never handed out or is already freed");
	live_remove(p);
	/* Handed to the kernel, a free it refuses is one it warns about (it returns nothing). */
	if (kapi_free((uintptr_t)p) && PCPU_BAD_FREE_TO_KERNEL)
		return answer_err("EINVAL", "free: the kernel refused the pointer (it warned)");
	answer_ok();
}

static void do_ptr(const struct jobj *o)
{
	uint64_t p;
	long long cpu;
	if (get_addr(o, "ptr", &p) || get_int(o, "cpu", &cpu))
		return;
	if (!live_has(p))
		return answer_err("EINVAL", "ptr: the pointer was never handed out or is already freed");
	if (cpu < 0 || cpu >= nr_cpus || !possible[cpu])
		return answer_err("EINVAL", "ptr: cpu is not a possible CPU");
	answer_begin();
	printf(",\"addr\":\"0x%" PRIxPTR "\"", kapi_per_cpu_ptr((uintptr_t)p, (int)cpu));
	answer_end();
}

/* Every page of [addr, addr + len) translated as a CPU would; EFAULT if one is unmapped. */
static int access_range(uint64_t addr, long long len, uint8_t *buf, int write)
{
	long long done = 0;
	while (done < len) {
		uint64_t a = addr + (uint64_t)done;
		long long in_page = (long long)(MACHINE_PAGE_SIZE - (a & (MACHINE_PAGE_SIZE - 1)));
		long long n = len - done < in_page ? len - done : in_page;
		uint8_t *p = machine_translate((uintptr_t)a, NULL);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, buf + done, (size_t)n);
		else
			memcpy(buf + done, p, (size_t)n);
		done += n;
	}
	return 0;
}

static void do_read(const struct jobj *o)
{
	uint64_t addr;
	long long len;
	if (get_addr(o, "addr", &addr) || get_int(o, "len", &len))
		return;
	if (len < 0 || len > (1 << 20))
		return answer_err("EINVAL", "read: len must be 0..1048576");
	uint8_t *buf = malloc((size_t)len + 1);
	if (access_range(addr, len, buf, 0)) {
		free(buf);
		return answer_err("EFAULT", "read: an address is not mapped");
	}
	answer_begin();
	fputs(",\"hex\":\"", stdout);
	for (long long i = 0; i < len; i++)
		printf("%02x", buf[i]);
	putchar('"');
	answer_end();
	free(buf);
}

static void do_write(const struct jobj *o)
{
	uint64_t addr;
	const struct jval *hex = jobj_get(o, "hex");
	if (get_addr(o, "addr", &addr))
		return;
	if (!hex || hex->type != J_STR)
		return answer_err("EPROTO", "field hex: expected a string");
	size_t n = strlen(hex->str);
	if (n % 2 != 0)
		return answer_err("EPROTO", "field hex: expected an even number of hexadecimal digits");
	uint8_t *buf = malloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex->str[2 * i]), lo = hexval(hex->str[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(buf);
			return answer_err("EPROTO", "field hex: expected hexadecimal digits");
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	int rc = access_range(addr, (long long)(n / 2), buf, 1);
	free(buf);
	answer_rc(rc, "write: an address is not mapped");
}

static void do_node(const struct jobj *o)
{
	uint64_t addr;
	int node;
	if (get_addr(o, "addr", &addr))
		return;
	if (!machine_translate((uintptr_t)addr, &node))
		return answer_err("EFAULT", "node: the address is not mapped");
	answer_begin();
	printf(",\"node\":%d", node);
	answer_end();
}

static void do_stats(void)
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
	       "\"static_size\":%ld,\"reserved_size\":%ld,\"dyn_size\":%ld",
	       s.unit_bytes, s.meta_bytes, s.vm_bytes, s.nr_populated, s.nr_empty_pop_pages,
	       s.nr_chunks, s.page_allocs, s.unit_size, s.nr_units, s.nr_groups, s.atom_size,
	       s.static_size, s.reserved_size, s.dyn_size);
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

static void do_inspect(void)
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

/* ---- the loop ---- */

/* One request line, read a byte at a time; -1 at end of input. */
static int read_line(char *buf)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n ? (buf[n] = '\0', 0) : -1;
		if (c == '\n') {
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 < LINE_MAX_BYTES)
			buf[n++] = c;
	}
}

static const char *op_of(const struct jobj *o)
{
	const struct jval *v = jobj_get(o, "op");
	return v && v->type == J_STR ? v->str : NULL;
}

static int parse(const char *line, struct jobj *o)
{
	const char *err;
	answer_for(NULL);
	if (jobj_parse(line, o, &err) < 0) {
		fprintf(stderr, "pcpu-linux: malformed request: %s\n", err);
		answer_err("EPROTO", "malformed request");
		return -1;
	}
	answer_for(o);
	if (!answer_has_id()) {
		answer_err("EPROTO", "field id: expected an integer");
		jobj_free(o);
		return -1;
	}
	if (!op_of(o)) {
		answer_err("EPROTO", "field op: expected a string");
		jobj_free(o);
		return -1;
	}
	return 0;
}

/* The worker: boots from `line`, then answers until the next boot or quit. */
static void worker(char *line)
{
	struct jobj o;
	if (parse(line, &o) < 0)
		exit(0);
	if (do_boot(&o) != 0) {
		/* A refused boot leaves no system: the first process answers until the next one. */
		jobj_free(&o);
		exit(EXIT_REBOOT + 1);
	}
	jobj_free(&o);
	while (read_line(line) == 0) {
		if (line[0] == '\0')
			continue;
		if (parse(line, &o) < 0)
			continue;
		const char *op = op_of(&o);
		long long a, b;
		if (strcmp(op, "boot") == 0) {
			strcpy(shared_line, line);
			exit(EXIT_REBOOT);
		} else if (strcmp(op, "quit") == 0) {
			answer_ok();
			exit(0);
		} else if (strcmp(op, "hello") == 0) {
			do_hello();
		} else if (strcmp(op, "alloc") == 0) {
			do_alloc(&o);
		} else if (strcmp(op, "free") == 0) {
			do_free(&o);
		} else if (strcmp(op, "ptr") == 0) {
			do_ptr(&o);
		} else if (strcmp(op, "node") == 0) {
			do_node(&o);
		} else if (strcmp(op, "read") == 0) {
			do_read(&o);
		} else if (strcmp(op, "write") == 0) {
			do_write(&o);
		} else if (strncmp(op, "cpu_", 4) == 0 &&
			   (!strcmp(op, "cpu_up") || !strcmp(op, "cpu_down") ||
			    !strcmp(op, "cpu_add") || !strcmp(op, "cpu_remove"))) {
			if (get_int(&o, "cpu", &a) == 0)
				do_hotplug(op, a);
		} else if (strcmp(op, "fail_page_alloc") == 0) {
			if (get_int(&o, "after", &a) == 0 && get_int(&o, "count", &b) == 0) {
				if (a < 0 || b < 0)
					answer_err("EINVAL", "fail_page_alloc: after and count must be >= 0");
				else {
					machine_fail_after(a, b);
					answer_ok();
				}
			}
		} else if (strcmp(op, "reclaim") == 0) {
			kapi_reclaim();
			answer_ok();
		} else if (strcmp(op, "stats") == 0) {
			do_stats();
		} else if (strcmp(op, "inspect") == 0) {
			do_inspect();
		} else {
			answer_err("ENOTSUP", "this harness does not offer the operation");
		}
		jobj_free(&o);
	}
	exit(0);
}

/* Runs one worker from `line`; returns its exit status, or exits the harness on a crash. */
static int run_worker(char *line)
{
	int status;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("pcpu-linux: fork");
		exit(EXIT_CRASH);
	}
	if (pid == 0)
		worker(line);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("pcpu-linux: waitpid");
			exit(EXIT_CRASH);
		}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "pcpu-linux: the kernel side died of signal %d (%s): a kernel BUG or oops\n",
			WTERMSIG(status), strsignal(WTERMSIG(status)));
		exit(EXIT_CRASH);
	}
	return WEXITSTATUS(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: pcpu-linux [--small-unit] [--static-size N] [--reserved-size N] "
			"[--dyn-size N] [--atom-size N]\n");
	exit(2);
}

static long size_arg(int argc, char **argv, int *i)
{
	char *endp;
	long v;
	if (*i + 1 >= argc)
		usage();
	v = strtol(argv[++*i], &endp, 0);
	if (*endp != '\0' || v < 0) {
		fprintf(stderr, "pcpu-linux: %s expects a size in bytes, got '%s'\n", argv[*i - 1],
			argv[*i]);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	char *line = malloc(LINE_MAX_BYTES);
	const char *why = "";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--small-unit") == 0) {
			/* static + reserved + dynamic = 32 KiB = PCPU_MIN_UNIT_SIZE, page atoms. */
			first_static = 4096;
			first_reserved = 8 << 10;
			first_dyn = 20 << 10;
			first_atom = 4096;
		} else if (strcmp(argv[i], "--static-size") == 0) {
			first_static = size_arg(argc, argv, &i);
		} else if (strcmp(argv[i], "--reserved-size") == 0) {
			first_reserved = size_arg(argc, argv, &i);
		} else if (strcmp(argv[i], "--dyn-size") == 0) {
			first_dyn = size_arg(argc, argv, &i);
		} else if (strcmp(argv[i], "--atom-size") == 0) {
			first_atom = size_arg(argc, argv, &i);
		} else {
			usage();
		}
	}

	shared_line = mmap(NULL, LINE_MAX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	if (!line || shared_line == MAP_FAILED || machine_init(&why)) {
		fprintf(stderr, "pcpu-linux: cannot start: %s\n", why);
		return EXIT_CRASH;
	}
	while (read_line(line) == 0) {
		struct jobj o;
		if (line[0] == '\0' || parse(line, &o) < 0)
			continue;
		const char *op = op_of(&o);
		if (strcmp(op, "quit") == 0) {
			answer_ok();
			jobj_free(&o);
			break;
		}
		if (strcmp(op, "hello") == 0) {
			do_hello();
		} else if (strcmp(op, "boot") == 0) {
			int st = run_worker(line);
			while (st == EXIT_REBOOT) {
				strcpy(line, shared_line);
				st = run_worker(line);
			}
			if (st == 0) {
				jobj_free(&o);
				return 0;
			}
		} else {
			answer_err("EINVAL", "boot first");
		}
		jobj_free(&o);
	}
	free(line);
	return 0;
}
