/* cpiolist: gen_init_cpio list parser (see cpiolist.h). */
#include "tools/cpiolist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/errbuf.h"

#define MAX_TOKENS 64		/* type + fields + hard links accepted on one line */

struct kind_desc {
	const char *word;	/* first token of the line */
	enum cpio_kind kind;
	size_t nfields;		/* tokens after the keyword (file: the minimum) */
	const char *usage;	/* for error messages */
};

static const struct kind_desc kinds[] = {
	{ "file", CPIO_FILE, 5, "file <name> <location> <mode> <uid> <gid> [<hard links>]" },
	{ "dir", CPIO_DIR, 4, "dir <name> <mode> <uid> <gid>" },
	{ "nod", CPIO_NOD, 7, "nod <name> <mode> <uid> <gid> <b|c> <maj> <min>" },
	{ "slink", CPIO_SLINK, 5, "slink <name> <target> <mode> <uid> <gid>" },
	{ "pipe", CPIO_PIPE, 4, "pipe <name> <mode> <uid> <gid>" },
	{ "sock", CPIO_SOCK, 4, "sock <name> <mode> <uid> <gid>" },
};

struct tok {
	const char *p;
	size_t len;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse an unsigned number of the given base that fits max; the whole token must be digits. */
static int parse_num(const struct tok *t, int base, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	if (!t->len)
		return -EINVAL;
	for (i = 0; i < t->len; i++) {
		int d;
		char c = t->p[i];

		if (c < '0' || c > '9')
			return -EINVAL;
		d = c - '0';
		if (d >= base)
			return -EINVAL;
		if (v > (max - (unsigned long)d) / (unsigned long)base)
			return -ERANGE;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	*out = (unsigned)v;
	return 0;
}

static char *tokdup(const struct tok *t)
{
	char *s = malloc(t->len + 1);

	if (!s)
		return NULL;
	memcpy(s, t->p, t->len);
	s[t->len] = 0;
	return s;
}

/* A name in the archive: not empty once leading '/' are dropped, no ".." component. */
static int check_name(const struct tok *t, char *err, size_t errlen)
{
	size_t i = 0, start;

	if (t->len > CPIOLIST_MAX_PATH) {
		seterr(err, errlen, "name longer than %d bytes", CPIOLIST_MAX_PATH);
		return -EINVAL;
	}
	while (i < t->len && t->p[i] == '/')
		i++;
	if (i == t->len) {
		seterr(err, errlen, "name '%.*s' is empty or '/'; expected a path such as /init",
		       (int)t->len, t->p);
		return -EINVAL;
	}
	while (i < t->len) {
		start = i;
		while (i < t->len && t->p[i] != '/')
			i++;
		if (i - start == 2 && t->p[start] == '.' && t->p[start + 1] == '.') {
			seterr(err, errlen, "name '%.*s' contains '..'; expected a path inside the archive",
			       (int)t->len, t->p);
			return -EINVAL;
		}
		while (i < t->len && t->p[i] == '/')
			i++;
	}
	return 0;
}

/* Copy a file location, replacing each ${NAME} by env(NAME). */
static int expand(const struct tok *t, cpiolist_env_fn env, void *envctx, char **out,
		  char *err, size_t errlen)
{
	size_t cap = t->len + 1, n = 0, i = 0;
	char *s = malloc(cap);

	if (!s)
		return -ENOMEM;
	while (i < t->len) {
		const char *val = NULL;
		size_t vlen, add = 1;

		if (env && t->p[i] == '$' && i + 1 < t->len && t->p[i + 1] == '{') {
			size_t j = i + 2;
			char name[256];

			while (j < t->len && t->p[j] != '}')
				j++;
			if (j == t->len || j - (i + 2) == 0 || j - (i + 2) >= sizeof(name)) {
				seterr(err, errlen, "bad variable in location '%.*s'; expected ${NAME}",
				       (int)t->len, t->p);
				free(s);
				return -EINVAL;
			}
			memcpy(name, t->p + i + 2, j - (i + 2));
			name[j - (i + 2)] = 0;
			val = env(envctx, name);
			if (!val) {
				seterr(err, errlen, "variable ${%s} in location is not set", name);
				free(s);
				return -EINVAL;
			}
			vlen = strlen(val);
			add = vlen;
			i = j + 1;
		} else {
			val = t->p + i;
			i++;
		}
		if (n + add + 1 > CPIOLIST_MAX_PATH + 1) {
			seterr(err, errlen, "location longer than %d bytes", CPIOLIST_MAX_PATH);
			free(s);
			return -EINVAL;
		}
		if (n + add + 1 > cap) {
			char *ns;

			cap = (n + add + 1) * 2;
			ns = realloc(s, cap);
			if (!ns) {
				free(s);
				return -ENOMEM;
			}
			s = ns;
		}
		memcpy(s + n, val, add);
		n += add;
	}
	s[n] = 0;
	if (!n) {
		seterr(err, errlen, "location '%.*s' expands to nothing", (int)t->len, t->p);
		free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

void cpiolist_entry_free(struct cpio_entry *e)
{
	size_t i;

	if (!e)
		return;
	free(e->name);
	free(e->source);
	for (i = 0; i < e->nlinks; i++)
		free(e->links[i]);
	free(e->links);
	memset(e, 0, sizeof(*e));
}

int cpiolist_parse_line(const char *line, size_t len, struct cpio_entry *out,
			cpiolist_env_fn env, void *envctx, char *err, size_t errlen)
{
	struct tok tok[MAX_TOKENS];
	const struct kind_desc *kd = NULL;
	size_t nt = 0, i = 0, k, f;
	struct cpio_entry e;
	int rc;

	memset(&e, 0, sizeof(e));
	while (i < len) {
		while (i < len && is_space(line[i]))
			i++;
		if (i >= len || line[i] == '\n')
			break;
		if (nt == 0 && line[i] == '#')
			return 1;
		if (nt == MAX_TOKENS) {
			seterr(err, errlen, "more than %d fields on one line", MAX_TOKENS);
			return -EINVAL;
		}
		tok[nt].p = line + i;
		while (i < len && !is_space(line[i]) && line[i] != '\n') {
			if (line[i] == '\0') {
				seterr(err, errlen, "NUL byte in line; expected text");
				return -EINVAL;
			}
			i++;
		}
		tok[nt].len = (size_t)(line + i - tok[nt].p);
		nt++;
	}
	if (!nt)
		return 1;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strlen(kinds[k].word) == tok[0].len && !memcmp(kinds[k].word, tok[0].p, tok[0].len))
			kd = &kinds[k];
	if (!kd) {
		seterr(err, errlen, "unknown entry type '%.*s'; expected file, dir, nod, slink, pipe or sock",
		       (int)(tok[0].len > 32 ? 32 : tok[0].len), tok[0].p);
		return -EINVAL;
	}
	if (nt - 1 < kd->nfields || (kd->kind != CPIO_FILE && nt - 1 > kd->nfields)) {
		seterr(err, errlen, "%s: %zu fields; expected '%s'", kd->word, nt - 1, kd->usage);
		return -EINVAL;
	}
	e.kind = kd->kind;
	rc = check_name(&tok[1], err, errlen);
	if (rc)
		return rc;
	/* Field index of <mode>: after the source for file and slink. */
	f = (kd->kind == CPIO_FILE || kd->kind == CPIO_SLINK) ? 3 : 2;
	if (parse_num(&tok[f], 8, CPIOLIST_MAX_MODE, &e.mode)) {
		seterr(err, errlen, "%s: bad mode '%.*s'; expected octal permission bits <= 07777",
		       kd->word, (int)(tok[f].len > 32 ? 32 : tok[f].len), tok[f].p);
		return -EINVAL;
	}
	if (parse_num(&tok[f + 1], 10, 0xffffffffUL, &e.uid) ||
	    parse_num(&tok[f + 2], 10, 0xffffffffUL, &e.gid)) {
		seterr(err, errlen, "%s: bad uid/gid '%.*s %.*s'; expected decimal numbers", kd->word,
		       (int)(tok[f + 1].len > 32 ? 32 : tok[f + 1].len), tok[f + 1].p,
		       (int)(tok[f + 2].len > 32 ? 32 : tok[f + 2].len), tok[f + 2].p);
		return -EINVAL;
	}
	if (kd->kind == CPIO_NOD) {
		if (tok[5].len != 1 || (tok[5].p[0] != 'b' && tok[5].p[0] != 'c')) {
			seterr(err, errlen, "nod: bad device type '%.*s'; expected b or c",
			       (int)(tok[5].len > 32 ? 32 : tok[5].len), tok[5].p);
			return -EINVAL;
		}
		e.devtype = tok[5].p[0];
		if (parse_num(&tok[6], 10, 0xffffffffUL, &e.major) ||
		    parse_num(&tok[7], 10, 0xffffffffUL, &e.minor)) {
			seterr(err, errlen, "nod: bad device number; expected decimal <maj> <min>");
			return -EINVAL;
		}
	}
	if (kd->kind == CPIO_SLINK && (tok[2].len == 0 || tok[2].len > CPIOLIST_MAX_PATH)) {
		seterr(err, errlen, "slink: target longer than %d bytes", CPIOLIST_MAX_PATH);
		return -EINVAL;
	}
	for (k = 6; kd->kind == CPIO_FILE && k < nt; k++) {
		rc = check_name(&tok[k], err, errlen);
		if (rc)
			return rc;
	}
	rc = -ENOMEM;
	e.name = tokdup(&tok[1]);
	if (!e.name)
		goto err_free;
	if (kd->kind == CPIO_FILE) {
		rc = expand(&tok[2], env, envctx, &e.source, err, errlen);
		if (rc)
			goto err_free;
		rc = -ENOMEM;
		if (nt > 6) {
			e.links = calloc(nt - 6, sizeof(*e.links));
			if (!e.links)
				goto err_free;
			for (k = 6; k < nt; k++) {
				e.links[e.nlinks] = tokdup(&tok[k]);
				if (!e.links[e.nlinks])
					goto err_free;
				e.nlinks++;
			}
		}
	} else if (kd->kind == CPIO_SLINK) {
		e.source = tokdup(&tok[2]);
		if (!e.source)
			goto err_free;
	}
	*out = e;
	return 0;

err_free:
	cpiolist_entry_free(&e);
	return rc;
}

void cpiolist_free(struct cpio_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		cpiolist_entry_free(&l->e[i]);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

int cpiolist_parse(struct cpio_list *l, const char *buf, size_t len,
		   cpiolist_env_fn env, void *envctx, char *err, size_t errlen)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct cpio_entry e;
		char lerr[256] = "";
		int rc;

		lineno++;
		rc = cpiolist_parse_line(buf + pos, llen, &e, env, envctx, lerr, sizeof(lerr));
		pos += llen + (nl ? 1 : 0);
		if (rc == 1)
			continue;
		if (rc < 0) {
			seterr(err, errlen, "line %u: %s", lineno, rc == -ENOMEM ? "out of memory" : lerr);
			return rc;
		}
		if (l->n == l->cap) {
			size_t ncap = l->cap ? l->cap * 2 : 64;
			struct cpio_entry *ne = realloc(l->e, ncap * sizeof(*ne));

			if (!ne) {
				cpiolist_entry_free(&e);
				seterr(err, errlen, "line %u: out of memory", lineno);
				return -ENOMEM;
			}
			l->e = ne;
			l->cap = ncap;
		}
		e.line = lineno;
		l->e[l->n++] = e;
	}
	return 0;
}
