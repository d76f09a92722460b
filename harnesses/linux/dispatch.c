/* A worker's request loop: one line at a time, each request (or batch of them) to its handler. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kapi.h"
#include "machine.h"
#include "harness.h"
#include "oops.h"
#include "batch.h"
#include "threads.h"

/*
 * Standard input, read ahead into memory the first process and every worker share: what one
 * process read past its line is there for the next (a worker handing back a boot, the first
 * process answering for a worker that died), so no line is lost to a process that ended, and
 * a line costs a read or two, not a read a byte. Only one process reads at a time (the first
 * waits for its worker).
 */
struct input {
	size_t start, end;
	char data[64 << 10];
};
static struct input *input;

int read_line_init(void)
{
	input = mmap(NULL, sizeof(*input), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (input == MAP_FAILED)
		return -1;
	input->start = input->end = 0;
	return 0;
}

/* One request line; -1 at end of input. */
int read_line(char *buf)
{
	size_t n = 0;
	for (;;) {
		if (input->start == input->end) {
			ssize_t r = read(0, input->data, sizeof(input->data));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return n ? (buf[n] = '\0', 0) : -1;
			input->start = 0;
			input->end = (size_t)r;
		}
		char *from = input->data + input->start;
		char *nl = memchr(from, '\n', input->end - input->start);
		size_t take = (size_t)((nl ? nl : input->data + input->end) - from);
		size_t keep = take < LINE_MAX_BYTES - 1 - n ? take : LINE_MAX_BYTES - 1 - n;
		memcpy(buf + n, from, keep);
		n += keep;
		input->start += take;
		if (nl) {
			input->start++;
			buf[n] = '\0';
			return 0;
		}
	}
}

const char *op_of(const struct jobj *o)
{
	const struct jval *v = jobj_get(o, "op");
	return v && v->type == J_STR ? v->str : NULL;
}

int parse(const char *line, struct jobj *o)
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

/* Answers one request of a worker but boot and quit (the loop's own). */
static void answer_one(struct jobj *o)
{
	const char *op = op_of(o);
	long long a, b;
	if (strcmp(op, "hello") == 0) {
		do_hello();
	} else if (strcmp(op, "alloc") == 0) {
		if (!threads_refuse(op))
			do_alloc(o);
	} else if (strcmp(op, "free") == 0) {
		if (!threads_refuse(op))
			do_free(o);
	} else if (strcmp(op, "ptr") == 0) {
		do_ptr(o);
	} else if (strcmp(op, "node") == 0) {
		do_node(o);
	} else if (strcmp(op, "read") == 0) {
		do_read(o);
	} else if (strcmp(op, "write") == 0) {
		do_write(o);
	} else if (strncmp(op, "cpu_", 4) == 0 &&
		   (!strcmp(op, "cpu_up") || !strcmp(op, "cpu_down") || !strcmp(op, "cpu_add") ||
		    !strcmp(op, "cpu_remove"))) {
		if (get_int(o, "cpu", &a) == 0)
			do_hotplug(op, a);
	} else if (strcmp(op, "fail_page_alloc") == 0) {
		if (get_int(o, "after", &a) == 0 && get_int(o, "count", &b) == 0) {
			if (a < 0 || b < 0)
				answer_err("EINVAL", "fail_page_alloc: after and count must be >= 0");
			else {
				machine_fail_after(a, b);
				answer_ok();
			}
		}
	} else if (strcmp(op, "reclaim") == 0) {
		if (!threads_refuse(op)) {
			kapi_reclaim();
			answer_ok();
		}
	} else if (strcmp(op, "thread_start") == 0) {
		do_thread_start(o);
	} else if (strcmp(op, "thread_step") == 0) {
		do_thread_step(o);
	} else if (strcmp(op, "thread_state") == 0) {
		do_thread_state();
	} else if (strcmp(op, "stats") == 0) {
		do_stats();
	} else if (strcmp(op, "inspect") == 0) {
		do_inspect();
	} else {
		answer_err("ENOTSUP", "this harness does not offer the operation");
	}
}

/* The worker: boots from `line`, then answers until the next boot or quit. */
void worker(char *line)
{
	struct jobj o;
	if (parse(line, &o) < 0)
		exit(0);
	oops_arm();
	oops_begin(&o);
	if (do_boot(&o) != 0) {
		/* A refused boot leaves no system: the first process answers until the next one. */
		jobj_free(&o);
		exit(EXIT_REBOOT + 1);
	}
	jobj_free(&o);
	oops_end();
	while (read_line(line) == 0) {
		if (line[0] == '\0')
			continue;
		if (offer_batch && batch_line(line)) {
			batch_answer(line, answer_one);
			continue;
		}
		if (parse(line, &o) < 0)
			continue;
		oops_begin(&o);
		const char *op = op_of(&o);
		if (strcmp(op, "boot") == 0) {
			strcpy(shared_line, line);
			exit(EXIT_REBOOT);
		} else if (strcmp(op, "quit") == 0) {
			answer_ok();
			exit(0);
		}
		answer_one(&o);
		jobj_free(&o);
		oops_end();
	}
	exit(0);
}
