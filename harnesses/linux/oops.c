/*
 * The oops answer of oops.h. The worker writes into one shared page what the first process
 * needs once the worker is dead: the id and op of the request it is answering, and, from its
 * signal handler, the signal, the faulting address and the stack's return addresses (the
 * handler only records; it returns with the default action restored, so the fault recurs
 * and the worker dies of it, as before). The first process names the functions with
 * addr2line (a tool of binutils, beside the compiler; without it the message gives the
 * addresses), which costs a process start only when the kernel has oopsed.
 */
#define _GNU_SOURCE
#include "oops.h"

#include <execinfo.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "batch.h"
#include "jsonline.h"

#define FRAMES 32
#define SHOWN_FRAMES 6
#define MESSAGE_BYTES 1024

struct shared {
	int busy;	   /* a request is being answered */
	long long id;	   /* its id */
	char op[32];	   /* its op */
	int signo;	   /* the signal the handler saw (0: none) */
	int code;	   /* si_code */
	uintptr_t addr;	   /* si_addr */
	uintptr_t bias;	   /* the executable's load bias, for addr2line */
	int nr_frames;	   /* frames[0] is the faulting instruction, then return addresses */
	uintptr_t frames[FRAMES];
	char bug[256];	   /* the BUG() text, if the kernel side called it */
};

static struct shared *sh;
static int dead;
static char dead_message[MESSAGE_BYTES];

void oops_prepare(void)
{
	if (!sh) {
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			  0);
		if (sh == MAP_FAILED) {
			sh = NULL;
			return;
		}
		/*
		 * A buffer larger than any answer line (1 MiB), so that an answer is written whole
		 * by its fflush or not at all: a worker that dies mid-answer leaves no partial line
		 * before the first process's EOOPS.
		 */
		setvbuf(stdout, NULL, _IOFBF, (2 << 20) + 4096);
	}
	memset(sh, 0, sizeof(*sh));
	dead = 0;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;
	return 1; /* the first object is the executable */
}

static void handler(int signo, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	void *frames[FRAMES];
	int n, from = 0, k = 0;

	if (!sh)
		return;
	sh->signo = signo;
	sh->code = si->si_code;
	sh->addr = (uintptr_t)si->si_addr;
	sh->frames[k++] = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	/* The unwinder passes the signal frame: skip to the interrupted instruction. */
	n = backtrace(frames, FRAMES);
	for (int i = 0; i < n; i++)
		if ((uintptr_t)frames[i] == sh->frames[0]) {
			from = i + 1;
			break;
		}
	for (int i = from; i < n && k < FRAMES; i++)
		sh->frames[k++] = (uintptr_t)frames[i];
	sh->nr_frames = k;
}

void oops_arm(void)
{
	static char altstack[64 << 10];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	void *one[1];
	const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };

	if (!sh)
		return;
	dl_iterate_phdr(first_object, &sh->bias);
	/* backtrace() loads the unwinder on first use: not in the handler. */
	backtrace(one, 1);
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

void oops_begin(const struct jobj *o)
{
	const struct jval *id = jobj_get(o, "id"), *op = jobj_get(o, "op");

	if (!sh || !id || id->type != J_INT)
		return;
	sh->id = id->num;
	snprintf(sh->op, sizeof(sh->op), "%s", op && op->type == J_STR ? op->str : "?");
	sh->busy = 1;
}

void oops_end(void)
{
	if (sh)
		sh->busy = 0;
}

void oops_note_bug(const char *file, int line, const char *what)
{
	const char *base = strrchr(file, '/');

	if (sh)
		snprintf(sh->bug, sizeof(sh->bug), "kernel BUG at %s:%d: %s", base ? base + 1 : file,
			 line, what);
}

static const char *signame(int signo)
{
	switch (signo) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	case SIGTRAP: return "SIGTRAP";
	default: return "a signal";
	}
}

/* Appends `s` to `out` (of `cap` bytes) as the inside of a JSON string. */
static void append_json(char *out, size_t cap, const char *s)
{
	size_t n = strlen(out);

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, cap - n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

/*
 * The kernel functions of the stack, innermost first, each "func at file:line" (inlined
 * functions too), up to the protocol side (harness.c); "" if addr2line cannot be run.
 */
static void functions(char *out, size_t cap)
{
	char exe[4096], args[SHOWN_FRAMES][32], buf[8192];
	char *argv[SHOWN_FRAMES + 8];
	int p[2], argc = 0, nr = 0;
	ssize_t len, got = 0;
	pid_t pid;

	out[0] = '\0';
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0 || pipe(p) < 0)
		return;
	exe[len] = '\0';
	argv[argc++] = "addr2line";
	argv[argc++] = "-f";
	argv[argc++] = "-i";
	argv[argc++] = "-p";
	argv[argc++] = "-s";
	argv[argc++] = "-e";
	argv[argc++] = exe;
	for (int i = 0; i < sh->nr_frames && nr < SHOWN_FRAMES; i++) {
		/* A return address is one past its call: look up the call. */
		uintptr_t a = sh->frames[i] - (i > 0) - sh->bias;
		if (sh->frames[i] < sh->bias)
			continue;
		snprintf(args[nr], sizeof(args[nr]), "0x%" PRIxPTR, a);
		argv[argc++] = args[nr++];
	}
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		close(p[0]);
		execvp("addr2line", argv);
		_exit(127);
	}
	close(p[1]);
	while ((len = read(p[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += len;
	close(p[0]);
	waitpid(pid, NULL, 0);
	buf[got] = '\0';
	/* One line per function: "f at file:line" or " (inlined by) f at file:line". */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *at = line;
		if (strncmp(at, " (inlined by) ", 14) == 0)
			at += 14;
		if (strstr(at, " at harness.c:") || strncmp(at, "??", 2) == 0)
			break;
		if (out[0])
			append_json(out, cap, " <- ");
		append_json(out, cap, at);
	}
}

int oops_answer(int status)
{
	char msg[MESSAGE_BYTES], fns[MESSAGE_BYTES / 2];

	if (!sh || !WIFSIGNALED(status) || !sh->busy || !sh->signo)
		return 0;
	snprintf(msg, sizeof(msg), "kernel oops: %s", signame(sh->signo));
	/* A general protection fault (a non-canonical address) gives the handler no address. */
	if (sh->signo == SIGSEGV && sh->code == SI_KERNEL)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " (general protection)");
	else if (sh->signo == SIGSEGV || sh->signo == SIGBUS)
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " at address 0x%" PRIxPTR,
			 sh->addr);
	if (sh->bug[0]) {
		append_json(msg, sizeof(msg), " (");
		append_json(msg, sizeof(msg), sh->bug);
		append_json(msg, sizeof(msg), ")");
	}
	functions(fns, sizeof(fns));
	if (fns[0])
		snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), " in %s", fns);
	/* In a batch: the answers the worker finished, this one, and the end of the list. */
	int in_batch = batch_in_flight();
	if (in_batch)
		batch_print_finished();
	printf("{\"id\":%lld,\"ok\":false,\"error\":\"EOOPS\",\"message\":\"%s\"}%s\n", sh->id,
	       msg, in_batch ? "]" : "");
	fflush(stdout);
	fprintf(stderr, "pcpu-linux: %s, answering %s (id %lld); the session is dead until the next boot\n",
		msg, sh->op, sh->id);
	snprintf(dead_message, sizeof(dead_message), "the kernel oopsed at request %lld (", sh->id);
	append_json(dead_message, sizeof(dead_message), sh->op);
	append_json(dead_message, sizeof(dead_message), "): boot again");
	dead = 1;
	return 1;
}

int oops_dead(void)
{
	return dead;
}

void oops_refuse(void)
{
	answer_err("EOOPS", dead_message);
}
