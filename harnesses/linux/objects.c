/*
 * alloc, free and ptr through the kernel's own entry points; read, write and node through the
 * machine's translation, as a CPU would: the TLB first, then the page table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kapi.h"
#include "machine.h"
#include "harness.h"
#include "batch.h"

void do_alloc(const struct jobj *o)
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
	batch_note_alloc(p);
	printf(",\"ptr\":\"0x%" PRIxPTR "\"", p);
	answer_end();
}

void do_free(const struct jobj *o)
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

void do_ptr(const struct jobj *o)
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

void do_read(const struct jobj *o)
{
	uint64_t addr, digest;
	long long len;
	int given;
	if (get_addr(o, "addr", &addr) || get_int(o, "len", &len) ||
	    get_unless(o, offer_digest, &given, &digest))
		return;
	if (len < 0 || len > (1 << 20))
		return answer_err("EINVAL", "read: len must be 0..1048576");
	uint8_t *buf = malloc((size_t)len + 1);
	if (access_range(addr, len, buf, 0)) {
		free(buf);
		return answer_err("EFAULT", "read: an address is not mapped");
	}
	answer_read(buf, (size_t)len, given, digest);
	free(buf);
}

void do_write(const struct jobj *o)
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

void do_node(const struct jobj *o)
{
	uint64_t addr;
	int node;
	if (get_addr(o, "addr", &addr))
		return;
	if (!machine_translate((uintptr_t)addr, &node))
		return answer_err("EFAULT", "node: the address is not mapped");
	/*
	 * Mapped: a percpu address is answered by the kernel's own translation, as its callers
	 * use it (per_cpu_ptr_to_phys(), then the page's node); any other (the allocator's boot
	 * tables, a chunk page through the linear map, a stale TLB entry) by the harness's.
	 */
	if (machine_percpu_addr((uintptr_t)addr)) {
		node = kapi_node_of((uintptr_t)addr);
		if (node < 0)
			return answer_err("EFAULT", "node: the kernel's translation finds no memory");
	}
	answer_begin();
	printf(",\"node\":%d", node);
	answer_end();
}
