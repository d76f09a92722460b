/*
 * A tiny reader for the requests of docs/protocol.md: one flat JSON object per line whose values
 * are integers, strings, booleans, null or arrays of integers. That is all the suite sends, so
 * nothing more is parsed; anything else is reported as malformed (the harness answers EPROTO).
 */
#ifndef JSONLINE_H
#define JSONLINE_H

#include <stddef.h>

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

#endif
