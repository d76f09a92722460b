/*
 * Cooperative threads on the real code (the capability `threads`, docs/protocol.md): up to
 * four threads, each started with one call (an allocation, a free, or one run of
 * pcpu_balance_workfn), each on a stack of its own (ucontext), and one baton: only the thread a
 * `thread_step` names runs, and only until its next lock boundary, so every run is
 * deterministic and the client decides every interleaving.
 *
 * The boundaries are the kernel's own: the stubs of mutex_lock, mutex_lock_killable,
 * mutex_unlock (include/pcpu_kernel.h) and of the spinlock calls (include/linux/spinlock.h)
 * call pcpu_harness_lock/unlock with the lock's name and the calling function's. In a thread,
 * the stub yields just before it takes a lock (the thread then waits for it: it runs again only
 * once no other thread holds it) and just after it drops one. The section between two
 * boundaries is reported with what it did: the lock taken at its start, the pages the kernel
 * mapped or unmapped, the TLB flushes, the vm areas made or freed, the balance work it
 * scheduled, and its accesses to pcpu_nr_empty_pop_pages (kshim.h routes the name here).
 *
 * Outside a thread (a plain request) the stubs only record that the lock is held, as before;
 * a plain alloc, free or reclaim is refused while a thread is started and not done (it would
 * meet the locks the thread holds).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "kapi.h"
#include "harness.h"
#include "threads_kapi.h"
#include "threads.h"

#define MAX_THREADS 4
#define MAX_LOCKS 4
#define STACK_BYTES (1 << 20)
#define TEXT_BYTES 1024

/* The kernel's own globals of a call's verdict, one view per thread (see switch_to). */
extern int pcpu_harness_illegal, pcpu_harness_warnings;

/* pcpu_nr_empty_pop_pages itself (kshim.h). */
static int nr_empty_pop_pages;

enum tstate { T_IDLE, T_READY, T_SUSPENDED, T_DONE };
enum tcall { C_ALLOC, C_FREE, C_BALANCE };

struct kthread {
	enum tstate state;
	enum tcall call;
	long long size, align;
	enum kapi_gfp gfp;
	uint64_t ptr;
	char label[96];
	ucontext_t ctx;
	char *stack;
	int held[MAX_LOCKS];
	/* The lock it takes when it next runs (-1: none), and the kernel function that takes it. */
	int want;
	/* The lock dropped at the end of the last section (-1: none). */
	int released;
	/* Whether it stops before each allocation that may sleep too, and stopped at one. */
	int yield_sleep, sleeping;
	const char *at;
	/* The section being run: what it did. */
	int took;
	const char *took_in;
	long mapped, unmapped, flushes, vm_made, vm_freed, pages_freed;
	int work, work_pending, resched, slept, accessed, empty_before;
	/* The verdict globals, as this thread sees them. */
	int illegal, warnings;
	/* The result, once done. */
	int rc;
	const char *why;
	uintptr_t result;
};

static struct kthread threads[MAX_THREADS + 1]; /* 1-based */
static int current; /* the thread running, 0 outside one */
static ucontext_t main_ctx;

static const char *lock_names[MAX_LOCKS];
static int nr_locks;
/* The holder of each lock: 0 none, -1 a plain request, else the thread. */
static int holder[MAX_LOCKS];

static int lock_index(const char *name)
{
	for (int i = 0; i < nr_locks; i++)
		if (strcmp(lock_names[i], name) == 0)
			return i;
	if (nr_locks == MAX_LOCKS) {
		fprintf(stderr, "pcpu-linux: more than %d locks (%s)\n", MAX_LOCKS, name);
		exit(EXIT_CRASH);
	}
	lock_names[nr_locks] = name;
	return nr_locks++;
}

int *pcpu_harness_nr_empty_pop_pages(void)
{
	if (current)
		threads[current].accessed = 1;
	return &nr_empty_pop_pages;
}

static void yield(void)
{
	struct kthread *t = &threads[current];
	t->state = T_SUSPENDED;
	swapcontext(&t->ctx, &main_ctx);
}

void pcpu_harness_lock(const char *name, const char *fn)
{
	int l = lock_index(name);
	if (!current) {
		if (holder[l] != 0) {
			fprintf(stderr, "pcpu-linux: a plain request takes %s in %s, held by thread %d\n",
				name, fn, holder[l]);
			exit(EXIT_CRASH);
		}
		holder[l] = -1;
		return;
	}
	struct kthread *t = &threads[current];
	t->want = l;
	t->at = fn;
	yield();
	/* Run again: thread_step saw the lock free. */
	holder[l] = current;
	t->held[l] = 1;
	t->took = l;
	t->took_in = fn;
}

void pcpu_harness_unlock(const char *name, const char *fn)
{
	int l = lock_index(name);
	if (!current) {
		holder[l] = 0;
		return;
	}
	struct kthread *t = &threads[current];
	if (holder[l] != current) {
		fprintf(stderr, "pcpu-linux: thread %d drops %s in %s, held by %d\n", current, name,
			fn, holder[l]);
		exit(EXIT_CRASH);
	}
	holder[l] = 0;
	t->held[l] = 0;
	t->released = l;
	t->at = fn;
	yield();
}

void pcpu_harness_note(enum pcpu_note what, long n, const char *fn)
{
	(void)fn;
	if (!current)
		return;
	struct kthread *t = &threads[current];
	switch (what) {
	case PCPU_NOTE_RESCHED:
		t->resched++;
		break;
	case PCPU_NOTE_WORK:
		t->work++;
		t->work_pending = n != 0;
		break;
	case PCPU_NOTE_MAP:
		t->mapped += n;
		break;
	case PCPU_NOTE_UNMAP:
		t->unmapped += n;
		break;
	case PCPU_NOTE_FLUSH:
		t->flushes++;
		break;
	case PCPU_NOTE_VM_GET:
		t->vm_made++;
		break;
	case PCPU_NOTE_VM_FREE:
		t->vm_freed++;
		break;
	case PCPU_NOTE_PAGE_FREE:
		t->pages_freed += n;
		break;
	case PCPU_NOTE_SLEEP:
		/*
		 * An allocation that may sleep is where the kernel may schedule: a thread started
		 * with sleep_points stops before it, so that another runs while it sleeps.
		 */
		if (t->yield_sleep) {
			t->sleeping = 1;
			t->at = fn;
			yield();
		}
		t->slept = 1;
		break;
	}
}

static void entry(void)
{
	struct kthread *t = &threads[current];
	switch (t->call) {
	case C_ALLOC:
		t->rc = kapi_alloc(t->size, t->align, t->gfp, 0, &t->result, &t->why);
		break;
	case C_FREE:
		t->rc = kapi_free((uintptr_t)t->ptr) && PCPU_BAD_FREE_TO_KERNEL ? -EINVAL : 0;
		t->why = "free: the kernel refused the pointer (it warned)";
		break;
	case C_BALANCE:
		kapi_reclaim();
		t->rc = 0;
		break;
	}
	t->state = T_DONE;
	swapcontext(&t->ctx, &main_ctx);
	/* A done thread is never run again. */
	abort();
}

/* Whether a thread is started and not done: the plain alloc, free and reclaim wait for it. */
int threads_refuse(const char *op)
{
	for (int i = 1; i <= MAX_THREADS; i++) {
		struct kthread *t = &threads[i];
		if (t->state == T_READY || t->state == T_SUSPENDED) {
			char msg[256];
			snprintf(msg, sizeof(msg),
				 "%s: thread %d (%s) is started and not done; expected every thread stepped to done (thread_step) before a plain alloc, free or reclaim",
				 op, i, t->label);
			answer_err("EINVAL", msg);
			return 1;
		}
	}
	return 0;
}

static int thread_of(const struct jobj *o, const char *op, long long *n)
{
	if (get_int(o, "thread", n))
		return -1;
	if (*n < 1 || *n > MAX_THREADS) {
		char msg[128];
		snprintf(msg, sizeof(msg), "%s: thread %lld: expected a thread number 1..%d", op, *n,
			 MAX_THREADS);
		answer_err("EINVAL", msg);
		return -1;
	}
	return 0;
}

void do_thread_start(const struct jobj *o)
{
	long long n;
	char msg[256];
	const struct jval *call = jobj_get(o, "call");
	if (thread_of(o, "thread_start", &n))
		return;
	struct kthread *t = &threads[n];
	if (t->state == T_READY || t->state == T_SUSPENDED) {
		snprintf(msg, sizeof(msg),
			 "thread_start: thread %lld is running %s (not done); expected a thread that is idle or done",
			 n, t->label);
		return answer_err("EINVAL", msg);
	}
	if (!call || call->type != J_STR)
		return answer_err("EPROTO", "field call: expected alloc, free or balance");
	struct kthread next = { 0 };
	if (strcmp(call->str, "alloc") == 0) {
		const struct jval *gfp = jobj_get(o, "gfp");
		next.call = C_ALLOC;
		if (get_int(o, "size", &next.size) || get_int(o, "align", &next.align))
			return;
		next.gfp = get_flag(o, "atomic") ? KAPI_GFP_ATOMIC : KAPI_GFP_KERNEL;
		if (gfp && gfp->type == J_STR) {
			if (strcmp(gfp->str, "noio") == 0)
				next.gfp = KAPI_GFP_NOIO;
			else if (strcmp(gfp->str, "nofs") == 0)
				next.gfp = KAPI_GFP_NOFS;
			else if (strcmp(gfp->str, "atomic") == 0)
				next.gfp = KAPI_GFP_ATOMIC;
			else if (strcmp(gfp->str, "kernel") != 0)
				return answer_err("EPROTO",
						  "field gfp: expected kernel, atomic, noio or nofs");
		}
		static const char *const gfps[] = { "", " atomic", " noio", " nofs" };
		snprintf(next.label, sizeof(next.label), "alloc %lld align %lld%s", next.size,
			 next.align, gfps[next.gfp]);
	} else if (strcmp(call->str, "free") == 0) {
		next.call = C_FREE;
		if (get_addr(o, "ptr", &next.ptr))
			return;
		snprintf(next.label, sizeof(next.label), "free 0x%" PRIx64, next.ptr);
		if (!live_has(next.ptr) && !PCPU_BAD_FREE_TO_KERNEL) {
			snprintf(msg, sizeof(msg),
				 "thread_start: %s: the pointer was never handed out or is already freed",
				 next.label);
			return answer_err("EINVAL", msg);
		}
		for (int i = 1; i <= MAX_THREADS; i++) {
			struct kthread *u = &threads[i];
			if (i != n && (u->state == T_READY || u->state == T_SUSPENDED) &&
			    u->call == C_FREE && u->ptr == next.ptr) {
				snprintf(msg, sizeof(msg),
					 "thread_start: %s: thread %d frees it already; expected a pointer no started thread frees",
					 next.label, i);
				return answer_err("EINVAL", msg);
			}
		}
	} else if (strcmp(call->str, "balance") == 0) {
		next.call = C_BALANCE;
		snprintf(next.label, sizeof(next.label), "balance");
	} else {
		return answer_err("EPROTO", "field call: expected alloc, free or balance");
	}
	if (!t->stack) {
		/* A stack with an inaccessible page below it: an overflow is an oops, not a scribble. */
		char *s = mmap(NULL, STACK_BYTES + 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s == MAP_FAILED || mprotect(s, 4096, PROT_NONE))
			return answer_err("ENOMEM", "thread_start: no memory for the thread's stack");
		t->stack = s + 4096;
	}
	next.yield_sleep = get_flag(o, "sleep_points");
	next.stack = t->stack;
	next.state = T_READY;
	next.want = next.released = next.took = -1;
	*t = next;
	getcontext(&t->ctx);
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = STACK_BYTES;
	t->ctx.uc_link = NULL;
	makecontext(&t->ctx, entry, 0);
	answer_ok();
}

static void put_locks(const char *key, const int *held)
{
	int first = 1;
	printf(",\"%s\":[", key);
	for (int l = 0; l < nr_locks; l++)
		if (held[l]) {
			printf("%s\"%s\"", first ? "" : ",", lock_names[l]);
			first = 0;
		}
	printf("]");
}

static void put_one(const char *key, int lock)
{
	printf(",\"%s\":[", key);
	if (lock >= 0)
		printf("\"%s\"", lock_names[lock]);
	printf("]");
}

/* The section's text: what it did, in the order it did it, and how it ended. */
static void put_section(const struct kthread *t)
{
	char text[TEXT_BYTES];
	size_t n = 0;
#define SAY(...)                                                                             \
	do {                                                                                 \
		if (n < sizeof(text))                                                        \
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", n ? ", " : ""); \
		if (n < sizeof(text))                                                        \
			n += (size_t)snprintf(text + n, sizeof(text) - n, __VA_ARGS__);       \
	} while (0)
	if (t->took >= 0)
		SAY("%s taken in %s", lock_names[t->took], t->took_in);
	if (t->vm_made)
		SAY("chunk's vm areas made (pcpu_create_chunk)");
	if (t->mapped)
		SAY("pages populated (%ld page mappings made)", t->mapped);
	if (t->unmapped)
		SAY("pages depopulated (%ld page mappings removed)", t->unmapped);
	if (t->pages_freed)
		SAY("%ld pages freed", t->pages_freed);
	if (t->flushes)
		SAY("TLB flushed");
	if (t->vm_freed)
		SAY("chunk's vm areas freed (pcpu_destroy_chunk)");
	if (t->accessed && nr_empty_pop_pages != t->empty_before)
		SAY("pcpu_nr_empty_pop_pages %d -> %d", t->empty_before, nr_empty_pop_pages);
	else if (t->accessed)
		SAY("pcpu_nr_empty_pop_pages read (%d)", nr_empty_pop_pages);
	if (t->work)
		SAY("balance work scheduled%s", t->work_pending ? " (already pending)" : "");
	if (t->resched)
		SAY("cond_resched");
	if (t->state == T_DONE) {
		if (t->rc)
			SAY("returned %s", t->rc == -EINVAL ? "EINVAL" : "ENOMEM");
		else if (t->call == C_ALLOC)
			SAY("returned 0x%" PRIxPTR, t->result);
		else
			SAY("returned");
	} else if (t->released >= 0) {
		SAY("%s dropped in %s", lock_names[t->released], t->at);
	} else if (t->want >= 0) {
		SAY("then takes %s in %s", lock_names[t->want], t->at);
	} else if (t->sleeping) {
		SAY("then sleeps in %s", t->at);
	}
#undef SAY
	printf(",\"section\":\"%s\"", text);
	if (t->state != T_DONE)
		printf(",\"in\":\"%s\"", t->at);
	int changed = t->accessed && nr_empty_pop_pages != t->empty_before;
	printf(",\"reads\":[%s]", t->accessed ? "\"pcpu_nr_empty_pop_pages\"" : "");
	printf(",\"writes\":[%s]", changed ? "\"pcpu_nr_empty_pop_pages\"" : "");
	printf(",\"sleeps\":%s", t->slept ? "true" : "false");
}

static void put_result(const struct kthread *t)
{
	printf(",\"result\":");
	if (t->rc) {
		printf("{\"ok\":false,\"error\":\"%s\",\"message\":\"%s\"}",
		       t->rc == -EINVAL ? "EINVAL" : "ENOMEM", t->why ? t->why : "");
	} else if (t->call == C_ALLOC) {
		printf("{\"ok\":true,\"ptr\":\"0x%" PRIxPTR "\"}", t->result);
	} else {
		printf("{\"ok\":true}");
	}
}

void do_thread_step(const struct jobj *o)
{
	long long n;
	char msg[320];
	if (thread_of(o, "thread_step", &n))
		return;
	struct kthread *t = &threads[n];
	if (t->state == T_IDLE || t->state == T_DONE) {
		snprintf(msg, sizeof(msg),
			 "thread_step: thread %lld is %s; expected a started thread that is not done",
			 n, t->state == T_IDLE ? "idle (never started)" : "done");
		return answer_err("EINVAL", msg);
	}
	if (t->want >= 0 && holder[t->want] != 0) {
		int by = holder[t->want];
		snprintf(msg, sizeof(msg),
			 "thread_step: thread %lld (%s) waits for %s, held by thread %d (%s); expected a runnable thread",
			 n, t->label, lock_names[t->want], by,
			 by > 0 ? threads[by].label : "a plain request");
		return answer_err("EINVAL", msg);
	}
	/* A fresh section. */
	t->took = -1;
	t->released = -1;
	t->want = -1;
	t->sleeping = 0;
	t->mapped = t->unmapped = t->flushes = t->vm_made = t->vm_freed = t->pages_freed = 0;
	t->work = t->work_pending = t->resched = t->slept = t->accessed = 0;
	t->empty_before = nr_empty_pop_pages;
	/* Each thread sees its own verdict globals; the plain requests keep theirs. */
	int main_illegal = pcpu_harness_illegal, main_warnings = pcpu_harness_warnings;
	pcpu_harness_illegal = t->illegal;
	pcpu_harness_warnings = t->warnings;
	current = (int)n;
	swapcontext(&main_ctx, &t->ctx);
	current = 0;
	t->illegal = pcpu_harness_illegal;
	t->warnings = pcpu_harness_warnings;
	pcpu_harness_illegal = main_illegal;
	pcpu_harness_warnings = main_warnings;

	answer_begin();
	printf(",\"thread\":%lld,\"state\":\"%s\"", n, t->state == T_DONE ? "done" : "boundary");
	put_section(t);
	put_one("release", t->released);
	put_one("acquire", t->want);
	put_locks("held", t->held);
	if (t->state == T_DONE) {
		put_result(t);
		if (t->rc == 0 && t->call == C_ALLOC)
			live_add(t->result);
		if (t->call == C_FREE)
			live_remove(t->ptr);
	}
	answer_end();
}

void do_thread_state(void)
{
	int first = 1;
	answer_begin();
	printf(",\"threads\":[");
	for (int i = 1; i <= MAX_THREADS; i++) {
		struct kthread *t = &threads[i];
		if (t->state == T_IDLE)
			continue;
		printf("%s{\"thread\":%d,\"call\":\"%s\"", first ? "" : ",", i, t->label);
		first = 0;
		if (t->state == T_DONE) {
			printf(",\"state\":\"done\"");
			put_result(t);
		} else if (t->want >= 0 && holder[t->want] != 0) {
			printf(",\"state\":\"waiting\",\"lock\":\"%s\",\"held_by\":%d",
			       lock_names[t->want], holder[t->want]);
		} else {
			printf(",\"state\":\"runnable\"");
		}
		if (t->state != T_DONE) {
			put_locks("held", t->held);
			put_one("acquire", t->want);
		}
		printf("}");
	}
	printf("]");
	answer_end();
}
