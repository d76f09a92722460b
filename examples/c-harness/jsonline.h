/*
 * A tiny reader for the requests of docs/protocol.md: one flat JSON object per line whose values
 * are integers, strings, booleans, null or arrays of integers. That is all the suite sends, so
 * nothing more is parsed; anything else is reported as malformed (the harness answers EPROTO).
 */
#ifndef JSONLINE_H
#define JSONLINE_H

#include <stddef.h>
#include <stdint.h>

enum jtype { J_INT, J_STR, J_BOOL, J_NULL, J_ARR };

struct jval {
	enum jtype type;
	long long num;      /* J_INT, J_BOOL (0 or 1) */
	char *str;          /* J_STR, NUL-terminated, unescaped */
	long long *arr;     /* J_ARR */
	size_t len;         /* J_ARR: entries */
};

#define JOBJ_MAX_FIELDS 24

struct jobj {
	char *keys[JOBJ_MAX_FIELDS];
	struct jval vals[JOBJ_MAX_FIELDS];
	size_t n;
};

/* Parses `line` into `obj` (strings and arrays are malloc'd); 0, or -1 with `err` set. */
int jobj_parse(const char *line, struct jobj *obj, const char **err);
void jobj_free(struct jobj *obj);
/* The value of `key`, or NULL. */
const struct jval *jobj_get(const struct jobj *obj, const char *key);

/*
 * The answer envelope: `answer_for` takes the id of the request being answered (none: the
 * answers carry "id":null); `answer_begin` prints `{"id":N,"ok":true` for the caller's fields,
 * `answer_end` closes the line; `answer_err` prints a whole error answer. Shared by every
 * harness of this repository (examples/c-harness, harnesses/linux).
 */
void answer_for(const struct jobj *obj);
int answer_has_id(void);
void answer_begin(void);
void answer_end(void);
void answer_ok(void);
void answer_err(const char *code, const char *message);
/* Prints `len` bytes as hexadecimal digits, two a byte (a `read` answer's `hex`). */
void put_hex(const uint8_t *data, size_t len);
/* Whether the last answer given was an error (ok: false): a batch stops there. */
int answer_failed(void);

/*
 * Digests (the capability `digest`, docs/protocol.md): `digest_bytes` is FNV-1a, 64 bits, over
 * the bytes in order. `get_unless` takes a read's `unless` (16 hexadecimal digits, the
 * digest most significant digit first) where `digests` is on, else ignores it: 0 with `given`
 * set where it is there, -1 after answering EPROTO where it is malformed. `answer_read`
 * answers a read: `"same":true` where `given` and the bytes' digest is `digest`, else `hex`.
 */
uint64_t digest_bytes(const uint8_t *data, size_t len);
int get_unless(const struct jobj *o, int digests, int *given, uint64_t *digest);
void answer_read(const uint8_t *data, size_t len, int given, uint64_t digest);

/*
 * Batches (the capability `batch`): a line that is a JSON list of requests, answered by one
 * line that is the list of their answers, in order, ending at the first error. Between
 * `answer_batch_begin` (it prints "[") and `answer_batch_end` (it prints "]" and ends the line)
 * the answers are joined by commas and nothing is flushed, so the batch is written at once.
 * `batch_line` says whether a line is a batch; `batch_split` cuts it into its requests (each
 * a string for jobj_parse), at most BATCH_MAX; `batch_refused` answers EPROTO for the
 * requests that may not be in a batch (hello, boot, quit) and returns 1 for them.
 */
#define BATCH_MAX 1024
#define BATCH_MAX_TEXT "1024"
struct jbatch {
	char **elems;
	size_t n;
};
void answer_batch_begin(void);
void answer_batch_end(void);
int batch_line(const char *line);
int batch_split(const char *line, struct jbatch *b, const char **err);
void batch_free(struct jbatch *b);
int batch_refused(const struct jobj *o);
/*
 * In a batch, "ptr": "@alloc" names the pointer the latest alloc before it in the batch
 * answered: `batch_note_alloc` keeps it (each alloc that succeeds), `batch_refer` puts it in
 * the request (EPROTO, returning -1, when no alloc of the batch answered before).
 */
void batch_note_alloc(uint64_t ptr);
int batch_refer(struct jobj *o);

/*
 * A request's fields: 0 when `key` is there with the right type (an integer, a list, a
 * hexadecimal address string of at most 64 bits), else they answer EPROTO naming the field
 * and return -1. `hexval` is a hexadecimal digit's value, or -1.
 */
int get_int(const struct jobj *o, const char *key, long long *out);
int get_list(const struct jobj *o, const char *key, const struct jval **out);
int get_addr(const struct jobj *o, const char *key, uint64_t *out);
int hexval(char c);

#endif
