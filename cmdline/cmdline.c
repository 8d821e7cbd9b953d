#include "cmdline/cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Cut the next parameter out of *p (modified in place), like the kernel's next_arg(). */
static char *next_param(char **p, char **value)
{
	char *args = *p, *param;
	size_t i, equals = 0;
	int in_quote = 0, quoted = 0;

	if (*args == '"') {
		args++;
		in_quote = quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	param = args;
	*value = NULL;
	if (equals) {
		args[equals] = '\0';
		*value = args + equals + 1;
		if (**value == '"') {
			(*value)++;
			if (i > 0 && args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		*p = args + i + 1;
	} else {
		*p = args + i;
	}
	while (isspace((unsigned char)**p))
		(*p)++;
	return param;
}

int cmdline_split(const char *line, struct cmdline *out)
{
	size_t cap = 16;
	char *p;

	memset(out, 0, sizeof(*out));
	out->buf = strdup(line ? line : "");
	out->v = calloc(cap, sizeof(*out->v));
	if (!out->buf || !out->v)
		goto err_nomem;
	p = out->buf;
	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		char *value, *key = next_param(&p, &value);

		if (!value && strcmp(key, "--") == 0)
			break;
		if (!*key && !value)
			continue;
		if (out->n == cap) {
			struct cmdline_param *nv = realloc(out->v, 2 * cap * sizeof(*nv));

			if (!nv)
				goto err_nomem;
			out->v = nv;
			cap *= 2;
		}
		out->v[out->n].key = key;
		out->v[out->n].value = value;
		out->n++;
	}
	return 0;

err_nomem:
	cmdline_free(out);
	return -ENOMEM;
}

void cmdline_free(struct cmdline *c)
{
	free(c->v);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

const char *cmdline_get(const struct cmdline *c, const char *key, int *found)
{
	const char *v = NULL;
	size_t i;

	if (found)
		*found = 0;
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].key, key) == 0) {
			v = c->v[i].value;
			if (found)
				*found = 1;
		}
	}
	return v;
}
