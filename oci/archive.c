#include "oci/archive.h"
#include "oci/tarindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUNCH_ALIGN 4096 /* only whole pages are given back */

struct archive_ctx {
	int fd;
	const char *path;
	struct tar_index ix;
	bool punch;
	uint64_t punched;
	event_fn ev;
	void *ev_ctx;
};

struct at_base {
	int fd;
	uint64_t base;
};

struct range_stream {
	int fd;
	uint64_t off, left;
};

static ssize_t pread_all(void *ctx, void *buf, size_t len, uint64_t off)
{
	int fd = *(int *)ctx;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static ssize_t pread_base(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct at_base *a = ctx;

	return pread_all(&a->fd, buf, len, a->base + off);
}

static ssize_t range_read(void *ctx, void *buf, size_t len)
{
	struct range_stream *r = ctx;
	ssize_t n;

	if (!r->left)
		return 0;
	if (len > r->left)
		len = (size_t)r->left;
	n = pread_all(&r->fd, buf, len, r->off);
	if (n < 0)
		return n;
	if (n == 0)
		return -EIO; /* the file shrank under us */
	r->off += (uint64_t)n;
	r->left -= (uint64_t)n;
	return n;
}

static const struct tar_member *find_blob(struct archive_ctx *c, const struct oci_desc *d, char *err, size_t errlen)
{
	char name[96];
	const struct tar_member *m;

	snprintf(name, sizeof(name), "blobs/sha256/%s", d->digest + 7);
	m = tar_index_find(&c->ix, name);
	if (!m) {
		snprintf(err, errlen, "the archive has no blob %s (expected %s)", d->digest, name);
		return NULL;
	}
	if (m->size != d->size) {
		snprintf(err, errlen, "blob %s is %llu bytes in the archive, its descriptor says %llu", d->digest,
			 (unsigned long long)m->size, (unsigned long long)d->size);
		return NULL;
	}
	return m;
}

static int read_member(struct archive_ctx *c, const struct tar_member *m, char **buf, size_t *len, char *err,
		       size_t errlen)
{
	ssize_t n;

	if (m->size > OCI_JSON_MAX) {
		snprintf(err, errlen, "%s is %llu bytes, expected at most %u", m->name, (unsigned long long)m->size,
			 OCI_JSON_MAX);
		return -EFBIG;
	}
	*buf = malloc((size_t)m->size + 1);
	if (!*buf) {
		snprintf(err, errlen, "out of memory for %s", m->name);
		return -ENOMEM;
	}
	n = pread_all(&c->fd, *buf, (size_t)m->size, m->offset);
	if (n < 0 || (uint64_t)n != m->size) {
		free(*buf);
		*buf = NULL;
		snprintf(err, errlen, "reading %s from %s: %s", m->name, c->path, n < 0 ? strerror((int)-n) : "short read");
		return n < 0 ? (int)n : -EIO;
	}
	(*buf)[m->size] = '\0';
	*len = (size_t)m->size;
	return 0;
}

static int get_blob(void *ctx, const struct oci_desc *d, char **buf, size_t *len, char *err, size_t errlen)
{
	struct archive_ctx *c = ctx;
	const struct tar_member *m = find_blob(c, d, err, errlen);
	int rc;

	if (!m)
		return -EBADMSG;
	rc = read_member(c, m, buf, len, err, errlen);
	if (rc < 0)
		return rc;
	rc = oci_blob_verify(d, *buf, *len, err, errlen);
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

static int apply_layer(void *ctx, const struct oci_desc *d, const char *root, bool last_use,
		       struct oci_layer_stats *st, char *err, size_t errlen)
{
	struct archive_ctx *c = ctx;
	const struct tar_member *m = find_blob(c, d, err, errlen);
	struct range_stream r;
	struct oci_stream s = { range_read, &r };
	uint64_t start, end;
	int rc;

	if (!m)
		return -EBADMSG;
	r.fd = c->fd;
	r.off = m->offset;
	r.left = m->size;
	rc = oci_layer_apply(root, d, &s, st, err, errlen);
	if (rc < 0 || !c->punch || !last_use)
		return rc;
	start = (m->offset + PUNCH_ALIGN - 1) / PUNCH_ALIGN * PUNCH_ALIGN;
	end = (m->offset + m->size) / PUNCH_ALIGN * PUNCH_ALIGN;
	if (end > start) {
		if (fallocate(c->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)start, (off_t)(end - start)) == 0)
			c->punched += end - start;
		else
			oci_emit(c->ev, c->ev_ctx, EV_DEBUG, "%s: cannot give back the applied layer's space: %s",
				 c->path, strerror(errno));
	}
	return 0;
}

int oci_archive_unpack(const char *path, const struct oci_archive_opts *a, const struct oci_unpack_opts *o,
		       struct oci_unpack_stats *st, char *err, size_t errlen)
{
	struct archive_ctx c = { .path = path, .punch = a->punch, .ev = o->ev, .ev_ctx = o->ev_ctx };
	struct oci_store s = { get_blob, apply_layer, NULL, &c, NULL };
	const struct tar_member *m;
	struct oci_index ix = { 0 };
	struct stat sb;
	struct at_base ab;
	char *buf = NULL;
	size_t len, pick, i;
	int rc;

	c.fd = open(path, (a->punch ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (c.fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "open %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(c.fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s is not a regular file (expected an oci-archive)", path);
		goto err_close;
	}
	if ((uint64_t)sb.st_size < a->base) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s is %llu bytes, expected the archive to start at byte %llu", path,
			 (unsigned long long)sb.st_size, (unsigned long long)a->base);
		goto err_close;
	}
	ab.fd = c.fd;
	ab.base = a->base;
	rc = tar_index_build(pread_base, &ab, (uint64_t)sb.st_size - a->base, &c.ix, err, errlen);
	if (rc < 0)
		goto err_close;
	for (i = 0; i < c.ix.n; i++) /* offsets in the file from now on */
		c.ix.m[i].offset += a->base;
	m = tar_index_find(&c.ix, "index.json");
	if (!m || !tar_index_find(&c.ix, "oci-layout")) {
		snprintf(err, errlen, "%s has no %s: expected an oci-archive (a tar of an OCI image layout, as made by "
			 "skopeo copy ... oci-archive:FILE:TAG)", path, m ? "oci-layout" : "index.json");
		rc = -EINVAL;
		goto err_index;
	}
	rc = read_member(&c, m, &buf, &len, err, errlen);
	if (rc < 0)
		goto err_index;
	rc = oci_index_parse(buf, len, &ix, err, errlen);
	if (rc < 0)
		goto err_buf;
	rc = oci_index_pick_label(&ix, a->label, a->label_default, &pick, err, errlen);
	if (rc < 0)
		goto err_ix;
	oci_emit(o->ev, o->ev_ctx, EV_INFO, "%s: image \"%s\" is %s", path,
		 ix.d[pick].ref_name[0] ? ix.d[pick].ref_name : "(unlabelled)", ix.d[pick].digest);
	rc = oci_image_unpack(&s, &ix.d[pick], o, st, err, errlen);
	if (rc == 0 && c.punched)
		oci_emit(o->ev, o->ev_ctx, EV_DEBUG, "%s: %llu MiB of applied layers given back", path,
			 (unsigned long long)(c.punched >> 20));
err_ix:
	oci_index_free(&ix);
err_buf:
	free(buf);
err_index:
	tar_index_free(&c.ix);
err_close:
	close(c.fd);
	return rc;
}
