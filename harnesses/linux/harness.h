/*
 * What the protocol side's files share (harness.c: the first process and the boot/fork of a
 * worker; dispatch.c: the request loop of a worker; fields.c: a request's fields; pointers.c:
 * the pointers handed out; boot.c: boot and the CPU sets; objects.c: alloc, free and the
 * accesses; answers.c: hello, stats and inspect). Plain C: no kernel header.
 */
#ifndef PCPU_HARNESS_H
#define PCPU_HARNESS_H

#include <stdint.h>

#include "jsonline.h"

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
/* Not a worker's exit status: the worker oopsed and its request was answered EOOPS. */
#define EXIT_OOPS 256
/* PCPU_MIN_UNIT_SIZE: the largest size the kernel serves. */
#define MAX_SIZE 32768

/* harness.c: the first chunk's geometry of the command line, and the boot handed back. */
extern long first_static, first_reserved, first_dyn, first_atom;
/* The machine's layout of the command line: the nodes' boot memory in descending order. */
extern int node_order_reverse;
extern char *shared_line;

/* dispatch.c: read_line_init maps the input that every process reads (0, or -1). */
int read_line_init(void);
int read_line(char *buf);
const char *op_of(const struct jobj *o);
int parse(const char *line, struct jobj *o);
void worker(char *line);

/* fields.c: the fields jsonline.h does not serve (get_int, get_list, get_addr, hexval are its). */
void answer_rc(int rc, const char *why);
int get_opt_int(const struct jobj *o, const char *key, long long *out);
int get_flag(const struct jobj *o, const char *key);
long long opt(const struct jobj *o, const char *key, long long dflt, int *bad);

/* pointers.c */
int live_has(uint64_t p);
void live_add(uint64_t p);
void live_remove(uint64_t p);

/* boot.c: the CPU sets the protocol's hotplug events change (the allocator ignores them). */
extern int nr_cpus;
extern unsigned char *possible, *present, *online;
int do_boot(const struct jobj *o);
void do_hotplug(const char *op, long long cpu);

/* objects.c */
void do_alloc(const struct jobj *o);
void do_free(const struct jobj *o);
void do_ptr(const struct jobj *o);
void do_read(const struct jobj *o);
void do_write(const struct jobj *o);
void do_node(const struct jobj *o);

/* answers.c */
void do_hello(void);
void do_stats(void);
void do_inspect(void);

#endif
