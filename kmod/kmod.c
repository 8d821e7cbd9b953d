/* kmod: kernel module loading for PID 1 (see kmod.h). */
#include "kmod/kmod.h"
#include "util/clock.h"
#include "util/fsutil.h"
#include "util/thread.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <lzma.h>
#include <pthread.h>
#include <zstd.h>
#include <zstd_errors.h>

#define MAX_INDEX_BYTES (64u << 20)	/* refuse index files larger than this */
#define MAX_MODULE_BYTES (256u << 20)	/* refuse a module that decompresses to more */
#define MAX_JOBS 16			/* threads inserting modules at once (kmod_set_jobs) */
#define MAX_LOAD_DEPTH 32		/* nesting of dependencies, soft deps and aliases */
#define MAX_SYSFS_DEPTH 32		/* deepest directory walked under /sys/devices */
#define MODALIAS_MAX 4096		/* a modalias file is one line shorter than a page */
#define MSG_MAX 512			/* one event line */
#define PARAMS_MAX 4096			/* parameter string handed to one module */
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4	/* finit_module flag: kernel decompresses (Linux 5.17+) */
#endif

/* MOD_QUEUED: planned in the current batch (see "batches" below), not inserted yet. */
enum mod_state { MOD_NEW, MOD_LOADING, MOD_QUEUED, MOD_PRESENT, MOD_FAILED };

struct module {
	char *name;		/* normalised: '-' replaced by '_' */
	char *path;		/* as in modules.dep, relative to moddir */
	char **deps;		/* normalised names of the modules it needs, in modules.dep order */
	size_t ndeps;
	enum mod_state state;
	int rc;			/* MOD_FAILED: why */
	int blacklist_told;	/* the "blacklisted" event was sent */
	long bidx;		/* MOD_QUEUED: its node in the batch */
	unsigned hw_aliases;	/* aliases that are device modaliases (kmod_modalias_class) */
	unsigned other_aliases;	/* the others (fs-*, crypto-*, block-major-*, names) */
	int released;		/* its file was unlinked by kmod_release_unused */
};

/* A list of batch indices. */
struct idxlist {
	size_t *v;
	size_t n, cap;
};

/* One planned insertion: after every node in pre (its dependencies and pre: soft
 * dependencies, and for a post: soft dependency the module it follows). */
struct node {
	struct module *m;
	struct idxlist pre;
	long post_of;		/* a post: soft dependency of this node: skipped if that one failed */
	int soft;		/* a failure is a warning (loads for an alias or a soft dependency) */
	int started, done;
};

struct alias {
	char *pattern;		/* glob, normalised outside brackets */
	char *module;		/* normalised module name */
	size_t litlen;		/* leading bytes of pattern without glob characters */
};

struct softdep {
	char *module;
	char **pre, **post;
	size_t npre, npost;
};

struct param {
	char *module;		/* normalised module name */
	char *arg;		/* "param=value" as given to the module */
};

/* Open-addressing hash from a name to an index (+1; 0 means empty). */
struct table {
	uint32_t *slot;
	size_t cap, n;
};

struct kmod_ctx {
	char *moddir;
	char *sysfs;
	event_fn ev;
	void *evctx;
	kmod_insert_fn insert;
	void *insctx;

	char **bufs;		/* owned copies of the index files; all strings point into them */
	size_t nbufs;

	struct module *mods;
	size_t nmods, capmods;
	struct table modtab;	/* name -> mods[] */

	char **builtin;
	size_t nbuiltin, capbuiltin;
	struct table builtintab;

	struct alias *aliases;
	size_t naliases, capaliases;

	struct softdep *softdeps;
	size_t nsoftdeps, capsoftdeps;

	struct param *params;
	size_t nparams;

	char **blacklist;	/* normalised names whose aliases are ignored (kmod_blacklist) */
	size_t nblacklist, capblacklist;

	unsigned ninserted;	/* modules inserted by this context */
	unsigned classes;	/* KMOD_CLASS_* coldplug loads drivers for */

	/* batches: loads are planned first (planning = 1: the recursion queues nodes instead of
	 * inserting), then run by up to jobs threads, each node after the ones it needs */
	int planning;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct idxlist *collect;	/* the frame being planned: nodes it needs */
	long post_after;		/* planning a post: soft dependency of this node, or -1 */
	unsigned jobs;
	pthread_mutex_t lock;
	pthread_cond_t cond;

	/* kmod_load_background: a thread loading these names; every other call joins it first */
	pthread_t bg;
	int bg_running;
	char **bg_names;
	size_t bg_n;
};

static void event(struct kmod_ctx *k, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bg_wait(struct kmod_ctx *k);

static void event(struct kmod_ctx *k, int level, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (!k->ev)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k->ev(k->evctx, level, msg);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- names ------------------------------------------------------------------------------ */

static void normalize(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* End of a bracket expression starting at p ('['), or NULL if it is not closed. */
static const char *class_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++;
	for (; *q; q++) {
		if (*q == '\\' && q[1])
			q++;
		else if (*q == ']')
			return q;
	}
	return NULL;
}

/* Normalise '-' to '_' except inside bracket expressions, as modprobe does for aliases. */
static void normalize_alias(char *s)
{
	while (*s) {
		if (*s == '[') {
			const char *e = class_end(s);

			if (e) {
				s = (char *)e + 1;
				continue;
			}
		}
		if (*s == '-')
			*s = '_';
		s++;
	}
}

/* Module name from a path "kernel/x/foo-bar.ko[.xz]": "foo_bar" written into dst. */
static int name_from_path(const char *path, char *dst, size_t dstlen)
{
	const char *b = strrchr(path, '/');
	const char *dot;
	size_t n;

	b = b ? b + 1 : path;
	dot = strstr(b, ".ko");
	if (!dot || (dot[3] && dot[3] != '.') || dot == b)
		return -EINVAL;
	n = (size_t)(dot - b);
	if (n >= dstlen)
		return -ENAMETOOLONG;
	memcpy(dst, b, n);
	dst[n] = 0;
	normalize(dst);
	return 0;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* names[i] is the key of index i. */
static int table_put(struct table *t, char *const *names, size_t stride, size_t idx)
{
	const char *key = *(char *const *)((const char *)names + idx * stride);
	size_t i, mask;

	if ((t->n + 1) * 10 > t->cap * 7) {
		size_t ncap = t->cap ? t->cap * 2 : 64, j;
		uint32_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (j = 0; j < t->cap; j++) {
			uint32_t v = t->slot[j];
			const char *kk;

			if (!v)
				continue;
			kk = *(char *const *)((const char *)names + (v - 1) * stride);
			for (i = hash(kk) & (ncap - 1); ns[i]; i = (i + 1) & (ncap - 1))
				;
			ns[i] = v;
		}
		free(t->slot);
		t->slot = ns;
		t->cap = ncap;
	}
	mask = t->cap - 1;
	for (i = hash(key) & mask; t->slot[i]; i = (i + 1) & mask)
		;
	t->slot[i] = (uint32_t)(idx + 1);
	t->n++;
	return 0;
}

static long table_get(const struct table *t, char *const *names, size_t stride, const char *key)
{
	size_t i, mask;

	if (!t->cap)
		return -1;
	mask = t->cap - 1;
	for (i = hash(key) & mask; t->slot[i]; i = (i + 1) & mask) {
		uint32_t v = t->slot[i];
		const char *kk = *(char *const *)((const char *)names + (v - 1) * stride);

		if (!strcmp(kk, key))
			return (long)(v - 1);
	}
	return -1;
}

static struct module *find_module(struct kmod_ctx *k, const char *name)
{
	long i = table_get(&k->modtab, k->mods ? &k->mods[0].name : NULL, sizeof(struct module), name);

	return i < 0 ? NULL : &k->mods[i];
}

static int is_builtin(struct kmod_ctx *k, const char *name)
{
	return table_get(&k->builtintab, k->builtin, sizeof(char *), name) >= 0;
}

/* ---- index files -------------------------------------------------------------------------- */

/* Split s at spaces/tabs in place; returns the number of tokens (at most max). */
static size_t split(char *s, char **tok, size_t max, int *overflow)
{
	size_t n = 0;

	*overflow = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			*s++ = 0;
		if (!*s)
			return n;
		if (n == max) {
			*overflow = 1;
			return n;
		}
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
	}
}

#define MAX_LINE_TOKENS 512

static int parse_dep_line(struct kmod_ctx *k, char *line)
{
	char *colon = strchr(line, ':');
	char *tok[MAX_LINE_TOKENS], name[256];
	struct module m;
	size_t n, i;
	int overflow, rc;

	if (!colon)
		return -EINVAL;
	*colon = 0;
	n = split(line, tok, 2, &overflow);
	if (n != 1 || overflow || name_from_path(tok[0], name, sizeof(name)))
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.path = tok[0];
	n = split(colon + 1, tok, MAX_LINE_TOKENS, &overflow);
	if (overflow)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char dn[256];

		/* Dependencies become names, rewritten in place (they are never paths again). */
		if (name_from_path(tok[i], dn, sizeof(dn)))
			return -EINVAL;
		strcpy(tok[i], dn);
	}
	if (find_module(k, name)) {
		event(k, EV_DEBUG, "modules.dep: %s listed twice; the first entry wins", name);
		return 0;
	}
	m.name = strdup(name);
	if (!m.name)
		return -ENOMEM;
	if (n) {
		m.deps = malloc(n * sizeof(*m.deps));
		if (!m.deps) {
			free(m.name);
			return -ENOMEM;
		}
		memcpy(m.deps, tok, n * sizeof(*m.deps));
	}
	m.ndeps = n;
	rc = grow((void **)&k->mods, &k->capmods, k->nmods, sizeof(*k->mods));
	if (!rc) {
		k->mods[k->nmods] = m;
		rc = table_put(&k->modtab, &k->mods[0].name, sizeof(struct module), k->nmods);
		if (!rc)
			k->nmods++;
	}
	if (rc) {
		free(m.name);
		free(m.deps);
	}
	return rc;
}

static int parse_alias_line(struct kmod_ctx *k, char *line)
{
	char *tok[4];
	struct alias a;
	size_t n;
	int overflow;

	n = split(line, tok, 4, &overflow);
	if (n == 0)
		return 0;
	if (n != 3 || strcmp(tok[0], "alias") || strlen(tok[2]) >= 256)
		return -EINVAL;
	normalize_alias(tok[1]);
	normalize(tok[2]);
	a.pattern = tok[1];
	a.module = tok[2];
	a.litlen = strcspn(a.pattern, "*?[\\");
	if (grow((void **)&k->aliases, &k->capaliases, k->naliases, sizeof(*k->aliases)))
		return -ENOMEM;
	k->aliases[k->naliases++] = a;
	return 0;
}

static int parse_softdep_line(struct kmod_ctx *k, char *line)
{
	char *tok[MAX_LINE_TOKENS];
	struct softdep s;
	size_t n, i;
	int overflow, mode = 0;	/* 0: before pre:/post: (ignored, as modprobe does), 1 pre, 2 post */

	n = split(line, tok, MAX_LINE_TOKENS, &overflow);
	if (n == 0)
		return 0;
	if (overflow || n < 2 || strcmp(tok[0], "softdep") || !strcmp(tok[1], "pre:") ||
	    !strcmp(tok[1], "post:"))
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	normalize(tok[1]);
	s.module = tok[1];
	s.pre = calloc(n, sizeof(char *));
	s.post = calloc(n, sizeof(char *));
	if (!s.pre || !s.post)
		goto err_nomem;
	for (i = 2; i < n; i++) {
		if (!strcmp(tok[i], "pre:"))
			mode = 1;
		else if (!strcmp(tok[i], "post:"))
			mode = 2;
		else if (mode == 1)
			s.pre[s.npre++] = tok[i];
		else if (mode == 2)
			s.post[s.npost++] = tok[i];
		else
			event(k, EV_DEBUG, "modules.softdep: %s: '%s' is neither pre: nor post:; ignored",
			      s.module, tok[i]);
	}
	if (!s.npre && !s.npost) {
		free(s.pre);
		free(s.post);
		return 0;
	}
	if (grow((void **)&k->softdeps, &k->capsoftdeps, k->nsoftdeps, sizeof(*k->softdeps)))
		goto err_nomem;
	k->softdeps[k->nsoftdeps++] = s;
	return 0;

err_nomem:
	free(s.pre);
	free(s.post);
	return -ENOMEM;
}

static int parse_builtin_line(struct kmod_ctx *k, char *line)
{
	char *tok[2], name[256];
	size_t n;
	int overflow, rc;
	char *dup;

	n = split(line, tok, 2, &overflow);
	if (n == 0)
		return 0;
	if (n != 1 || name_from_path(tok[0], name, sizeof(name)))
		return -EINVAL;
	if (is_builtin(k, name))
		return 0;
	/* The path is not needed again: the name fits where it was. */
	dup = tok[0];
	strcpy(dup, name);
	rc = grow((void **)&k->builtin, &k->capbuiltin, k->nbuiltin, sizeof(*k->builtin));
	if (rc)
		return rc;
	k->builtin[k->nbuiltin] = dup;
	rc = table_put(&k->builtintab, k->builtin, sizeof(char *), k->nbuiltin);
	if (!rc)
		k->nbuiltin++;
	return rc;
}

static const char *const index_names[] = {
	[KMOD_INDEX_DEP] = "modules.dep",
	[KMOD_INDEX_ALIAS] = "modules.alias",
	[KMOD_INDEX_SOFTDEP] = "modules.softdep",
	[KMOD_INDEX_BUILTIN] = "modules.builtin",
};

static const char *const index_expect[] = {
	[KMOD_INDEX_DEP] = "'<path>.ko: <dependency>.ko ...'",
	[KMOD_INDEX_ALIAS] = "'alias <pattern> <module>'",
	[KMOD_INDEX_SOFTDEP] = "'softdep <module> pre: <names> post: <names>'",
	[KMOD_INDEX_BUILTIN] = "'<path>.ko'",
};

int kmod_parse_index(struct kmod_ctx *k, enum kmod_index which, const char *buf, size_t len)
{
	char *copy, *line, *next, **nb;
	unsigned lineno = 0;
	int bad = 0, rc;

	if (!k || (unsigned)which > KMOD_INDEX_BUILTIN || (!buf && len))
		return -EINVAL;
	bg_wait(k);
	if (len > MAX_INDEX_BYTES)
		return -EFBIG;
	nb = realloc(k->bufs, (k->nbufs + 1) * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	k->bufs = nb;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, buf, len);
	copy[len] = 0;
	k->bufs[k->nbufs++] = copy;
	for (line = copy; line < copy + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(copy + len - line));
		size_t l;

		next = nl ? nl + 1 : copy + len;
		if (nl)
			*nl = 0;
		lineno++;
		l = strlen(line);
		if (line + l != (nl ? nl : copy + len)) {
			rc = -EINVAL;	/* NUL byte inside the line */
		} else {
			char *p = line;

			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p || *p == '#' || (*p == '\r' && !p[1]))
				continue;
			switch (which) {
			case KMOD_INDEX_DEP:
				rc = parse_dep_line(k, line);
				break;
			case KMOD_INDEX_ALIAS:
				rc = parse_alias_line(k, line);
				break;
			case KMOD_INDEX_SOFTDEP:
				rc = parse_softdep_line(k, line);
				break;
			default:
				rc = parse_builtin_line(k, line);
				break;
			}
		}
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			bad++;
			event(k, EV_WARN, "%s:%u: malformed line ignored; expected %s",
			      index_names[which], lineno, index_expect[which]);
		}
	}
	return bad;
}

/* ---- glob ----------------------------------------------------------------------------------- */

/* Match c against the bracket expression at *pp ('['); advances *pp past ']'. -1: not closed. */
static int match_class(const char **pp, unsigned char c)
{
	const char *p = *pp + 1, *end = class_end(*pp);
	int neg = 0, hit = 0;

	if (!end)
		return -1;
	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	while (p < end) {
		unsigned char lo, hi;

		if (*p == '\\' && p + 1 < end)
			p++;
		lo = (unsigned char)*p++;
		hi = lo;
		if (*p == '-' && p + 1 < end) {
			p++;
			if (*p == '\\' && p + 1 < end)
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = 1;
	}
	*pp = end + 1;
	return hit != neg;
}

int kmod_glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;

	if (!p || !s)
		return 0;
	for (;;) {
		int hit;

		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			star_p = p;
			star_s = s;
			continue;
		}
		if (!*s)
			return !*p;
		if (*p == '?') {
			p++;
			hit = 1;
		} else if (*p == '[') {
			const char *q = p;

			hit = match_class(&q, (unsigned char)*s);
			if (hit < 0) {
				hit = *s == '[';
				p++;
			} else {
				p = q;
			}
		} else if (*p == '\\' && p[1]) {
			hit = p[1] == *s;
			p += 2;
		} else if (*p) {
			hit = *p == *s;
			p++;
		} else {
			hit = 0;
		}
		if (hit) {
			s++;
			continue;
		}
		if (!star_p)
			return 0;
		p = star_p;
		s = ++star_s;
	}
}

/* ---- loading -------------------------------------------------------------------------------- */

/* The whole file at fd into a malloc'ed buffer. */
static int read_fd(int fd, unsigned char **buf, size_t *len)
{
	struct stat st;
	unsigned char *b;
	size_t n = 0;

	if (fstat(fd, &st))
		return -errno;
	if ((uint64_t)st.st_size > MAX_MODULE_BYTES)
		return -EFBIG;
	b = malloc((size_t)st.st_size + 1);
	if (!b)
		return -ENOMEM;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(b);
			return r < 0 ? -errno : -EIO;
		}
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Decompress a whole .xz module: the output grows as needed, up to MAX_MODULE_BYTES. */
static int unxz_module(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	lzma_stream st = LZMA_STREAM_INIT;
	size_t cap = inlen * 4 + 4096, n = 0;
	unsigned char *o = NULL;
	int rc = 0;

	if (lzma_stream_decoder(&st, 64u << 20, 0) != LZMA_OK)
		return -ENOMEM;
	st.next_in = in;
	st.avail_in = inlen;
	for (;;) {
		lzma_ret r;

		if (n == cap || !o) {
			unsigned char *no;

			if (o) {
				if (cap >= MAX_MODULE_BYTES) {
					rc = -EFBIG;
					break;
				}
				cap = cap * 2 > MAX_MODULE_BYTES ? MAX_MODULE_BYTES : cap * 2;
			}
			no = realloc(o, cap);
			if (!no) {
				rc = -ENOMEM;
				break;
			}
			o = no;
		}
		st.next_out = o + n;
		st.avail_out = cap - n;
		r = lzma_code(&st, LZMA_FINISH);
		n = cap - st.avail_out;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK || (r == LZMA_BUF_ERROR && n == cap))
			continue;	/* more room needed */
		rc = r == LZMA_MEM_ERROR || r == LZMA_MEMLIMIT_ERROR ? -ENOMEM : -EBADMSG;	/* also: cut short */
		break;
	}
	lzma_end(&st);
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	*outlen = n;
	return 0;
}

/* Decompress a whole .zst (or .xz) module in memory (the output grows as needed, up to
 * MAX_MODULE_BYTES). -EBADMSG for a corrupt file, -EFBIG past the limit. */
static int unpack_module(int xz, const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	unsigned long long c;
	size_t cap = inlen * 4 + 4096, n = 0;
	unsigned char *o = NULL;
	int rc = 0;

	if (xz)
		return unxz_module(in, inlen, out, outlen);
	c = ZSTD_getFrameContentSize(in, inlen);
	if (c == ZSTD_CONTENTSIZE_ERROR)
		return -EBADMSG;
	if (c != ZSTD_CONTENTSIZE_UNKNOWN) {
		if (c > MAX_MODULE_BYTES)
			return -EFBIG;
		cap = (size_t)c + 1;
	}
	for (;;) {
		unsigned char *no = realloc(o, cap);
		size_t r;

		if (!no) {
			rc = -ENOMEM;
			break;
		}
		o = no;
		r = ZSTD_decompress(o, cap, in, inlen);
		if (!ZSTD_isError(r)) {
			n = r;
			break;
		}
		if (ZSTD_getErrorCode(r) != ZSTD_error_dstSize_tooSmall) {
			rc = ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? -ENOMEM : -EBADMSG;
			break;
		}
		if (cap >= MAX_MODULE_BYTES) {
			rc = -EFBIG;
			break;
		}
		cap = cap * 2 > MAX_MODULE_BYTES ? MAX_MODULE_BYTES : cap * 2;
	}
	if (rc) {
		free(o);
		return rc;
	}
	*out = o;
	*outlen = n;
	return 0;
}

int kmod_read_module(const char *path, unsigned char **buf, size_t *len)
{
	size_t l, inlen = 0;
	unsigned char *in = NULL;
	int fd, rc, zst, xz;

	if (!path || !buf || !len)
		return -EINVAL;
	l = strlen(path);
	zst = l > 4 && !strcmp(path + l - 4, ".zst");
	xz = l > 3 && !strcmp(path + l - 3, ".xz");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = read_fd(fd, &in, &inlen);
	close(fd);
	if (rc)
		return rc;
	if (!zst && !xz) {
		*buf = in;
		*len = inlen;
		return 0;
	}
	rc = unpack_module(xz, in, inlen, buf, len);
	free(in);
	return rc;
}

/* -1 not known yet, 0 the kernel cannot decompress modules (no CONFIG_MODULE_DECOMPRESS), 1 it can. */
static int kernel_decompresses = -1;

/* finit_module; a compressed module (.zst, .xz, .gz) goes to the kernel's own decompressor
 * when it has one, else (.zst, .xz) it is decompressed here and handed over by init_module.
 * The signature a module carries covers the uncompressed file, so either way it checks. */
static int default_insert(void *ctx, const char *path, const char *params)
{
	size_t l = strlen(path), outlen = 0;
	int zst = l > 4 && !strcmp(path + l - 4, ".zst"), xz = l > 3 && !strcmp(path + l - 3, ".xz");
	int gz = l > 3 && !strcmp(path + l - 3, ".gz"), fd, rc = 0;
	unsigned char *out = NULL;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!zst && !xz && !gz) {
		if (syscall(SYS_finit_module, fd, params, 0))
			rc = -errno;
		goto out_close;
	}
	if (__atomic_load_n(&kernel_decompresses, __ATOMIC_RELAXED) != 0 || gz) {
		if (syscall(SYS_finit_module, fd, params, MODULE_INIT_COMPRESSED_FILE) == 0)
			goto out_close;
		rc = -errno;
		/* EOPNOTSUPP: no decompressor; EINVAL: a kernel older than the flag (5.17) */
		if ((rc != -EOPNOTSUPP && rc != -EINVAL) || gz)
			goto out_close;
		__atomic_store_n(&kernel_decompresses, 0, __ATOMIC_RELAXED);
	}
	rc = kmod_read_module(path, &out, &outlen);
	if (!rc && syscall(SYS_init_module, out, (unsigned long)outlen, params))
		rc = -errno;
	free(out);
out_close:
	close(fd);
	return rc;
}

static int is_live(struct kmod_ctx *k, const char *name)
{
	char p[512];
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/module/%s", k->sysfs, name) >= sizeof(p))
		return 0;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "param=value param2=value2" for module name, from the command line parameters. */
static void build_params(struct kmod_ctx *k, const char *name, char *out, size_t outlen)
{
	size_t n = 0, i;

	out[0] = 0;
	for (i = 0; i < k->nparams; i++) {
		const char *a = k->params[i].arg;
		const char *eq = strchr(a, '=');
		int quote = eq && strpbrk(eq + 1, " \t") && eq[1] != '"';
		int w;

		if (strcmp(k->params[i].module, name))
			continue;
		if (quote)
			w = snprintf(out + n, outlen - n, "%s%.*s=\"%s\"", n ? " " : "", (int)(eq - a), a, eq + 1);
		else
			w = snprintf(out + n, outlen - n, "%s%s", n ? " " : "", a);
		if (w < 0 || (size_t)w >= outlen - n) {
			event(k, EV_WARN, "%s: parameters longer than %zu bytes; '%s' dropped", name,
			      outlen, a);
			out[n] = 0;
			continue;
		}
		n += (size_t)w;
	}
}

static int load_name(struct kmod_ctx *k, const char *name, int depth, int coldplug);

static void load_softdeps(struct kmod_ctx *k, const char *name, int post, int depth)
{
	size_t i, j;

	for (i = 0; i < k->nsoftdeps; i++) {
		const struct softdep *s = &k->softdeps[i];

		if (strcmp(s->module, name))
			continue;
		for (j = 0; j < (post ? s->npost : s->npre); j++) {
			const char *d = post ? s->post[j] : s->pre[j];
			int rc = load_name(k, d, depth + 1, 0);

			if (rc)
				event(k, EV_WARN, "%s: soft dependency %s: %s", name, d, strerror(-rc));
		}
	}
}

static int idx_add(struct idxlist *l, size_t i)
{
	size_t j;

	for (j = 0; j < l->n; j++)
		if (l->v[j] == i)
			return 0;
	if (grow((void **)&l->v, &l->cap, l->n, sizeof(*l->v)))
		return -ENOMEM;
	l->v[l->n++] = i;
	return 0;
}

/* The frame being planned needs node i (a dependency already queued, or just queued). */
static int collect(struct kmod_ctx *k, long i)
{
	return k->collect && i >= 0 ? idx_add(k->collect, (size_t)i) : 0;
}

/* Queue m (planning): it is inserted when the nodes in pre are done. */
static int queue_node(struct kmod_ctx *k, struct module *m, struct idxlist *pre, int soft)
{
	struct node *n;

	if (grow((void **)&k->nodes, &k->capnodes, k->nnodes, sizeof(*k->nodes)))
		return -ENOMEM;
	n = &k->nodes[k->nnodes];
	memset(n, 0, sizeof(*n));
	n->m = m;
	n->pre = *pre;
	n->post_of = k->post_after;
	n->soft = soft;
	m->state = MOD_QUEUED;
	m->bidx = (long)k->nnodes++;
	return 0;
}

/* The insertion itself, and what it tells; called without the lock held when parallel. */
static int insert_module(struct kmod_ctx *k, struct module *m, const char *path, const char *params)
{
	return k->insert(k->insctx, path, params);
}

static void record_insert(struct kmod_ctx *k, struct module *m, int rc, int soft, const char *path,
			  const char *params)
{
	if (rc == -EEXIST) {
		m->state = MOD_PRESENT;
		event(k, EV_DEBUG, "%s: already loaded", m->name);
	} else if (rc) {
		event(k, soft ? EV_WARN : EV_ERR, "%s: finit_module %s: %s", m->name, path, strerror(-rc));
		m->state = MOD_FAILED;
		m->rc = rc;
	} else {
		m->state = MOD_PRESENT;
		k->ninserted++;
		event(k, EV_INFO, "loaded %s%s%s", m->name, params[0] ? " " : "", params);
	}
}

static int module_path(struct kmod_ctx *k, struct module *m, char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s", k->moddir ? k->moddir : ".", m->path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Insert m after its dependencies; soft: a failure is reported as a warning, not an error.
 * Planning, the insertions are queued as nodes of the batch instead (run_batch). */
static int load_module(struct kmod_ctx *k, struct module *m, int depth, int soft)
{
	char path[4096], params[PARAMS_MAX];
	struct idxlist mine = { 0 }, *parent = k->collect;
	long saved_post;
	size_t i;
	int rc;

	switch (m->state) {
	case MOD_QUEUED:
		return collect(k, m->bidx);
	case MOD_PRESENT:
	case MOD_LOADING:	/* a dependency cycle: the outer call inserts it */
		return 0;
	case MOD_FAILED:
		return m->rc;
	case MOD_NEW:
		break;
	}
	if (depth > MAX_LOAD_DEPTH) {
		event(k, EV_ERR, "%s: dependencies nested deeper than %d", m->name, MAX_LOAD_DEPTH);
		return -ELOOP;
	}
	if (m->released) {
		event(k, soft ? EV_WARN : EV_ERR, "%s: its file was freed after coldplug (nothing in the plan needed it)",
		      m->name);
		return -ENOENT;
	}
	if (is_live(k, m->name)) {
		m->state = MOD_PRESENT;
		event(k, EV_DEBUG, "%s: already loaded", m->name);
		return 0;
	}
	m->state = MOD_LOADING;
	if (k->planning) {
		k->collect = &mine;
		if (k->post_after >= 0 && idx_add(&mine, (size_t)k->post_after)) {
			rc = -ENOMEM;
			goto err_failed;
		}
	}
	load_softdeps(k, m->name, 0, depth);
	/* modules.dep lists the deepest dependency last: insert from the end. */
	for (i = m->ndeps; i-- > 0;) {
		struct module *d = find_module(k, m->deps[i]);

		if (!d) {
			if (is_builtin(k, m->deps[i]))
				continue;
			rc = -ENOENT;
			event(k, soft ? EV_WARN : EV_ERR, "%s: dependency %s is not in modules.dep",
			      m->name, m->deps[i]);
			goto err_failed;
		}
		rc = load_module(k, d, depth + 1, soft);
		if (rc) {
			event(k, soft ? EV_WARN : EV_ERR, "%s: dependency %s failed: %s", m->name,
			      d->name, strerror(-rc));
			goto err_failed;
		}
	}
	if (k->planning) {
		k->collect = parent;
		rc = queue_node(k, m, &mine, soft);
		if (rc) {
			free(mine.v);
			m->state = MOD_FAILED;
			m->rc = rc;
			return rc;
		}
		rc = collect(k, m->bidx);
		if (rc)
			return rc;
		saved_post = k->post_after;
		k->post_after = m->bidx;
		load_softdeps(k, m->name, 1, depth);
		k->post_after = saved_post;
		return 0;
	}
	rc = module_path(k, m, path, sizeof(path));
	if (rc)
		goto err_failed;
	build_params(k, m->name, params, sizeof(params));
	rc = insert_module(k, m, path, params);
	record_insert(k, m, rc, soft, path, params);
	if (m->state == MOD_FAILED)
		return m->rc;
	load_softdeps(k, m->name, 1, depth);
	return 0;

err_failed:
	k->collect = parent;
	free(mine.v);
	m->state = MOD_FAILED;
	m->rc = rc;
	return rc;
}

/* ---- batches ------------------------------------------------------------------------------ */

/* Node i can start: everything it needs is done. */
static int node_ready(const struct kmod_ctx *k, const struct node *n)
{
	size_t j;

	for (j = 0; j < n->pre.n; j++)
		if (!k->nodes[n->pre.v[j]].done)
			return 0;
	return n->post_of < 0 || k->nodes[n->post_of].done;
}

/* Take the next ready node and run it; 0 when there is nothing left to start. Lock held. */
static int run_one(struct kmod_ctx *k, int parallel)
{
	char path[4096], params[PARAMS_MAX];
	struct node *n = NULL;
	struct module *m;
	size_t i, j;
	int rc, pending = 0;

	for (;;) {
		pending = 0;
		for (i = 0; i < k->nnodes; i++) {
			if (k->nodes[i].started)
				continue;
			pending = 1;
			if (node_ready(k, &k->nodes[i])) {
				n = &k->nodes[i];
				break;
			}
		}
		if (n || !pending)
			break;
		if (!parallel)	/* cannot happen: every node needs earlier ones only */
			return 0;
		pthread_cond_wait(&k->cond, &k->lock);
	}
	if (!n)
		return 0;
	n->started = 1;
	m = n->m;
	if (n->post_of >= 0 && k->nodes[n->post_of].m->state != MOD_PRESENT) {
		/* a post: soft dependency of a module that failed: not loaded, as without batches */
		m->state = MOD_NEW;
		m->bidx = -1;
		goto done;
	}
	for (j = 0; j < m->ndeps; j++) {
		struct module *d = find_module(k, m->deps[j]);

		/* (queued: a dependency cycle, inserted after this one as without batches) */
		if (d && (d->state == MOD_FAILED || d->state == MOD_NEW)) {
			event(k, n->soft ? EV_WARN : EV_ERR, "%s: dependency %s failed: %s", m->name, d->name,
			      strerror(d->state == MOD_FAILED ? -d->rc : ENOENT));
			m->state = MOD_FAILED;
			m->rc = d->state == MOD_FAILED ? d->rc : -ENOENT;
			goto done;
		}
	}
	rc = module_path(k, m, path, sizeof(path));
	if (!rc) {
		build_params(k, m->name, params, sizeof(params));
		if (parallel)
			pthread_mutex_unlock(&k->lock);
		rc = insert_module(k, m, path, params);
		if (parallel)
			pthread_mutex_lock(&k->lock);
	} else {
		params[0] = 0;
	}
	record_insert(k, m, rc, n->soft, path, params);
done:
	n->done = 1;
	if (parallel)
		pthread_cond_broadcast(&k->cond);
	return 1;
}

static void *batch_worker(void *arg)
{
	struct kmod_ctx *k = arg;

	pthread_mutex_lock(&k->lock);
	while (run_one(k, 1))
		;
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/* Insert every queued node, dependencies first, up to k->jobs at a time. */
static void run_batch(struct kmod_ctx *k)
{
	pthread_t th[MAX_JOBS];
	unsigned nth = 0, want = k->jobs, i;

	if (want > k->nnodes)
		want = (unsigned)k->nnodes;
	if (want > 1) {
		pthread_mutex_lock(&k->lock);
		for (i = 1; i < want; i++)	/* this thread is the first worker */
			if (thread_start(&th[nth], batch_worker, k) == 0)
				nth++;
		while (run_one(k, 1))
			;
		pthread_mutex_unlock(&k->lock);
		for (i = 0; i < nth; i++)
			pthread_join(th[i], NULL);
	} else {
		while (run_one(k, 0))
			;
	}
	for (i = 0; i < k->nnodes; i++) {
		if (k->nodes[i].m->state == MOD_QUEUED)	/* not reached: every node runs */
			k->nodes[i].m->state = MOD_NEW;
		k->nodes[i].m->bidx = -1;
		free(k->nodes[i].pre.v);
	}
	k->nnodes = 0;
}

/* Copy and normalise a requested name ('-' -> '_' outside brackets). */
static int norm_copy(const char *in, char *out, size_t outlen, int alias)
{
	size_t l = strlen(in);

	if (!l || l >= outlen)
		return -EINVAL;
	memcpy(out, in, l + 1);
	if (alias)
		normalize_alias(out);
	else
		normalize(out);
	return 0;
}

static int is_blacklisted(const struct kmod_ctx *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nblacklist; i++)
		if (strcmp(k->blacklist[i], name) == 0)
			return 1;
	return 0;
}

/* A blacklisted module is not loaded for an alias: say so once. */
static int skip_blacklisted(struct kmod_ctx *k, struct module *m, const char *alias)
{
	if (!is_blacklisted(k, m->name))
		return 0;
	if (!m->blacklist_told && m->state != MOD_PRESENT) {
		m->blacklist_told = 1; /* by name it still loads, as with modprobe */
		event(k, EV_INFO, "%s: blacklisted, not loaded for %s", m->name, alias);
	}
	return 1;
}

/* Load every module whose alias pattern matches str; *matched counts them. A blacklisted
 * module counts as matched (the alias is known) but is not loaded: -EPERM when nothing
 * else served the alias. */
static int load_alias(struct kmod_ctx *k, const char *str, int depth, int coldplug, unsigned *matched)
{
	size_t i, l = strlen(str);
	int first_err = 0, ok = 0;

	*matched = 0;
	for (i = 0; i < k->naliases; i++) {
		const struct alias *a = &k->aliases[i];
		struct module *m;
		int rc;

		if (a->litlen > l || memcmp(a->pattern, str, a->litlen) ||
		    !kmod_glob_match(a->pattern + a->litlen, str + a->litlen))
			continue;
		m = find_module(k, a->module);
		if (!m) {
			if (!is_builtin(k, a->module))
				event(k, EV_DEBUG, "alias %s -> %s: module not in modules.dep", str, a->module);
			else
				(*matched)++;
			continue;
		}
		(*matched)++;
		if (skip_blacklisted(k, m, str)) {
			if (!first_err)
				first_err = -EPERM;
			continue;
		}
		if (coldplug && m->state != MOD_NEW)
			continue;
		/* Another module may serve the alias: a failure here is only a warning. */
		rc = load_module(k, m, depth + 1, 1);
		if (rc && !first_err)
			first_err = rc;
		else if (!rc)
			ok = 1;
	}
	return ok ? 0 : first_err;
}

static int load_name(struct kmod_ctx *k, const char *name, int depth, int coldplug)
{
	char n[MODALIAS_MAX];
	struct module *m;
	unsigned matched;
	int rc;

	if (depth > MAX_LOAD_DEPTH)
		return -ELOOP;
	if (norm_copy(name, n, sizeof(n), 0))
		return -EINVAL;
	m = find_module(k, n);
	if (m)
		return load_module(k, m, depth, coldplug);
	if (is_builtin(k, n)) {
		event(k, EV_DEBUG, "%s: built in", n);
		return 0;
	}
	if (n[0] != '.' && !strchr(n, '/') && is_live(k, n))
		return 0;
	norm_copy(name, n, sizeof(n), 1);
	rc = load_alias(k, n, depth, coldplug, &matched);
	if (!matched)
		return -ENOENT;
	return rc;
}

/* Plan one name into the current batch (planning), quietly. */
static void plan_name(struct kmod_ctx *k, const char *name)
{
	k->planning = 1;
	k->collect = NULL;
	k->post_after = -1;
	(void)load_name(k, name, 0, 0);
	k->planning = 0;
}

/* After the batch ran: the name's answer (nothing new is inserted for what was planned). */
static int finish_name(struct kmod_ctx *k, const char *name, int quiet_missing)
{
	int rc = load_name(k, name, 0, 0);

	if (rc == -ENOENT && !quiet_missing)
		event(k, EV_ERR, "%s: no such module or alias in %s", name, k->moddir ? k->moddir : "(index)");
	else if (rc == -ENOENT)
		event(k, EV_DEBUG, "%s: not in %s", name, k->moddir ? k->moddir : "(index)");
	else if (rc)
		event(k, EV_ERR, "%s: %s", name, strerror(-rc));
	return rc;
}

int kmod_load(struct kmod_ctx *k, const char *name_or_alias)
{
	if (!k || !name_or_alias)
		return -EINVAL;
	bg_wait(k);
	plan_name(k, name_or_alias);
	run_batch(k);
	return finish_name(k, name_or_alias, 0);
}

static int load_list(struct kmod_ctx *k, const char *const *names, size_t n, int quiet_missing, int *rcs)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < n; i++)
		if (names[i])
			plan_name(k, names[i]);
	run_batch(k);
	for (i = 0; i < n; i++) {
		int rc = names[i] ? finish_name(k, names[i], quiet_missing) : -EINVAL;

		if (rcs)
			rcs[i] = rc;
		if (rc && !(rc == -ENOENT && quiet_missing))
			failed++;
	}
	return failed;
}

int kmod_load_list(struct kmod_ctx *k, const char *const *names, size_t n, int quiet_missing, int *rcs)
{
	if (!k || (n && !names))
		return -EINVAL;
	bg_wait(k);
	return load_list(k, names, n, quiet_missing, rcs);
}

static void *bg_run(void *arg)
{
	struct kmod_ctx *k = arg;

	load_list(k, (const char *const *)k->bg_names, k->bg_n, 1, NULL);
	return NULL;
}

static void bg_free(struct kmod_ctx *k)
{
	size_t i;

	for (i = 0; i < k->bg_n; i++)
		free(k->bg_names[i]);
	free(k->bg_names);
	k->bg_names = NULL;
	k->bg_n = 0;
}

static void bg_wait(struct kmod_ctx *k)
{
	if (k->bg_running) {
		pthread_join(k->bg, NULL);
		k->bg_running = 0;
	}
	bg_free(k);
}

int kmod_load_background(struct kmod_ctx *k, const char *const *names, size_t n)
{
	size_t i;

	if (!k || (n && !names))
		return -EINVAL;
	bg_wait(k);
	if (!n)
		return 0;
	k->bg_names = calloc(n, sizeof(*k->bg_names));
	if (!k->bg_names)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		k->bg_names[i] = strdup(names[i] ? names[i] : "");
		if (!k->bg_names[i]) {
			k->bg_n = i;
			bg_free(k);
			return -ENOMEM;
		}
	}
	k->bg_n = n;
	if (thread_start(&k->bg, bg_run, k) == 0) {
		k->bg_running = 1;
		return 0;
	}
	bg_run(k);	/* no thread: load them now */
	bg_free(k);
	return 0;
}

int kmod_set_jobs(struct kmod_ctx *k, unsigned jobs)
{
	if (!k)
		return -EINVAL;
	bg_wait(k);
	k->jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
	return 0;
}

int kmod_set_classes(struct kmod_ctx *k, unsigned classes)
{
	if (!k)
		return -EINVAL;
	bg_wait(k);
	k->classes = classes;
	return 0;
}

/* "<prefix>" of a modalias up to ':' equals s. */
static int bus_is(const char *ma, const char *bus)
{
	size_t l = strlen(bus);

	return !strncmp(ma, bus, l) && ma[l] == ':';
}

/* Two hex digits after key (e.g. "bc" in a pci modalias); -1 if absent or not hex. */
static int hex2_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	unsigned v = 0;
	int i;

	if (!p)
		return -1;
	p += strlen(key);
	for (i = 0; i < 2; i++, p++) {
		int c = *p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned)(c - 'a' + 10);
		else
			return -1;
	}
	return (int)v;
}

unsigned kmod_modalias_class(const char *ma)
{
	if (!ma)
		return 0;
	if (bus_is(ma, "pci")) {
		int bc = hex2_after(ma, "bc"), sc = hex2_after(ma, "sc");

		if (bc == 0x02)
			return KMOD_CLASS_NET;
		if (bc == 0x01 || (bc == 0x0c && sc == 0x03) || (bc == 0x08 && sc == 0x05))
			return KMOD_CLASS_STORAGE;	/* mass storage, USB host, SD host */
		if (bc == 0x0c && sc == 0x04)
			return KMOD_CLASS_STORAGE;	/* Fibre Channel */
		if (bc == 0x0c && sc == 0x06)
			return KMOD_CLASS_NET;		/* InfiniBand */
		return KMOD_CLASS_OTHER;
	}
	if (bus_is(ma, "virtio")) {
		/* virtio:d<8 hex digits>v...: 1 net, 2 block, 8 scsi */
		const char *d = ma + 7;
		char *end;
		unsigned long id;

		if (*d != 'd')
			return KMOD_CLASS_OTHER;
		id = strtoul(d + 1, &end, 16);
		if (end != d + 9)
			return KMOD_CLASS_OTHER;
		return id == 1 ? KMOD_CLASS_NET : id == 2 || id == 8 ? KMOD_CLASS_STORAGE : KMOD_CLASS_OTHER;
	}
	if (bus_is(ma, "scsi") || bus_is(ma, "nvme") || bus_is(ma, "mmc") || bus_is(ma, "vbd"))
		return KMOD_CLASS_STORAGE;
	if (bus_is(ma, "mdio") || bus_is(ma, "vif"))
		return KMOD_CLASS_NET;	/* Ethernet PHYs; Xen's netfront */
	if (bus_is(ma, "xen")) {
		if (!strncmp(ma + 4, "vif", 3))
			return KMOD_CLASS_NET;
		if (!strncmp(ma + 4, "vbd", 3))
			return KMOD_CLASS_STORAGE;
		return KMOD_CLASS_OTHER;
	}
	if (bus_is(ma, "usb")) {
		const char *ic = strstr(ma, "ic");
		int c = ic ? hex2_after(ic, "ic") : -1;

		/* per interface: 08 mass storage; 02/0A CDC networking; the rest (and vendor
		 * specific NICs, matched by id) stay OTHER, which coldplug loads anyway */
		return c == 0x08 ? KMOD_CLASS_STORAGE : c == 0x02 || c == 0x0a ? KMOD_CLASS_NET : KMOD_CLASS_OTHER;
	}
	if (bus_is(ma, "cpu") || bus_is(ma, "x86cpu"))
		return KMOD_CLASS_CPU;
	return KMOD_CLASS_OTHER;
}

/* A modules.alias pattern that names a device (what coldplug matches), as opposed to a
 * name another module or the kernel asks for (fs-*, crypto-*, block-major-*, char-major-*,
 * devname:*, net-pf-*, ...). */
static int alias_is_device(const char *pattern)
{
	static const char *const buses[] = { "pci", "virtio", "scsi", "usb", "cpu", "x86cpu", "mdio", "acpi",
		"platform", "of", "dmi", "hid", "xen", "vmbus", "pnp", "i2c", "spi", "mmc", "sdio", "serio",
		"input", "ieee1394", "nvme", "vbd", "vif", "pcmcia", "ccw", "ap", "zcrypt", "hdaudio",
		"sound", "ssb", "bcma", "wmi", "rpmsg", "mei", "fsl-mc", "tbsvc", "typec", "auxiliary" };
	size_t i;

	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++)
		if (bus_is(pattern, buses[i]))
			return 1;
	return 0;
}

int kmod_release_unused(struct kmod_ctx *k, unsigned *nfiles, uint64_t *nbytes)
{
	unsigned char *unl;
	size_t i, j;
	unsigned files = 0;
	uint64_t bytes = 0;
	int changed;

	if (!k)
		return -EINVAL;
	bg_wait(k);
	unl = calloc(k->nmods ? k->nmods : 1, 1);
	if (!unl)
		return -ENOMEM;
	for (i = 0; i < k->nmods; i++)
		k->mods[i].hw_aliases = k->mods[i].other_aliases = 0;
	for (i = 0; i < k->naliases; i++) {
		struct module *m = find_module(k, k->aliases[i].module);

		if (m && alias_is_device(k->aliases[i].pattern))
			m->hw_aliases++;
		else if (m)
			m->other_aliases++;
	}
	/* device drivers coldplug did not load: only a device would ask for them */
	for (i = 0; i < k->nmods; i++) {
		struct module *m = &k->mods[i];

		unl[i] = m->state != MOD_PRESENT && m->hw_aliases && !m->other_aliases;
	}
	/* modules without aliases that only such drivers need: until nothing changes */
	do {
		changed = 0;
		for (i = 0; i < k->nmods; i++) {
			struct module *m = &k->mods[i];
			int users = 0, all = 1;

			if (unl[i] || m->state == MOD_PRESENT || m->hw_aliases || m->other_aliases)
				continue;
			for (j = 0; j < k->nmods && all; j++) {
				size_t d;

				for (d = 0; d < k->mods[j].ndeps; d++) {
					if (strcmp(k->mods[j].deps[d], m->name))
						continue;
					users++;
					if (!unl[j])
						all = 0;
					break;
				}
			}
			/* a softdep names it: another module may want it */
			for (j = 0; j < k->nsoftdeps && all; j++) {
				size_t d;

				for (d = 0; d < k->softdeps[j].npre + k->softdeps[j].npost; d++) {
					const char *x = d < k->softdeps[j].npre ? k->softdeps[j].pre[d] :
						k->softdeps[j].post[d - k->softdeps[j].npre];
					char nx[256];

					if (norm_copy(x, nx, sizeof(nx), 0) == 0 && !strcmp(nx, m->name))
						all = 0;
				}
			}
			if (users && all) {
				unl[i] = 1;
				changed = 1;
			}
		}
	} while (changed);
	for (i = 0; i < k->nmods; i++) {
		char path[4096];
		struct stat st;

		if (!unl[i] || k->mods[i].released || module_path(k, &k->mods[i], path, sizeof(path)))
			continue;
		if (lstat(path, &st) || !S_ISREG(st.st_mode) || unlink(path))
			continue;
		k->mods[i].released = 1;
		files++;
		bytes += (uint64_t)st.st_size;
	}
	free(unl);
	event(k, EV_DEBUG, "released %u module files (%llu KiB) nothing in this boot loads", files,
	      (unsigned long long)(bytes >> 10));
	if (nfiles)
		*nfiles = files;
	if (nbytes)
		*nbytes = bytes;
	return 0;
}

/* ---- coldplug ------------------------------------------------------------------------------- */

struct scan {
	uint64_t sig;		/* order-independent digest of the tree's names */
	unsigned attempts;	/* modules tried in this pass */
};

static void scan_dir(struct kmod_ctx *k, int dirfd, int depth, uint64_t path_h, struct scan *sc)
{
	DIR *d;
	struct dirent *de;

	if (depth > MAX_SYSFS_DEPTH) {
		close(dirfd);
		return;
	}
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	while ((de = readdir(d))) {
		unsigned char type = de->d_type;
		uint64_t h;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		/* /sys/devices/virtual: ttys, block loops, net bridges... none has a modalias */
		if (depth == 0 && !strcmp(de->d_name, "virtual"))
			continue;
		/* attribute groups every device (power/) or PCI function (msi_irqs/) has: never a
		 * device (its name would collide with the group), and about half the tree's
		 * directories, so half the walk of each coldplug pass */
		if (depth > 0 && type != DT_REG && (!strcmp(de->d_name, "power") || !strcmp(de->d_name, "msi_irqs")))
			continue;
		h = (path_h ^ hash(de->d_name)) * 1099511628211ull;
		sc->sig += h;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_DIR) {
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				scan_dir(k, fd, depth + 1, h, sc);
		} else if (type == DT_REG && !strcmp(de->d_name, "modalias")) {
			char buf[MODALIAS_MAX];
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_CLOEXEC);
			ssize_t n;
			size_t i, len;

			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = 0;
			buf[strcspn(buf, "\n")] = 0;
			len = strlen(buf);
			if (!len)
				continue;
			/* Count the modules this modalias would try for the first time. */
			for (i = 0; i < k->nmods; i++)
				if (k->mods[i].state == MOD_NEW)
					break;
			if (i == k->nmods)
				continue;
			if (!(kmod_modalias_class(buf) & k->classes)) {
				event(k, EV_DEBUG, "modalias %s: not a class this boot needs", buf);
				continue;
			}
			normalize_alias(buf);
			for (i = 0; i < k->naliases; i++) {
				const struct alias *a = &k->aliases[i];
				struct module *m;

				if (a->litlen > len || memcmp(a->pattern, buf, a->litlen) ||
				    !kmod_glob_match(a->pattern + a->litlen, buf + a->litlen))
					continue;
				m = find_module(k, a->module);
				if (m && m->state == MOD_NEW && !skip_blacklisted(k, m, buf)) {
					sc->attempts++;
					event(k, EV_DEBUG, "modalias %s: %s", buf, m->name);
					load_module(k, m, 0, 1);
				}
			}
		}
	}
	closedir(d);
}

static int scan_devices(struct kmod_ctx *k, struct scan *sc)
{
	char p[512];
	int fd;

	sc->sig = 0;
	sc->attempts = 0;
	if ((size_t)snprintf(p, sizeof(p), "%s/devices", k->sysfs) >= sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	scan_dir(k, fd, 0, 14695981039346656037ull, sc);
	return 0;
}

/* /sys/kernel/uevent_seqnum: the kernel counts every uevent (a device added, bound, ...). */
static int uevent_seqnum(struct kmod_ctx *k, unsigned long long *seq)
{
	char p[512], buf[32];
	int rc;

	if ((size_t)snprintf(p, sizeof(p), "%s/kernel/uevent_seqnum", k->sysfs) >= sizeof(p))
		return -ENAMETOOLONG;
	if ((rc = fs_read_small(p, buf, sizeof(buf))))
		return rc;
	if (!buf[0])
		return -EIO;
	*seq = strtoull(buf, NULL, 10);
	return 0;
}

int kmod_coldplug(struct kmod_ctx *k, unsigned *nloaded)
{
	unsigned start;
	uint64_t settle_start = 0, prev_sig = 0, pass_t0;
	unsigned long long seq0 = 0, seq1 = 0;
	int have_prev = 0, have_seq, rc;
	struct scan sc;

	if (!k)
		return -EINVAL;
	bg_wait(k);
	start = k->ninserted;
	for (;;) {
		pass_t0 = mono_ms();
		have_seq = uevent_seqnum(k, &seq0) == 0;
		k->planning = 1;
		k->collect = NULL;
		k->post_after = -1;
		rc = scan_devices(k, &sc);
		k->planning = 0;
		run_batch(k);
		event(k, EV_DEBUG, "coldplug: pass: %u new modules tried, signature %016llx",
		      sc.attempts, (unsigned long long)sc.sig);
		if (rc) {
			event(k, EV_ERR, "coldplug: cannot read %s/devices: %s", k->sysfs, strerror(-rc));
			break;
		}
		if (sc.attempts) {
			have_prev = 0;
			continue;	/* each pass tries new modules only: this ends */
		}
		/* Settled: no uevent while a whole pass (at least KMOD_SETTLE_STEP_MS) found nothing
		 * new; without the counter, two scans KMOD_SETTLE_STEP_MS apart that agree. */
		if (have_seq && uevent_seqnum(k, &seq1) == 0 && seq1 == seq0) {
			uint64_t spent = mono_ms() - pass_t0;

			if (spent < KMOD_SETTLE_STEP_MS)
				nanosleep(&(struct timespec){ .tv_nsec = (long)(KMOD_SETTLE_STEP_MS - spent) * 1000000L },
					  NULL);
			if (uevent_seqnum(k, &seq1) == 0 && seq1 == seq0)
				break;
		} else if (!have_seq && have_prev && prev_sig == sc.sig) {
			break;
		}
		if (!settle_start) {
			settle_start = mono_ms();
		} else if (mono_ms() - settle_start >= KMOD_SETTLE_MAX_MS) {
			event(k, EV_DEBUG, "coldplug: %s/devices still changing after %d ms", k->sysfs,
			      KMOD_SETTLE_MAX_MS);
			break;
		}
		prev_sig = sc.sig;
		have_prev = 1;
		if (!have_seq)
			nanosleep(&(struct timespec){ .tv_nsec = KMOD_SETTLE_STEP_MS * 1000000L }, NULL);
	}
	if (nloaded)
		*nloaded = k->ninserted - start;
	event(k, EV_INFO, "coldplug: %u modules loaded", k->ninserted - start);
	return rc;
}

/* ---- context -------------------------------------------------------------------------------- */

static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto err_close;
	}
	if ((uint64_t)st.st_size > MAX_INDEX_BYTES) {
		rc = -EFBIG;
		goto err_close;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		rc = -ENOMEM;
		goto err_close;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			free(b);
			goto err_close;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
err_close:
	close(fd);
	return rc;
}

static int add_param(struct kmod_ctx *k, const char *s)
{
	const char *dot = strchr(s, '.');
	const char *eq = strchr(s, '=');
	struct param *p;

	/* "mod.param[=value]": a module name before the first '.', which comes before any '='. */
	if (!dot || dot == s || (eq && eq < dot) || !dot[1] || dot[1] == '=' ||
	    (size_t)(dot - s) >= 256)
		return 0;
	p = &k->params[k->nparams];
	p->module = strndup(s, (size_t)(dot - s));
	p->arg = strdup(dot + 1);
	if (!p->module || !p->arg) {
		free(p->module);
		free(p->arg);
		return -ENOMEM;
	}
	normalize(p->module);
	k->nparams++;
	return 0;
}

int kmod_blacklist(struct kmod_ctx *k, const char *name)
{
	char n[MODALIAS_MAX], *copy;

	if (!k || !name || norm_copy(name, n, sizeof(n), 0))
		return -EINVAL;
	bg_wait(k);
	if (is_blacklisted(k, n))
		return 0;
	if (grow((void **)&k->blacklist, &k->capblacklist, k->nblacklist, sizeof(*k->blacklist)))
		return -ENOMEM;
	copy = strdup(n);
	if (!copy)
		return -ENOMEM;
	k->blacklist[k->nblacklist++] = copy;
	return 0;
}

int kmod_set_hooks(struct kmod_ctx *k, const char *sysfs_root, kmod_insert_fn insert, void *insctx)
{
	char *s;

	if (!k)
		return -EINVAL;
	bg_wait(k);
	if (sysfs_root) {
		s = strdup(sysfs_root);
		if (!s)
			return -ENOMEM;
		free(k->sysfs);
		k->sysfs = s;
	}
	k->insert = insert ? insert : default_insert;
	k->insctx = insert ? insctx : NULL;
	return 0;
}

int kmod_open(struct kmod_ctx **out, const char *moddir, const char *const *params, size_t nparams,
	      event_fn ev, void *evctx)
{
	struct kmod_ctx *k;
	size_t i;
	int rc = -ENOMEM;

	if (!out || (nparams && !params))
		return -EINVAL;
	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->ev = ev;
	k->evctx = evctx;
	k->insert = default_insert;
	k->jobs = 1;
	k->classes = KMOD_CLASS_ALL;
	k->post_after = -1;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	k->sysfs = strdup("/sys");
	if (!k->sysfs)
		goto err_close;
	if (nparams) {
		k->params = calloc(nparams, sizeof(*k->params));
		if (!k->params)
			goto err_close;
		for (i = 0; i < nparams; i++)
			if (params[i] && add_param(k, params[i]))
				goto err_close;
	}
	if (moddir) {
		k->moddir = strdup(moddir);
		if (!k->moddir)
			goto err_close;
		for (i = 0; i <= KMOD_INDEX_BUILTIN; i++) {
			char path[4096], *buf = NULL;
			size_t len = 0;

			if ((size_t)snprintf(path, sizeof(path), "%s/%s", moddir, index_names[i]) >=
			    sizeof(path)) {
				rc = -ENAMETOOLONG;
				goto err_close;
			}
			rc = read_file(path, &buf, &len);
			if (rc == -ENOENT && i != KMOD_INDEX_DEP) {
				event(k, EV_DEBUG, "%s: not present", path);
				continue;
			}
			if (rc) {
				event(k, EV_ERR, "%s: %s", path, strerror(-rc));
				goto err_close;
			}
			rc = kmod_parse_index(k, (enum kmod_index)i, buf, len);
			free(buf);
			if (rc < 0)
				goto err_close;
		}
		event(k, EV_DEBUG, "%s: %zu modules, %zu aliases, %zu soft dependencies, %zu built in",
		      moddir, k->nmods, k->naliases, k->nsoftdeps, k->nbuiltin);
	}
	*out = k;
	return 0;

err_close:
	kmod_close(k);
	return rc;
}

void kmod_close(struct kmod_ctx *k)
{
	size_t i;

	if (!k)
		return;
	bg_wait(k);
	for (i = 0; i < k->nmods; i++) {
		free(k->mods[i].name);
		free(k->mods[i].deps);
	}
	for (i = 0; i < k->nsoftdeps; i++) {
		free(k->softdeps[i].pre);
		free(k->softdeps[i].post);
	}
	for (i = 0; i < k->nparams; i++) {
		free(k->params[i].module);
		free(k->params[i].arg);
	}
	for (i = 0; i < k->nbufs; i++)
		free(k->bufs[i]);
	free(k->mods);
	free(k->modtab.slot);
	free(k->builtin);
	free(k->builtintab.slot);
	free(k->aliases);
	free(k->softdeps);
	free(k->params);
	for (i = 0; i < k->nblacklist; i++)
		free(k->blacklist[i]);
	free(k->blacklist);
	free(k->bufs);
	free(k->moddir);
	free(k->sysfs);
	for (i = 0; i < k->nnodes; i++)
		free(k->nodes[i].pre.v);
	free(k->nodes);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
}
