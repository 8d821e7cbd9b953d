/*
 * mkcpio: pack gen_init_cpio file lists into a newc ("070701") cpio archive on stdout.
 *
 *   mkcpio [-t <mtime>] [-o <out>] <list>...     ("-" reads a list from stdin)
 *
 * Files keep their own mtime unless -t is given; directories, links and special files get
 * -t, else $SOURCE_DATE_EPOCH, else 0, so the archive is reproducible. Names are stored
 * without their leading '/'. Warns (stderr) about entries whose parent directory was not
 * listed before them and about names listed twice.
 */
#include "tools/cpiolist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/newc.h" /* the header layout (the packer needs no more of it) */

#define FIRST_INO 300		/* inode numbers are only used to group hard links */
#define MAX_LIST_BYTES (64u << 20)

_Static_assert(sizeof(struct newc_header) == NEWC_HDR, "newc header is 110 bytes");

struct out {
	FILE *f;
	uint64_t off;		/* bytes written so far, for padding */
};

struct seen {
	char **names;		/* normalised names emitted so far (sorted lazily: linear is fine) */
	size_t n, cap;
};

static const char *prog = "mkcpio";

static int put(struct out *o, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, o->f) != n)
		return -EIO;
	o->off += n;
	return 0;
}

static int pad(struct out *o)
{
	static const char zeros[NEWC_ALIGN];
	size_t n = (size_t)((NEWC_ALIGN - (o->off % NEWC_ALIGN)) % NEWC_ALIGN);

	return put(o, zeros, n);
}

static void hex8(char dst[8], uint32_t v)
{
	char tmp[9];

	snprintf(tmp, sizeof(tmp), "%08X", v);
	memcpy(dst, tmp, 8);
}

struct meta {
	uint32_t ino, mode, uid, gid, nlink, mtime, size, rmaj, rmin;
};

static int put_header(struct out *o, const struct meta *m, const char *name)
{
	struct newc_header h;
	size_t nlen = strlen(name) + 1;
	int rc;

	memcpy(h.magic, NEWC_MAGIC, sizeof(h.magic));
	hex8(h.ino, m->ino);
	hex8(h.mode, m->mode);
	hex8(h.uid, m->uid);
	hex8(h.gid, m->gid);
	hex8(h.nlink, m->nlink);
	hex8(h.mtime, m->mtime);
	hex8(h.filesize, m->size);
	hex8(h.devmajor, 0);
	hex8(h.devminor, 0);
	hex8(h.rdevmajor, m->rmaj);
	hex8(h.rdevminor, m->rmin);
	hex8(h.namesize, (uint32_t)nlen);
	hex8(h.check, 0);
	rc = put(o, &h, sizeof(h));
	if (!rc)
		rc = put(o, name, nlen);
	if (!rc)
		rc = pad(o);
	return rc;
}

/* Archive name: leading '/' removed, repeated '/' and trailing '/' collapsed. */
static char *archive_name(const char *name)
{
	char *s = malloc(strlen(name) + 1), *d = s;

	if (!s)
		return NULL;
	while (*name == '/')
		name++;
	while (*name) {
		if (*name == '/' && (name[1] == '/' || name[1] == 0)) {
			name++;
			continue;
		}
		*d++ = *name++;
	}
	*d = 0;
	return s;
}

static int seen_has(const struct seen *s, const char *name)
{
	size_t i;

	for (i = s->n; i-- > 0;)
		if (!strcmp(s->names[i], name))
			return 1;
	return 0;
}

static int seen_add(struct seen *s, char *name)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		char **nn = realloc(s->names, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		s->names = nn;
		s->cap = ncap;
	}
	s->names[s->n++] = name;
	return 0;
}

/* Warn about a missing parent or a duplicate, then remember the name (takes ownership). */
static int check_and_remember(struct seen *dirs, struct seen *all, char *name, int is_dir,
			      const char *list, unsigned line)
{
	char *slash = strrchr(name, '/');

	if (slash) {
		*slash = 0;
		if (!seen_has(dirs, name))
			fprintf(stderr, "%s: %s:%u: warning: parent directory /%s of /%s/%s not listed before it\n",
				prog, list, line, name, name, slash + 1);
		*slash = '/';
	}
	if (seen_has(all, name))
		fprintf(stderr, "%s: %s:%u: warning: /%s listed twice; the later entry wins\n",
			prog, list, line, name);
	if (seen_add(all, name))
		return -ENOMEM;
	if (is_dir) {
		char *dup = strdup(name);

		if (!dup || seen_add(dirs, dup)) {
			free(dup);
			return -ENOMEM;
		}
	}
	return 0;
}

static int copy_data(struct out *o, int fd, uint64_t size, const char *src)
{
	char buf[65536];
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "%s: reading %s: %s\n", prog, src, strerror(errno));
			return -EIO;
		}
		if (n == 0 || done + (uint64_t)n > size) {
			fprintf(stderr, "%s: %s changed size while being packed\n", prog, src);
			return -EIO;
		}
		if (put(o, buf, (size_t)n))
			return -EIO;
		done += (uint64_t)n;
	}
	return pad(o);
}

static int emit(struct out *o, const struct cpio_entry *e, uint32_t *ino, uint32_t mtime,
		int force_mtime, struct seen *dirs, struct seen *all, const char *list)
{
	struct meta m = { .ino = (*ino)++, .uid = e->uid, .gid = e->gid, .nlink = 1, .mtime = mtime };
	char *name = archive_name(e->name);
	size_t i;
	int rc = -ENOMEM;

	if (!name)
		return rc;
	switch (e->kind) {
	case CPIO_DIR:
		m.mode = S_IFDIR | e->mode;
		m.nlink = 2;
		break;
	case CPIO_NOD:
		m.mode = (e->devtype == 'b' ? S_IFBLK : S_IFCHR) | e->mode;
		m.rmaj = e->major;
		m.rmin = e->minor;
		break;
	case CPIO_SLINK:
		m.mode = S_IFLNK | e->mode;
		m.size = (uint32_t)strlen(e->source);
		break;
	case CPIO_PIPE:
		m.mode = S_IFIFO | e->mode;
		break;
	case CPIO_SOCK:
		m.mode = S_IFSOCK | e->mode;
		break;
	case CPIO_FILE: {
		struct stat st;
		int fd = open(e->source, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st)) {
			fprintf(stderr, "%s: %s:%u: cannot open %s for /%s: %s\n", prog, list, e->line,
				e->source, name, strerror(errno));
			if (fd >= 0)
				close(fd);
			free(name);
			return -ENOENT;
		}
		if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > UINT32_MAX) {
			fprintf(stderr, "%s: %s:%u: %s for /%s is %s; expected a regular file under 4 GiB\n",
				prog, list, e->line, e->source, name,
				S_ISREG(st.st_mode) ? "too large" : "not a regular file");
			close(fd);
			free(name);
			return -EINVAL;
		}
		m.mode = S_IFREG | e->mode;
		m.nlink = (uint32_t)(1 + e->nlinks);
		if (!force_mtime)
			m.mtime = (uint32_t)st.st_mtime;
		/* Hard links: every name shares the inode; the data follows the last one. */
		for (i = 0; i <= e->nlinks; i++) {
			char *ln = i ? archive_name(e->links[i - 1]) : strdup(name);

			if (!ln) {
				close(fd);
				free(name);
				return -ENOMEM;
			}
			m.size = (i == e->nlinks) ? (uint32_t)st.st_size : 0;
			rc = put_header(o, &m, ln);
			if (!rc && i == e->nlinks)
				rc = copy_data(o, fd, (uint64_t)st.st_size, e->source);
			if (!rc)
				rc = check_and_remember(dirs, all, ln, 0, list, e->line);
			else
				free(ln);
			if (rc) {
				close(fd);
				free(name);
				return rc;
			}
		}
		close(fd);
		free(name);
		return 0;
	}
	}
	rc = put_header(o, &m, name);
	if (!rc && e->kind == CPIO_SLINK) {
		rc = put(o, e->source, m.size);
		if (!rc)
			rc = pad(o);
	}
	if (!rc)
		return check_and_remember(dirs, all, name, e->kind == CPIO_DIR, list, e->line);
	free(name);
	return rc;
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	size_t cap = 65536, n = 0;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);

		n += r;
		if (n < cap)
			break;
		if (cap >= MAX_LIST_BYTES) {
			free(b);
			b = NULL;
			errno = EFBIG;
			break;
		}
		char *nb = realloc(b, cap * 2);

		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	if (b && ferror(f)) {
		free(b);
		b = NULL;
		errno = EIO;
	}
	if (f != stdin)
		fclose(f);
	if (!b)
		return -(errno ? errno : ENOMEM);
	*buf = b;
	*len = n;
	return 0;
}

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: %s [-t <mtime>] [-o <out>] <gen_init_cpio list>...  (- = stdin)\n", prog);
}

int main(int argc, char **argv)
{
	struct out o = { .f = stdout };
	struct seen dirs = { 0 }, all = { 0 };
	uint32_t mtime = 0, ino = FIRST_INO;
	int force_mtime = 0, opt, rc = 0, i;
	const char *outpath = NULL, *sde = getenv("SOURCE_DATE_EPOCH");
	struct meta trailer = { .nlink = 1 };
	size_t j;

	while ((opt = getopt(argc, argv, "t:o:h")) != -1) {
		switch (opt) {
		case 't':
			if (parse_u32(optarg, &mtime)) {
				fprintf(stderr, "%s: -t %s: expected seconds since the epoch\n", prog, optarg);
				return 2;
			}
			force_mtime = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	if (!force_mtime && sde && *sde && parse_u32(sde, &mtime)) {
		fprintf(stderr, "%s: SOURCE_DATE_EPOCH=%s: expected seconds since the epoch\n", prog, sde);
		return 2;
	}
	if (outpath) {
		o.f = fopen(outpath, "we");
		if (!o.f) {
			fprintf(stderr, "%s: %s: %s\n", prog, outpath, strerror(errno));
			return 1;
		}
	}
	for (i = optind; i < argc && !rc; i++) {
		struct cpio_list l = { 0 };
		char *buf = NULL, err[512] = "";
		size_t len = 0;

		rc = read_all(argv[i], &buf, &len);
		if (rc) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(-rc));
			break;
		}
		rc = cpiolist_parse(&l, buf, len, env_lookup, NULL, err, sizeof(err));
		free(buf);
		if (rc)
			fprintf(stderr, "%s: %s: %s\n", prog, argv[i], err);
		for (j = 0; j < l.n && !rc; j++)
			rc = emit(&o, &l.e[j], &ino, mtime, force_mtime, &dirs, &all, argv[i]);
		cpiolist_free(&l);
	}
	if (!rc)
		rc = put_header(&o, &trailer, NEWC_TRAILER);
	if (!rc && fflush(o.f))
		rc = -EIO;
	if (rc == -EIO && ferror(o.f))
		fprintf(stderr, "%s: writing the archive: %s\n", prog, strerror(errno));
	if (outpath && fclose(o.f) && !rc)
		rc = -EIO;
	if (rc && outpath)
		unlink(outpath);
	for (j = 0; j < dirs.n; j++)
		free(dirs.names[j]);
	for (j = 0; j < all.n; j++)
		free(all.names[j]);
	free(dirs.names);
	free(all.names);
	return rc ? 1 : 0;
}
