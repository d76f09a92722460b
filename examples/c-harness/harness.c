/*
 * pcpu-harness: the arena allocator (arena.h) behind docs/protocol.md, version 1.
 * Reads one JSON request per line on standard input and answers one JSON object per line on
 * standard output; diagnostics go to standard error. Exits 0 on `quit` or at end of input.
 * A line that is a JSON list is a batch (the capability `batch`): its requests are answered in
 * order on one line, up to the first error. `--no-batch` leaves the capability out of `hello`
 * (the client then sends one request a line), to compare the two. A read that carries the
 * digest of the bytes the client saw there before (`unless`, the capability `digest`) is
 * answered `"same":true` where they are unchanged; `--no-digest` leaves that capability out.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jsonline.h"

#ifndef SEEDED_BUG
#define SEEDED_BUG 0
#endif

static const char *const ERRNAMES[] = { "", "EINVAL", "ENOMEM", "EFAULT" };
static int offer_batch = 1;
static int offer_digest = 1;


static void answer_code(int code, const char *why)
{
	if (code == A_OK)
		answer_ok();
	else
		answer_err(ERRNAMES[code], why);
}

static void do_hello(void)
{
	answer_begin();
	printf(",\"protocol\":1,\"name\":\"c-arena\",\"revision\":\"%s\","
	       "\"capabilities\":[\"cpu_add\",\"cpu_remove\",\"fail_page_alloc\",\"reclaim\"%s%s],"
	       "\"max_size\":%u",
	       SEEDED_BUG ? "1-seeded-bug" : "1", offer_batch ? ",\"batch\"" : "", offer_digest ? ",\"digest\"" : "", UNIT_SIZE);
	answer_end();
}

static void do_boot(const struct jobj *o)
{
	const struct jval *possible, *present, *online, *c2n, *v;
	long long nr_cpus, nr_nodes, page_size;
	if (get_int(o, "nr_cpus", &nr_cpus) || get_list(o, "possible", &possible) ||
	    get_list(o, "present", &present) || get_list(o, "online", &online) ||
	    get_list(o, "cpu_to_node", &c2n) || get_int(o, "nr_nodes", &nr_nodes) ||
	    get_int(o, "page_size", &page_size))
		return;
	struct arena_config cfg = {
		.nr_cpus = nr_cpus > MAX_NR_CPUS ? -1 : (int)nr_cpus,
		.possible = possible->arr, .nr_possible = possible->len,
		.present = present->arr, .nr_present = present->len,
		.online = online->arr, .nr_online = online->len,
		.cpu_to_node = c2n->arr, .nr_cpu_to_node = c2n->len,
		.nr_nodes = nr_nodes > MAX_NODES ? -1 : (int)nr_nodes,
		.page_size = page_size > 1 << 20 ? -1 : (int)page_size,
	};
	if ((v = jobj_get(o, "pages_per_node")) && v->type == J_INT)
		cfg.pages_per_node = v->num;
	if ((v = jobj_get(o, "vmalloc_bytes")) && v->type == J_INT)
		cfg.vmalloc_bytes = v->num;
	const char *why = "";
	answer_code(arena_boot(&cfg, &why), why);
}

static void do_read(const struct jobj *o, uint64_t addr, long long len)
{
	uint8_t *data;
	const char *why = "";
	int given;
	uint64_t digest;
	if (get_unless(o, offer_digest, &given, &digest))
		return;
	if (len > UNIT_SIZE * 64ll) {
		answer_err("EINVAL", "len is too large");
		return;
	}
	int code = arena_access(addr, len, &data, &why);
	if (code != A_OK) {
		answer_code(code, why);
		return;
	}
	answer_read(data, (size_t)len, given, digest);
}

static void do_write(uint64_t addr, const char *hex)
{
	size_t n = strlen(hex);
	const char *why = "";
	uint8_t *data;
	if (n % 2 != 0) {
		answer_err("EPROTO", "field hex: expected an even number of hexadecimal digits");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (hexval(hex[i]) < 0) {
			answer_err("EPROTO", "field hex: expected hexadecimal digits");
			return;
		}
	int code = arena_access(addr, (long long)(n / 2), &data, &why);
	if (code == A_OK)
		for (size_t i = 0; i < n / 2; i++)
			data[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	answer_code(code, why);
}

static void do_stats(void)
{
	struct arena_stats s;
	const char *why = "";
	arena_stats(&s, &why);
	answer_begin();
	fputs(",\"pages_by_node\":[", stdout);
	for (int n = 0; n < s.nr_nodes; n++)
		printf("%s%lld", n ? "," : "", s.pages_by_node[n]);
	printf("],\"unit_bytes\":%lld,\"meta_bytes\":%lld,\"vm_bytes\":%lld,\"mem_refs_per_deref\":1",
	       s.unit_bytes, s.meta_bytes, s.vm_bytes);
	answer_end();
}

/* Answers one request; returns 1 on quit. */
static int handle(const struct jobj *o)
{
	const struct jval *opv = jobj_get(o, "op");
	if (!opv || opv->type != J_STR) {
		answer_err("EPROTO", "field op: expected a string");
		return 0;
	}
	const char *op = opv->str;
	const char *why = "";
	long long a, b;
	uint64_t p, q;
	if (strcmp(op, "quit") == 0) {
		answer_ok();
		return 1;
	}
	if (strcmp(op, "hello") == 0) {
		do_hello();
		return 0;
	}
	if (strcmp(op, "boot") == 0) {
		do_boot(o);
		return 0;
	}
	static const char *const known[] = { "alloc", "free", "ptr", "node", "read", "write",
					     "cpu_add", "cpu_remove", "cpu_up", "cpu_down",
					     "fail_page_alloc", "reclaim", "stats", NULL };
	int is_known = 0;
	for (int i = 0; known[i]; i++)
		is_known |= strcmp(op, known[i]) == 0;
	if (!is_known) {
		answer_err("ENOTSUP", "this harness does not offer the operation");
		return 0;
	}
	if (!arena_booted()) {
		answer_err("EINVAL", "boot first");
		return 0;
	}
	if (strcmp(op, "alloc") == 0) {
		if (get_int(o, "size", &a) || get_int(o, "align", &b))
			return 0;
		/* No distinction for atomic: every chunk is fully populated when made. */
		int code = arena_alloc(a, b, &p, &why);
		if (code != A_OK) {
			answer_code(code, why);
			return 0;
		}
		batch_note_alloc(p);
		answer_begin();
		printf(",\"ptr\":\"0x%" PRIx64 "\"", p);
		answer_end();
	} else if (strcmp(op, "free") == 0) {
		if (get_addr(o, "ptr", &p) == 0)
			answer_code(arena_free(p, &why), why);
	} else if (strcmp(op, "ptr") == 0) {
		if (get_addr(o, "ptr", &p) || get_int(o, "cpu", &a))
			return 0;
		int code = arena_ptr(p, a, &q, &why);
		if (code != A_OK) {
			answer_code(code, why);
			return 0;
		}
		answer_begin();
		printf(",\"addr\":\"0x%" PRIx64 "\"", q);
		answer_end();
	} else if (strcmp(op, "node") == 0) {
		int node;
		if (get_addr(o, "addr", &p))
			return 0;
		int code = arena_node(p, &node, &why);
		if (code != A_OK) {
			answer_code(code, why);
			return 0;
		}
		answer_begin();
		printf(",\"node\":%d", node);
		answer_end();
	} else if (strcmp(op, "read") == 0) {
		if (get_addr(o, "addr", &p) || get_int(o, "len", &a))
			return 0;
		do_read(o, p, a);
	} else if (strcmp(op, "write") == 0) {
		const struct jval *hex = jobj_get(o, "hex");
		if (get_addr(o, "addr", &p))
			return 0;
		if (!hex || hex->type != J_STR) {
			answer_err("EPROTO", "field hex: expected a string");
			return 0;
		}
		do_write(p, hex->str);
	} else if (strncmp(op, "cpu_", 4) == 0) {
		if (get_int(o, "cpu", &a) == 0)
			answer_code(arena_hotplug(op, a, &why), why);
	} else if (strcmp(op, "fail_page_alloc") == 0) {
		if (get_int(o, "after", &a) || get_int(o, "count", &b))
			return 0;
		answer_code(arena_fail_page_alloc(a, b, &why), why);
	} else if (strcmp(op, "reclaim") == 0) {
		arena_reclaim();
		answer_ok();
	} else {
		do_stats();
	}
	return 0;
}

/* Whether the request being answered is part of a batch. */
static int in_batch;

/* In a batch, hello, boot and quit are refused (EPROTO); returns 1 for them. */
static int in_batch_refused(const struct jobj *o)
{
	return in_batch && batch_refused(o);
}

/* Answers one request line; returns 1 on quit. */
static int request(const char *line)
{
	struct jobj o;
	const char *err;
	answer_for(NULL);
	if (jobj_parse(line, &o, &err) < 0) {
		fprintf(stderr, "pcpu-harness: malformed request: %s\n", err);
		answer_err("EPROTO", "malformed request");
		return 0;
	}
	answer_for(&o);
	int quit = 0;
	if (!answer_has_id())
		answer_err("EPROTO", "field id: expected an integer");
	else if (!in_batch_refused(&o) && !(in_batch && batch_refer(&o) < 0))
		quit = handle(&o);
	jobj_free(&o);
	return quit;
}

/* A batch: each request in order, up to the first error; one line of answers. */
static void batch(const char *line)
{
	struct jbatch b;
	const char *err;
	answer_batch_begin();
	in_batch = 1;
	if (batch_split(line, &b, &err) < 0) {
		fprintf(stderr, "pcpu-harness: malformed batch: %s\n", err);
		answer_for(NULL);
		answer_err("EPROTO", err);
	}
	for (size_t i = 0; i < b.n; i++) {
		request(b.elems[i]);
		if (answer_failed())
			break;
	}
	in_batch = 0;
	answer_batch_end();
	batch_free(&b);
}

int main(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-batch") == 0) {
			offer_batch = 0;
		} else if (strcmp(argv[i], "--no-digest") == 0) {
			offer_digest = 0;
		} else {
			fprintf(stderr, "usage: pcpu-harness [--no-batch] [--no-digest]\n");
			return 2;
		}
	}
	/*
	 * Each answer (a batch's too) leaves in one write: a batch of page reads is hundreds of
	 * KiB, which through a 4 KiB stdio buffer and a 64 KiB pipe would wake the reader dozens
	 * of times. Where standard output is not a pipe, the fcntl fails and changes nothing.
	 */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
#ifdef F_SETPIPE_SZ
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
#endif
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] == '\0')
			continue;
		if (offer_batch && batch_line(line)) {
			batch(line);
			continue;
		}
		if (request(line))
			break;
	}
	free(line);
	return 0;
}
