/* See jsonline.h: a reader for flat JSON objects, one per line. */
#include "jsonline.h"

#include <stdio.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *p;
	const char *err;
};

static void skip_ws(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int parse_int(struct cursor *c, long long *out)
{
	char *end;
	errno = 0;
	if (!(*c->p == '-' || isdigit((unsigned char)*c->p))) {
		c->err = "expected an integer";
		return -1;
	}
	long long v = strtoll(c->p, &end, 10);
	if (errno == ERANGE) {
		c->err = "integer out of range";
		return -1;
	}
	if (*end == '.' || *end == 'e' || *end == 'E') {
		c->err = "expected an integer, not a fraction";
		return -1;
	}
	c->p = end;
	*out = v;
	return 0;
}

static int parse_string(struct cursor *c, char **out)
{
	if (*c->p != '"') {
		c->err = "expected a string";
		return -1;
	}
	c->p++;
	size_t cap = 16, n = 0;
	char *s = malloc(cap);
	if (!s)
		abort();
	while (*c->p != '"') {
		char ch = *c->p;
		if (ch == '\0') {
			free(s);
			c->err = "a string is not closed";
			return -1;
		}
		if (ch == '\\') {
			c->p++;
			switch (*c->p) {
			case '"': ch = '"'; break;
			case '\\': ch = '\\'; break;
			case '/': ch = '/'; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u':
				/* Not needed by the suite: keep a placeholder. */
				for (int i = 0; i < 4; i++) {
					if (!isxdigit((unsigned char)c->p[1])) {
						free(s);
						c->err = "a bad \\u escape";
						return -1;
					}
					c->p++;
				}
				ch = '?';
				break;
			default:
				free(s);
				c->err = "a bad escape";
				return -1;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			s = realloc(s, cap);
			if (!s)
				abort();
		}
		s[n++] = ch;
		c->p++;
	}
	c->p++;
	s[n] = '\0';
	*out = s;
	return 0;
}

static int parse_value(struct cursor *c, struct jval *v)
{
	memset(v, 0, sizeof(*v));
	skip_ws(c);
	if (*c->p == '"') {
		v->type = J_STR;
		return parse_string(c, &v->str);
	}
	if (strncmp(c->p, "true", 4) == 0) {
		v->type = J_BOOL;
		v->num = 1;
		c->p += 4;
		return 0;
	}
	if (strncmp(c->p, "false", 5) == 0) {
		v->type = J_BOOL;
		c->p += 5;
		return 0;
	}
	if (strncmp(c->p, "null", 4) == 0) {
		v->type = J_NULL;
		c->p += 4;
		return 0;
	}
	if (*c->p == '[') {
		size_t cap = 8;
		v->type = J_ARR;
		v->arr = malloc(cap * sizeof(long long));
		if (!v->arr)
			abort();
		c->p++;
		skip_ws(c);
		if (*c->p == ']') {
			c->p++;
			return 0;
		}
		for (;;) {
			long long x;
			skip_ws(c);
			if (parse_int(c, &x) < 0)
				return -1;
			if (v->len == cap) {
				cap *= 2;
				v->arr = realloc(v->arr, cap * sizeof(long long));
				if (!v->arr)
					abort();
			}
			v->arr[v->len++] = x;
			skip_ws(c);
			if (*c->p == ',') {
				c->p++;
				continue;
			}
			if (*c->p == ']') {
				c->p++;
				return 0;
			}
			c->err = "expected , or ] in a list";
			return -1;
		}
	}
	v->type = J_INT;
	return parse_int(c, &v->num);
}

int jobj_parse(const char *line, struct jobj *obj, const char **err)
{
	struct cursor c = { line, NULL };
	memset(obj, 0, sizeof(*obj));
	skip_ws(&c);
	if (*c.p != '{') {
		*err = "expected a JSON object";
		return -1;
	}
	c.p++;
	skip_ws(&c);
	if (*c.p == '}') {
		c.p++;
	} else {
		for (;;) {
			if (obj->n == JOBJ_MAX_FIELDS) {
				c.err = "too many fields";
				goto fail;
			}
			skip_ws(&c);
			char *key;
			if (parse_string(&c, &key) < 0)
				goto fail;
			obj->keys[obj->n] = key;
			skip_ws(&c);
			if (*c.p != ':') {
				obj->n++;
				c.err = "expected : after a key";
				goto fail;
			}
			c.p++;
			if (parse_value(&c, &obj->vals[obj->n]) < 0) {
				obj->n++;
				goto fail;
			}
			obj->n++;
			skip_ws(&c);
			if (*c.p == ',') {
				c.p++;
				continue;
			}
			if (*c.p == '}') {
				c.p++;
				break;
			}
			c.err = "expected , or } in an object";
			goto fail;
		}
	}
	skip_ws(&c);
	if (*c.p != '\0') {
		c.err = "text after the object";
		goto fail;
	}
	return 0;
fail:
	*err = c.err ? c.err : "malformed JSON";
	jobj_free(obj);
	return -1;
}

void jobj_free(struct jobj *obj)
{
	for (size_t i = 0; i < obj->n; i++) {
		free(obj->keys[i]);
		free(obj->vals[i].str);
		free(obj->vals[i].arr);
	}
	obj->n = 0;
}

const struct jval *jobj_get(const struct jobj *obj, const char *key)
{
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return &obj->vals[i];
	return NULL;
}

/* ---- answers ---- */

static long long cur_id;
static int have_id;
/* In a batch: answers are joined by commas on one line; `batch_count` answers given so far. */
static int in_batch;
static size_t batch_count;
static int last_failed;

void answer_for(const struct jobj *obj)
{
	const struct jval *id = obj ? jobj_get(obj, "id") : NULL;
	have_id = id && id->type == J_INT;
	cur_id = have_id ? id->num : 0;
}

int answer_has_id(void)
{
	return have_id;
}

/* A comma before every answer of a batch but the first. */
static void separate(void)
{
	if (in_batch && batch_count++ > 0)
		putchar(',');
}

void answer_begin(void)
{
	separate();
	last_failed = 0;
	if (have_id)
		printf("{\"id\":%lld,\"ok\":true", cur_id);
	else
		printf("{\"id\":null,\"ok\":true");
}

/* The end of a line, written out at once: an answer alone, or a whole batch. */
static void end_line(void)
{
	if (in_batch)
		return;
	putchar('\n');
	fflush(stdout);
}

void answer_end(void)
{
	putchar('}');
	end_line();
}

void answer_ok(void)
{
	answer_begin();
	answer_end();
}

void answer_err(const char *code, const char *message)
{
	separate();
	last_failed = 1;
	if (have_id)
		printf("{\"id\":%lld,\"ok\":false,\"error\":\"%s\",\"message\":\"%s\"}", cur_id, code,
		       message);
	else
		printf("{\"id\":null,\"ok\":false,\"error\":\"%s\",\"message\":\"%s\"}", code, message);
	end_line();
}

int answer_failed(void)
{
	return last_failed;
}

/* The pointer the latest alloc of the batch answered, for "ptr": "@alloc". */
static char batch_alloc[24];

void batch_note_alloc(uint64_t ptr)
{
	snprintf(batch_alloc, sizeof(batch_alloc), "0x%llx", (unsigned long long)ptr);
}

int batch_refer(struct jobj *o)
{
	for (size_t i = 0; i < o->n; i++) {
		struct jval *v = &o->vals[i];
		if (strcmp(o->keys[i], "ptr") != 0 || v->type != J_STR || strcmp(v->str, "@alloc") != 0)
			continue;
		if (!batch_alloc[0]) {
			answer_err("EPROTO", "ptr @alloc: no alloc of this batch answered before it");
			return -1;
		}
		free(v->str);
		v->str = strdup(batch_alloc);
		if (!v->str)
			abort();
	}
	return 0;
}

void answer_batch_begin(void)
{
	batch_alloc[0] = '\0';
	putchar('[');
	in_batch = 1;
	batch_count = 0;
	last_failed = 0;
}

void answer_batch_end(void)
{
	in_batch = 0;
	putchar(']');
	end_line();
}

void put_hex(const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char buf[8192];
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		buf[n++] = digits[data[i] >> 4];
		buf[n++] = digits[data[i] & 15];
		if (n == sizeof(buf)) {
			fwrite(buf, 1, n, stdout);
			n = 0;
		}
	}
	fwrite(buf, 1, n, stdout);
}

/* ---- digests ---- */

uint64_t digest_bytes(const uint8_t *data, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= data[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int get_unless(const struct jobj *o, int digests, int *given, uint64_t *digest)
{
	const struct jval *v = digests ? jobj_get(o, "unless") : NULL;
	*given = 0;
	if (!v)
		return 0;
	uint64_t d = 0;
	int good = v->type == J_STR && strlen(v->str) == 16;
	for (int i = 0; good && i < 16; i++) {
		int x = hexval(v->str[i]);
		good = x >= 0;
		d = d << 4 | (uint64_t)(x < 0 ? 0 : x);
	}
	if (!good) {
		answer_err("EPROTO", "field unless: expected a digest, 16 hexadecimal digits");
		return -1;
	}
	*given = 1;
	*digest = d;
	return 0;
}

void answer_read(const uint8_t *data, size_t len, int given, uint64_t digest)
{
	answer_begin();
	if (given && digest_bytes(data, len) == digest) {
		fputs(",\"same\":true", stdout);
	} else {
		fputs(",\"hex\":\"", stdout);
		put_hex(data, len);
		putchar('"');
	}
	answer_end();
}

/* ---- batches ---- */

int batch_line(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '[';
}

void batch_free(struct jbatch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->elems[i]);
	free(b->elems);
	b->elems = NULL;
	b->n = 0;
}

int batch_split(const char *line, struct jbatch *b, const char **err)
{
	const char *p = line;
	size_t cap = 0;
	memset(b, 0, sizeof(*b));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '[') {
		*err = "a batch is a JSON list";
		return -1;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '{') {
			*err = b->n == 0 && *p == ']' ? "a batch holds at least one request"
						      : "a batch holds JSON objects, separated by commas";
			goto fail;
		}
		/* A request is a flat object: it ends at the first } outside a string. */
		const char *start = p;
		int in_string = 0;
		for (; *p && (in_string || *p != '}'); p++) {
			if (in_string && *p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = !in_string;
		}
		if (*p != '}') {
			*err = "a request of the batch is not closed";
			goto fail;
		}
		p++;
		if (b->n == BATCH_MAX) {
			*err = "a batch holds at most " BATCH_MAX_TEXT " requests";
			goto fail;
		}
		if (b->n == cap) {
			cap = cap ? 2 * cap : 16;
			b->elems = realloc(b->elems, cap * sizeof(*b->elems));
			if (!b->elems)
				abort();
		}
		size_t len = (size_t)(p - start);
		char *e = malloc(len + 1);
		if (!e)
			abort();
		memcpy(e, start, len);
		e[len] = '\0';
		b->elems[b->n++] = e;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']')
			break;
		*err = "expected , or ] in a batch";
		goto fail;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0') {
		*err = "text after the batch";
		goto fail;
	}
	return 0;
fail:
	batch_free(b);
	return -1;
}

int batch_refused(const struct jobj *o)
{
	const struct jval *op = jobj_get(o, "op");
	if (op && op->type == J_STR &&
	    (!strcmp(op->str, "hello") || !strcmp(op->str, "boot") || !strcmp(op->str, "quit"))) {
		answer_err("EPROTO", "hello, boot and quit are not sent in a batch");
		return 1;
	}
	return 0;
}

/* Request fields: 0 when present with the right type, else they answer EPROTO. */

int get_int(const struct jobj *o, const char *key, long long *out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type != J_INT) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected an integer", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = v->num;
	return 0;
}

int get_list(const struct jobj *o, const char *key, const struct jval **out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type != J_ARR) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected a list of integers", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = v;
	return 0;
}

int get_addr(const struct jobj *o, const char *key, uint64_t *out)
{
	const struct jval *v = jobj_get(o, key);
	char *endp;
	if (!v || v->type != J_STR || strncmp(v->str, "0x", 2) != 0 || v->str[2] == '\0' ||
	    strlen(v->str) > 18) {
		char msg[96];
		snprintf(msg, sizeof(msg), "field %s: expected a hexadecimal address string", key);
		answer_err("EPROTO", msg);
		return -1;
	}
	*out = strtoull(v->str + 2, &endp, 16);
	if (*endp != '\0') {
		answer_err("EPROTO", "an address has a character that is not hexadecimal");
		return -1;
	}
	return 0;
}

/* The value of a hexadecimal digit, or -1. */
int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
