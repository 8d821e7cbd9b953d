#include "oci/layer.h"
#include "oci/pathcheck.h"
#include "crypto/sha256.h"
#include "util/fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BUF   (128 * 1024) /* compressed bytes per read from the stream */
#define SET_MIN    1024         /* initial slots of the per-layer path set */

/* The paths this layer has written so far: an opaque marker or a whiteout must not
 * remove them, only what lower layers left. Open addressing, strings owned. */
struct pathset {
	char **slot;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static bool set_has(const struct pathset *ps, const char *p)
{
	size_t i;

	if (!ps->cap)
		return false;
	for (i = hash_str(p) & (ps->cap - 1); ps->slot[i]; i = (i + 1) & (ps->cap - 1))
		if (strcmp(ps->slot[i], p) == 0)
			return true;
	return false;
}

static int set_put(struct pathset *ps, const char *p)
{
	size_t i;

	if (set_has(ps, p))
		return 0;
	if ((ps->n + 1) * 2 > ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : SET_MIN, j;
		char **ns = calloc(cap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (j = 0; j < ps->cap; j++) {
			if (!ps->slot[j])
				continue;
			for (i = hash_str(ps->slot[j]) & (cap - 1); ns[i]; i = (i + 1) & (cap - 1))
				;
			ns[i] = ps->slot[j];
		}
		free(ps->slot);
		ps->slot = ns;
		ps->cap = cap;
	}
	for (i = hash_str(p) & (ps->cap - 1); ps->slot[i]; i = (i + 1) & (ps->cap - 1))
		;
	ps->slot[i] = strdup(p);
	if (!ps->slot[i])
		return -ENOMEM;
	ps->n++;
	return 0;
}

static void set_free(struct pathset *ps)
{
	size_t i;

	for (i = 0; i < ps->cap; i++)
		free(ps->slot[i]);
	free(ps->slot);
	memset(ps, 0, sizeof(*ps));
}

struct applier {
	struct archive *in, *out;
	struct oci_stream *s;
	const struct oci_desc *d;
	struct sha256 hash;
	uint64_t got;
	int stream_rc;          /* error from the stream, kept for the message */
	unsigned char *buf;
	struct pathset written;
	struct oci_layer_stats *st;
	char *err;
	size_t errlen;
};

static la_ssize_t on_read(struct archive *a, void *ctx, const void **out)
{
	struct applier *ap = ctx;
	ssize_t n;

	*out = ap->buf;
	n = ap->s->read(ap->s->ctx, ap->buf, READ_BUF);
	if (n < 0) {
		ap->stream_rc = (int)n;
		archive_set_error(a, (int)-n, "reading the layer: %s", strerror((int)-n));
		return -1;
	}
	if ((uint64_t)n > ap->d->size - ap->got) {
		ap->stream_rc = -EBADMSG;
		archive_set_error(a, EBADMSG, "the layer is longer than its descriptor's %llu bytes",
				  (unsigned long long)ap->d->size);
		return -1;
	}
	sha256_update(&ap->hash, ap->buf, (size_t)n);
	ap->got += (uint64_t)n;
	return n;
}

/* Every parent directory of rel must be a real directory (or missing). */
static int check_parents(const char *rel, char *err, size_t errlen)
{
	char p[PATH_MAX];
	struct stat st;
	char *s;

	if (snprintf(p, sizeof(p), "%s", rel) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (lstat(p, &st) < 0) {
			if (errno == ENOENT)
				return 0; /* created as a directory by the write */
			return -errno;
		}
		if (S_ISLNK(st.st_mode)) {
			snprintf(err, errlen, "layer entry \"%.200s\" passes through the symlink \"%.200s\": "
				 "refused, it could write outside the root", rel, p);
			return -EPERM;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "layer entry \"%.200s\": \"%.200s\" is not a directory", rel, p);
			return -ENOTDIR;
		}
		*s = '/';
	}
	return 0;
}

/* Remove what lower layers left in dir and, below it, in the directories this layer
 * wrote, keeping what this layer wrote. A work list, not recursion: the depth is the
 * tree's, not the stack's business. */
static int clear_lower(struct applier *ap, const char *dir)
{
	char **todo = malloc(sizeof(*todo)), **nt, *cur, p[PATH_MAX];
	size_t n = 0, cap = 1;
	struct dirent *e;
	struct stat st;
	int rc = 0;
	DIR *d;

	if (!todo || !(todo[n++] = strdup(dir))) {
		free(todo);
		return -ENOMEM;
	}
	while (rc == 0 && n) {
		cur = todo[--n];
		d = opendir(*cur ? cur : ".");
		if (!d)
			rc = errno == ENOENT ? 0 : -errno;
		while (d && rc == 0 && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (snprintf(p, sizeof(p), "%s%s%s", cur, *cur ? "/" : "", e->d_name) >= (int)sizeof(p)) {
				rc = -ENAMETOOLONG;
				break;
			}
			if (!set_has(&ap->written, p)) {
				rc = fs_remove_tree(p);
				continue;
			}
			if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
			if (n == cap) {
				nt = realloc(todo, (cap *= 2) * sizeof(*todo));
				if (!nt) {
					rc = -ENOMEM;
					break;
				}
				todo = nt;
			}
			if (!(todo[n] = strdup(p)))
				rc = -ENOMEM;
			else
				n++;
		}
		if (d)
			closedir(d);
		free(cur);
	}
	while (n)
		free(todo[--n]);
	free(todo);
	return rc;
}

static int whiteout(struct applier *ap, const char *clean, enum oci_wh kind, const char *target)
{
	struct stat st;
	int rc;

	rc = check_parents(clean, ap->err, ap->errlen); /* the marker's parents are the target's */
	if (rc < 0)
		return rc;
	if (kind == OCI_WH_OPQ) {
		if (*target && lstat(target, &st) == 0 && !S_ISDIR(st.st_mode))
			return 0;
		return clear_lower(ap, target);
	}
	if (set_has(&ap->written, target))
		return 0; /* written by this same layer: the whiteout is about lower layers */
	return fs_remove_tree(target);
}

static int copy_data(struct applier *ap)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		r = archive_read_data_block(ap->in, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -EBADMSG;
		/* libarchive reports a failed write(2) (ENOSPC, EIO) as a mere warning */
		if (archive_write_data_block(ap->out, buf, len, off) != ARCHIVE_OK)
			return archive_errno(ap->out) > 0 ? -archive_errno(ap->out) : -EIO;
	}
}

/* Metadata libarchive could not restore (an xattr the filesystem refuses, a time):
 * counted, the first one kept for the caller to show. */
static void warn(struct applier *ap, const char *path)
{
	if (!ap->st)
		return;
	if (!ap->st->warnings++)
		snprintf(ap->st->warning, sizeof(ap->st->warning), "%.120s: %.120s", path,
			 archive_error_string(ap->out) ? archive_error_string(ap->out) : "?");
}

/* Components of a clean path ("a/b/c": 3). */
static size_t path_depth(const char *clean)
{
	size_t n = 1;

	for (; *clean; clean++)
		n += *clean == '/';
	return n;
}

static int apply_entry(struct applier *ap, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e), *link = archive_entry_hardlink(e);
	char clean[OCI_LAYER_MAX_PATH + 1], target[PATH_MAX], lclean[PATH_MAX];
	enum oci_wh kind;
	struct stat st;
	size_t depth;
	int rc, r;

	if (!raw) {
		snprintf(ap->err, ap->errlen, "a layer entry has no path");
		return -EBADMSG;
	}
	rc = oci_path_clean(raw, clean, sizeof(clean));
	if (rc == -ENAMETOOLONG) {
		snprintf(ap->err, ap->errlen, "layer %s: entry \"%.60s%s\" is longer than %d bytes, at most %d are allowed",
			 ap->d->digest, raw, strlen(raw) > 60 ? "…" : "", OCI_LAYER_MAX_PATH, OCI_LAYER_MAX_PATH);
		return -ENAMETOOLONG;
	}
	if (rc < 0) {
		snprintf(ap->err, ap->errlen, "layer entry \"%.300s\" %s", raw,
			 rc == -EPERM ? "leaves the root (absolute or \"..\"): refused" : "has an invalid path");
		return rc == -EPERM ? -EPERM : -EBADMSG;
	}
	if (!*clean)
		return 0; /* the root directory itself: it keeps the caller's mode */
	depth = path_depth(clean);
	if (depth > OCI_LAYER_MAX_DEPTH) {
		snprintf(ap->err, ap->errlen, "layer %s: entry \"%.60s%s\" is %zu levels deep, at most %d are allowed",
			 ap->d->digest, clean, strlen(clean) > 60 ? "…" : "", depth, OCI_LAYER_MAX_DEPTH);
		return -ENAMETOOLONG;
	}
	rc = oci_path_whiteout(clean, &kind, target, sizeof(target));
	if (rc < 0) {
		snprintf(ap->err, ap->errlen, "layer entry \"%.300s\" is a whiteout naming nothing", raw);
		return -EBADMSG;
	}
	if (kind != OCI_WH_NONE) {
		rc = whiteout(ap, clean, kind, target);
		if (rc < 0 && !*ap->err)
			snprintf(ap->err, ap->errlen, "whiteout \"%.300s\": %s", clean, strerror(-rc));
		return rc < 0 ? rc : 1;
	}
	rc = check_parents(clean, ap->err, ap->errlen);
	if (rc < 0)
		goto err_path;
	if (link) {
		rc = oci_path_clean(link, lclean, sizeof(lclean));
		if (rc < 0 || !*lclean) {
			snprintf(ap->err, ap->errlen, "hard link \"%.200s\" -> \"%.200s\" leaves the root: refused", clean, link);
			return -EPERM;
		}
		rc = check_parents(lclean, ap->err, ap->errlen);
		if (rc < 0)
			goto err_path;
		if (lstat(lclean, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(ap->err, ap->errlen, "hard link \"%.200s\" -> a directory \"%.200s\": refused", clean, lclean);
			return -EPERM;
		}
		archive_entry_set_hardlink(e, lclean);
	}
	/* a later layer replaces an entry, except that a directory over a directory merges */
	if (lstat(clean, &st) == 0 && !(S_ISDIR(st.st_mode) && archive_entry_filetype(e) == AE_IFDIR) &&
	    !(link && strcmp(lclean, clean) == 0)) {
		rc = fs_remove_tree(clean);
		if (rc < 0)
			goto err_path;
	}
	archive_entry_set_pathname(e, clean);
	r = archive_write_header(ap->out, e);
	if (r == ARCHIVE_WARN)
		warn(ap, clean);
	if (r < ARCHIVE_WARN) {
		snprintf(ap->err, ap->errlen, "writing \"%.200s\": %s", clean, archive_error_string(ap->out));
		rc = archive_errno(ap->out) ? -archive_errno(ap->out) : -EIO;
		return rc == -EINVAL ? -EPERM : rc;
	}
	if (archive_entry_size(e) > 0 && !link) {
		rc = copy_data(ap);
		if (rc < 0) {
			snprintf(ap->err, ap->errlen, "%s \"%.200s\": %s%s%s", rc == -EBADMSG ? "reading" : "writing", clean,
				 archive_error_string(rc == -EBADMSG ? ap->in : ap->out), rc == -EBADMSG ? "" : ": ",
				 rc == -EBADMSG ? "" : strerror(-rc));
			return rc == -EBADMSG && ap->stream_rc ? ap->stream_rc : rc;
		}
	}
	r = archive_write_finish_entry(ap->out);
	if (r == ARCHIVE_WARN)
		warn(ap, clean);
	if (r < ARCHIVE_WARN) {
		snprintf(ap->err, ap->errlen, "finishing \"%.200s\": %s", clean, archive_error_string(ap->out));
		return -EIO;
	}
	rc = set_put(&ap->written, clean);
	return rc < 0 ? rc : 0;
err_path:
	if (!*ap->err)
		snprintf(ap->err, ap->errlen, "layer entry \"%.300s\": %s", clean, strerror(-rc));
	return rc;
}

static void hex(const uint8_t *b, char *out)
{
	static const char x[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = x[b[i] >> 4];
		out[2 * i + 1] = x[b[i] & 15];
	}
	out[64] = '\0';
}

/* Hash what the tar reader left unread (end-of-archive padding) and check the digest. */
static int finish_digest(struct applier *ap)
{
	uint8_t got[32];
	char hx[65];
	ssize_t n;

	do {
		n = ap->s->read(ap->s->ctx, ap->buf, READ_BUF);
		if (n < 0) {
			snprintf(ap->err, ap->errlen, "reading the end of layer %.20s…: %s", ap->d->digest + 7, strerror((int)-n));
			return (int)n;
		}
		if ((uint64_t)n > ap->d->size - ap->got) {
			snprintf(ap->err, ap->errlen, "layer %s is longer than its descriptor's %llu bytes",
				 ap->d->digest, (unsigned long long)ap->d->size);
			return -EBADMSG;
		}
		sha256_update(&ap->hash, ap->buf, (size_t)n);
		ap->got += (uint64_t)n;
	} while (n > 0);
	if (ap->got != ap->d->size) {
		snprintf(ap->err, ap->errlen, "layer %s is %llu bytes, its descriptor says %llu", ap->d->digest,
			 (unsigned long long)ap->got, (unsigned long long)ap->d->size);
		return -EBADMSG;
	}
	sha256_final(&ap->hash, got);
	if (memcmp(got, ap->d->sha256, 32) != 0) {
		hex(got, hx);
		snprintf(ap->err, ap->errlen, "layer digest mismatch: expected %s, got sha256:%s", ap->d->digest, hx);
		return -EBADMSG;
	}
	return 0;
}

/* The tar or its compression is corrupt: if the blob's digest is wrong too, say that
 * instead (the bytes are not the ones the manifest names). */
static void blame_digest(struct applier *ap)
{
	char saved[256];

	snprintf(saved, sizeof(saved), "%s", ap->err);
	if (finish_digest(ap) == 0)
		snprintf(ap->err, ap->errlen, "%s", saved);
}

int oci_layer_apply(const char *root, const struct oci_desc *d, struct oci_stream *s,
		    struct oci_layer_stats *st, char *err, size_t errlen)
{
	struct applier ap = { .s = s, .d = d, .st = st, .err = err, .errlen = errlen };
	struct archive_entry *e;
	int cwd, rc = 0, r;

	err[0] = '\0';
	if (st)
		memset(st, 0, sizeof(*st));
	if (!oci_layer_type_ok(d->media_type)) {
		snprintf(err, errlen, "layer %s has media type \"%.80s\", expected an OCI tar, tar+gzip, tar+zstd "
			 "or Docker tar.gzip layer", d->digest, d->media_type);
		return -EPROTONOSUPPORT;
	}
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		rc = -errno;
		snprintf(err, errlen, "open the working directory: %s", strerror(errno));
		return rc;
	}
	if (chdir(root) < 0) {
		rc = -errno;
		snprintf(err, errlen, "chdir %s: %s", root, strerror(errno));
		goto err_cwd;
	}
	ap.buf = malloc(READ_BUF);
	ap.in = archive_read_new();
	ap.out = archive_write_disk_new();
	if (!ap.buf || !ap.in || !ap.out) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory for the layer reader");
		goto err_free;
	}
	sha256_init(&ap.hash);
	archive_read_support_format_tar(ap.in);
	if (strstr(d->media_type, "gzip"))
		archive_read_support_filter_gzip(ap.in);
	else if (strstr(d->media_type, "zstd"))
		archive_read_support_filter_zstd(ap.in);
	archive_read_support_filter_none(ap.in);
	archive_write_disk_set_options(ap.out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
				       ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SPARSE |
				       ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if (archive_read_open(ap.in, &ap, NULL, on_read, NULL) != ARCHIVE_OK) {
		rc = ap.stream_rc ? ap.stream_rc : -EBADMSG;
		snprintf(err, errlen, "layer %s: %s", d->digest, archive_error_string(ap.in));
		goto err_free;
	}
	for (;;) {
		r = archive_read_next_header(ap.in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = ap.stream_rc ? ap.stream_rc : -EBADMSG;
			snprintf(err, errlen, "layer %s: %s", d->digest, archive_error_string(ap.in));
			if (!ap.stream_rc)
				blame_digest(&ap);
			goto err_free;
		}
		rc = apply_entry(&ap, e);
		if ((rc == -EBADMSG || rc == -ENAMETOOLONG) && !ap.stream_rc)
			blame_digest(&ap);
		if (rc < 0)
			goto err_free;
		if (st && rc == 1)
			st->whiteouts++;
		else if (st)
			st->entries++;
		rc = 0;
	}
	if (archive_write_close(ap.out) < ARCHIVE_WARN) {
		rc = -EIO;
		snprintf(err, errlen, "layer %s: %s", d->digest, archive_error_string(ap.out));
		goto err_free;
	}
	rc = finish_digest(&ap);
	if (st)
		st->blob_bytes = ap.got;
err_free:
	if (ap.out)
		archive_write_free(ap.out);
	if (ap.in)
		archive_read_free(ap.in);
	free(ap.buf);
	set_free(&ap.written);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = -errno;
err_cwd:
	close(cwd);
	return rc;
}
