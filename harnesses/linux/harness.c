/*
 * pcpu-linux: the tree's mm/percpu.c behind the protocol of PROTOCOL.md, version 1.
 *
 * The allocator's globals are set once, by pcpu_setup_first_chunk(), so every `boot` runs in
 * a fresh process: the first process (which never touches the allocator) forks a worker per
 * boot; the worker boots the kernel and answers every request until the next `boot` (which it
 * hands back through shared memory) or `quit`. Standard input is read ahead into shared
 * memory (dispatch.c), so that what one process read past its line is the next one's. A worker killed by a signal (a kernel BUG, an
 * oops: a fault of the kernel's own access) while it answers a request is answered EOOPS by
 * the first process, which then refuses everything but `boot` (oops.c); any other death of a
 * worker ends the harness with status 70 and the reason on standard error (a harness crash).
 *
 * The kernel does not check what free_percpu() is given; this harness answers EINVAL for a
 * pointer it never handed out or already freed, without calling the kernel (built with
 * PCPU_BAD_FREE_TO_KERNEL=1 it hands such frees to the kernel instead).
 *
 * This file is the first process: the command line, the fork of a worker per boot and the
 * judgement of how it ended; harness.h names what the other files do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "guard.h"
#include "harness.h"
#include "machine.h"
#include "oops.h"

/*
 * The first chunk's geometry: x86_64's by default (a 225,280-byte static area as a Debian
 * 6.12 kernel has, PERCPU_MODULE_RESERVE, the dynamic reserve, a PMD_SIZE atom), or what the
 * command line says (--small-unit: 32 KiB units of 8 pages, bitmap-2017's geometry, in which
 * depopulation happens within a few dozen steps). A boot request may still override each.
 */
long first_static = 225280, first_reserved = 8 << 10, first_dyn = 28 << 10, first_atom = 2 << 20;
/*
 * --node-order reverse: node 0's boot memory highest, as on machines whose firmware numbers
 * the nodes against their address order; the first chunk's groups (in CPU order) then have
 * decreasing base offsets, which pcpu_setup_first_chunk must not take for increasing.
 */
int node_order_reverse;

char *shared_line; /* a boot request handed from a worker to the first process */
int offer_batch = 1; /* --no-batch: hello leaves the capability `batch` out */
int offer_digest = 1; /* --no-digest: hello leaves the capability `digest` out */

/* Runs one worker from `line`; returns its exit status, or exits the harness on a crash. */
static int run_worker(char *line)
{
	int status;
	fflush(stdout);
	oops_prepare();
	batch_prepare();
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
		if (oops_answer(status))
			return EXIT_OOPS;
		exit(EXIT_CRASH);
	}
	return WEXITSTATUS(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: pcpu-linux [--small-unit] [--static-size N] [--reserved-size N] "
			"[--dyn-size N] [--atom-size N] [--node-order forward|reverse] [--guard-pages] "
			"[--no-batch] [--no-digest]\n");
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
		} else if (strcmp(argv[i], "--node-order") == 0 && i + 1 < argc &&
			   (strcmp(argv[i + 1], "forward") == 0 || strcmp(argv[i + 1], "reverse") == 0)) {
			node_order_reverse = strcmp(argv[++i], "reverse") == 0;
		} else if (strcmp(argv[i], "--guard-pages") == 0) {
			guard_pages = 1;
		} else if (strcmp(argv[i], "--no-batch") == 0) {
			offer_batch = 0;
		} else if (strcmp(argv[i], "--no-digest") == 0) {
			offer_digest = 0;
		} else {
			usage();
		}
	}

	shared_line = mmap(NULL, LINE_MAX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	if (!line || shared_line == MAP_FAILED || read_line_init() || machine_init(&why)) {
		fprintf(stderr, "pcpu-linux: cannot start: %s\n", why);
		return EXIT_CRASH;
	}
	/*
	 * A batch's answers leave in one write (oops.c gives stdout a 2 MiB buffer): a pipe of
	 * 1 MiB takes them whole, where 64 KiB would wake the reader a dozen times. Where standard
	 * output is not a pipe, the fcntl fails and changes nothing.
	 */
#ifdef F_SETPIPE_SZ
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
#endif
	while (read_line(line) == 0) {
		struct jobj o;
		if (line[0] != '\0' && offer_batch && batch_line(line)) {
			/* No worker runs: nothing in a batch is answered but as alone. */
			batch_refuse(line);
			continue;
		}
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
		} else if (oops_dead()) {
			oops_refuse();
		} else {
			answer_err("EINVAL", "boot first");
		}
		jobj_free(&o);
	}
	free(line);
	return 0;
}
