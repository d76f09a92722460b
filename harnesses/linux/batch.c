/* See batch.h: batches, answered by a worker into shared memory, survived by the first process. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "batch.h"
#include "harness.h"
#include "oops.h"

/* Room for a batch's answers: twice the longest answer line the client accepts (1 MiB). */
#define BATCH_BYTES (2 << 20)

struct batch_shared {
	int active;	  /* a worker is answering a batch */
	size_t finished;  /* bytes of `text` that are whole answers ("[" and each answer with its comma) */
	char text[BATCH_BYTES];
};

static struct batch_shared *bs;

void batch_prepare(void)
{
	if (!bs) {
		bs = mmap(NULL, sizeof(*bs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			  0);
		if (bs == MAP_FAILED) {
			bs = NULL;
			return;
		}
	}
	bs->active = 0;
	bs->finished = 0;
}

/* The answers written so far are whole: the first process may print them after a death. */
static void note_finished(void)
{
	fflush(stdout);
	long at = ftell(stdout);
	if (bs && at >= 0)
		bs->finished = (size_t)at;
}

void batch_answer(const char *line, void (*answer_one)(struct jobj *o))
{
	struct jbatch b;
	const char *err;
	FILE *real = stdout, *mem = bs ? fmemopen(bs->text, BATCH_BYTES, "w") : NULL;

	if (mem) {
		setvbuf(mem, NULL, _IONBF, 0);
		stdout = mem;
		bs->active = 1;
	}
	answer_batch_begin();
	note_finished();
	if (batch_split(line, &b, &err) < 0) {
		fprintf(stderr, "pcpu-linux: malformed batch: %s\n", err);
		answer_for(NULL);
		answer_err("EPROTO", err);
	}
	for (size_t i = 0; i < b.n; i++) {
		struct jobj o;
		if (parse(b.elems[i], &o) < 0)
			break;
		if (batch_refused(&o) || batch_refer(&o) < 0) {
			jobj_free(&o);
			break;
		}
		oops_begin(&o);
		answer_one(&o);
		jobj_free(&o);
		oops_end();
		if (answer_failed())
			break;
		/* A comma now: what is finished is ready to be followed by the next answer. */
		note_finished();
	}
	batch_free(&b);
	answer_batch_end();
	if (mem) {
		long len = ftell(mem);
		fclose(mem);
		stdout = real;
		bs->active = 0;
		fwrite(bs->text, 1, len > 0 ? (size_t)len : 0, stdout);
		fflush(stdout);
	}
}

void batch_refuse(const char *line)
{
	struct jbatch b;
	const char *err;
	answer_batch_begin();
	if (batch_split(line, &b, &err) < 0) {
		answer_for(NULL);
		answer_err("EPROTO", err);
	} else {
		struct jobj o;
		if (parse(b.elems[0], &o) == 0) {
			if (!batch_refused(&o)) {
				if (oops_dead())
					oops_refuse();
				else
					answer_err("EINVAL", "boot first");
			}
			jobj_free(&o);
		}
	}
	batch_free(&b);
	answer_batch_end();
}

int batch_in_flight(void)
{
	return bs && bs->active;
}

void batch_print_finished(void)
{
	fwrite(bs->text, 1, bs->finished, stdout);
	if (bs->finished > 1)
		putchar(',');
}
