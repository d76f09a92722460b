/* A request's fields, and the answer of a kernel return code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "harness.h"

void answer_rc(int rc, const char *why)
{
	if (rc == 0)
		answer_ok();
	else
		answer_err(rc == -ENOMEM ? "ENOMEM" : rc == -EFAULT ? "EFAULT" : "EINVAL", why);
}

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

int get_opt_int(const struct jobj *o, const char *key, long long *out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type == J_NULL)
		return 0;
	return get_int(o, key, out);
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

int get_flag(const struct jobj *o, const char *key)
{
	const struct jval *v = jobj_get(o, key);
	return v && v->type == J_BOOL && v->num;
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

long long opt(const struct jobj *o, const char *key, long long dflt, int *bad)
{
	long long v = dflt;
	if (get_opt_int(o, key, &v))
		*bad = 1;
	return v;
}
