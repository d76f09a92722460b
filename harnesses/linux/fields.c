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

int get_opt_int(const struct jobj *o, const char *key, long long *out)
{
	const struct jval *v = jobj_get(o, key);
	if (!v || v->type == J_NULL)
		return 0;
	return get_int(o, key, out);
}

int get_flag(const struct jobj *o, const char *key)
{
	const struct jval *v = jobj_get(o, key);
	return v && v->type == J_BOOL && v->num;
}

long long opt(const struct jobj *o, const char *key, long long dflt, int *bad)
{
	long long v = dflt;
	if (get_opt_int(o, key, &v))
		*bad = 1;
	return v;
}
