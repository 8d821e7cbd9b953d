#include "cmdline/kexeccmd.h"
#include "cmdline/cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Drop every '"' from s (in place): the kernel's parser has no escape for it, and one left
 * unbalanced would swallow every parameter after it. */
static void unquote(char *s)
{
	char *d = s;

	for (; *s; s++)
		if (*s != '"')
			*d++ = *s;
	*d = '\0';
}

/* Whether s holds a character the kernel's parser splits at (isspace, as next_arg). */
static bool has_blank(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* Append str to out (len bytes, NUL kept) unless it is full. */
static void put(char *out, size_t len, size_t *used, const char *str, bool *full)
{
	for (; *str && !*full; str++) {
		if (*used + 1 >= len)
			*full = true;
		else
			out[(*used)++] = *str;
	}
	out[*used] = '\0';
}

/* One parameter (no '"' in it) as the next kernel reads it back: a key with blanks quotes
 * the whole parameter, a value with blanks is quoted. */
static int add(char *out, size_t len, size_t *used, const char *k, const char *v)
{
	bool qk = has_blank(k), qv = !qk && v && has_blank(v), full = false;

	put(out, len, used, *used ? " " : "", &full);
	put(out, len, used, qk ? "\"" : "", &full);
	put(out, len, used, k, &full);
	if (v) {
		put(out, len, used, qv ? "=\"" : "=", &full);
		put(out, len, used, v, &full);
	}
	put(out, len, used, qk || qv ? "\"" : "", &full);
	return full ? -ENOSPC : 0;
}

int kexec_cmdline_build(const char *cur, bool reuse, const char *label, char *out, size_t len)
{
	struct cmdline c;
	size_t used = 0, i;
	int rc = 0;

	if (!len)
		return -ENOSPC;
	out[0] = '\0';
	if (cmdline_split(cur, &c) < 0)
		return -ENOMEM;
	for (i = 0; i < c.n && rc == 0; i++) {
		char *k = c.v[i].key;

		/* decide on the key as the next kernel will read it */
		unquote(k);
		if (c.v[i].value)
			unquote(c.v[i].value);
		if (!*k && !c.v[i].value)
			continue;
		if (!c.v[i].value && strcmp(k, "--") == 0)
			continue; /* '--"' would come back as "--": the end of the kernel's parameters */
		if (strncmp(k, "bootc.kexec", 11) == 0 && (k[11] == '\0' || k[11] == '.'))
			continue;
		if (reuse && (strcmp(k, "root") == 0 || strcmp(k, "netroot") == 0))
			continue;
		if (label && strcmp(k, "bootclabel") == 0)
			continue;
		rc = add(out, len, &used, k, c.v[i].value);
	}
	cmdline_free(&c);
	if (rc == 0 && label)
		rc = add(out, len, &used, "bootclabel", label);
	if (rc == 0 && reuse)
		rc = add(out, len, &used, "bootc.kexec.reuse-image", "0");
	if (rc == 0 && reuse)
		rc = add(out, len, &used, "root", KEXEC_REUSE_ROOT);
	if (rc < 0)
		out[0] = '\0';
	return rc;
}
