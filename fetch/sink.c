#include "fetch/sink.h"
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define GZIP_WINDOW_AUTO (15 + 32)	/* zlib: max window, gzip or zlib header */

/* ---- file / block device ---------------------------------------------- */

static int fd_write(void *ctx, const void *buf, size_t len)
{
	struct sink_fd *s = ctx;
	const char *p = buf;

	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= (size_t)n;
		s->written += (uint64_t)n;
	}
	/*
	 * A block device's page cache would hold a second copy of the image
	 * (next to /dev/ram0's own pages): write it back and drop it as we go.
	 */
	if (s->is_blockdev && s->written - s->flushed >= SINK_FLUSH_EVERY) {
		off_t from = (off_t)s->flushed, len2 = (off_t)(s->written - s->flushed);

		if (sync_file_range(s->fd, from, len2, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				    SYNC_FILE_RANGE_WAIT_AFTER) < 0)
			return -errno;
		posix_fadvise(s->fd, from, len2, POSIX_FADV_DONTNEED);
		s->flushed = s->written;
	}
	return 0;
}

/* Random access (fetch_sink.pwrite/pread): whole-buffer pwrite/pread at base + off. */
static int fd_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct sink_fd *s = ctx;
	int rc = fs_pwrite_all(s->fd, buf, len, s->base + off);

	if (rc)
		return rc;
	if (off + len > s->written)
		s->written = off + len;	/* the image's extent so far */
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct sink_fd *s = ctx;

	return fs_pread_all(s->fd, buf, len, s->base + off);
}

static int fd_reset(void *ctx)
{
	struct sink_fd *s = ctx;

	if (!s->is_blockdev && ftruncate(s->fd, (off_t)s->base) < 0)
		return -errno;
	if (lseek(s->fd, (off_t)s->base, SEEK_SET) < 0)
		return -errno;
	s->written = 0;
	s->flushed = 0;
	return 0;
}

static int fd_finish(void *ctx)
{
	struct sink_fd *s = ctx;

	if (s->sync && fdatasync(s->fd) < 0)
		return -errno;
	if (s->is_blockdev)
		posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

int sink_fd_open(struct sink_fd *s, const char *path, struct fetch_sink *out,
		 char *err, size_t errlen)
{
	struct stat st;
	bool wronly = false;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	/* read-write: a torrent reads its pieces back to serve peers (fetch_sink.pread) */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);	/* write-only: no pread */
		wronly = true;
	}
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s for writing: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		goto err_close;
	}
	memset(out, 0, sizeof(*out));
	if (S_ISBLK(st.st_mode)) {
		uint64_t size = 0;

		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot read the size of %s: %s", path, strerror(errno));
			goto err_close;
		}
		s->is_blockdev = true;
		s->sync = true;
		out->capacity = size;
		out->what = s->path;
	} else if (S_ISREG(st.st_mode)) {
		if (ftruncate(fd, 0) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot truncate %s: %s", path, strerror(errno));
			goto err_close;
		}
	} else if (!S_ISCHR(st.st_mode)) {	/* /dev/null is fine for benchmarks */
		rc = -EINVAL;
		snprintf(err, errlen, "%s is neither a file nor a block device", path);
		goto err_close;
	}
	s->fd = fd;
	out->write = fd_write;
	out->pwrite = fd_pwrite;
	out->pread = wronly ? NULL : fd_pread;
	out->reset = fd_reset;
	out->finish = fd_finish;
	out->ctx = s;
	return 0;
err_close:
	close(fd);
	return rc;
}

int sink_fd_set_base(struct sink_fd *s, uint64_t base)
{
	if (s->is_blockdev)
		return -EINVAL;
	s->base = base;
	if (ftruncate(s->fd, (off_t)base) < 0 || lseek(s->fd, (off_t)base, SEEK_SET) < 0)
		return -errno;
	return 0;
}

int sink_fd_close(struct sink_fd *s)
{
	int rc = 0;

	if (s->fd >= 0 && close(s->fd) < 0)
		rc = -errno;
	s->fd = -1;
	return rc;
}

/* ---- memory ----------------------------------------------------------- */

static int mem_write(void *ctx, const void *buf, size_t len)
{
	struct sink_mem *m = ctx;

	if (len > m->cap - m->len)
		return -EFBIG;
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static int mem_reset(void *ctx)
{
	((struct sink_mem *)ctx)->len = 0;
	return 0;
}

void sink_mem_init(struct sink_mem *m, char *buf, size_t cap, struct fetch_sink *out)
{
	m->buf = buf;
	m->cap = cap;
	m->len = 0;
	memset(out, 0, sizeof(*out));
	out->write = mem_write;
	out->reset = mem_reset;
	out->capacity = cap;
	out->what = "buffer";
	out->ctx = m;
}

void sink_callback_init(struct fetch_sink *out, int (*write)(void *ctx, const void *buf, size_t len),
			int (*reset)(void *ctx), void *ctx)
{
	memset(out, 0, sizeof(*out));
	out->write = write;
	out->reset = reset;
	out->ctx = ctx;
}

/* ---- decompression ---------------------------------------------------- */

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

enum sink_codec sink_codec_for_url(const char *url)
{
	size_t len;

	if (!url)
		return SINK_CODEC_NONE;
	len = strcspn(url, "?#");
	if (ends_with(url, len, ".xz"))
		return SINK_CODEC_XZ;
	if (ends_with(url, len, ".zst"))
		return SINK_CODEC_ZSTD;
	if (ends_with(url, len, ".gz"))
		return SINK_CODEC_GZIP;
	return SINK_CODEC_NONE;
}

const char *sink_codec_name(enum sink_codec c)
{
	switch (c) {
	case SINK_CODEC_XZ: return "xz";
	case SINK_CODEC_ZSTD: return "zstd";
	case SINK_CODEC_GZIP: return "gzip";
	case SINK_CODEC_NONE: break;
	}
	return "none";
}

static int flush_out(struct sink_decomp *d, size_t n)
{
	if (!n)
		return 0;
	d->produced += n;
	return d->inner->write(d->inner->ctx, d->out, n);
}

static int xz_write(struct sink_decomp *d, const unsigned char *in, size_t len, bool finish)
{
	lzma_stream *s = d->state;

	s->next_in = in;
	s->avail_in = len;
	for (;;) {
		lzma_ret r;
		int rc;

		s->next_out = d->out;
		s->avail_out = SINK_DECOMP_BUF;
		r = lzma_code(s, finish ? LZMA_FINISH : LZMA_RUN);
		rc = flush_out(d, SINK_DECOMP_BUF - s->avail_out);
		if (rc)
			return rc;
		if (r == LZMA_STREAM_END) {
			d->ended = true;
			return s->avail_in ? -EBADMSG : 0;
		}
		if (r == LZMA_MEM_ERROR || r == LZMA_MEMLIMIT_ERROR)
			return -ENOMEM;	/* LIMIT: the stream wants more than SINK_XZ_MEMLIMIT */
		if (r != LZMA_OK)
			return finish && r == LZMA_BUF_ERROR ? -EPIPE : -EBADMSG;
		if (!s->avail_in && s->avail_out && !finish)
			return 0;
	}
}

/* A window larger than SINK_ZSTD_WINDOWLOG_MAX is a memory limit, not corruption. */
static int zstd_rc(size_t r)
{
	switch (ZSTD_getErrorCode(r)) {
	case ZSTD_error_memory_allocation:
	case ZSTD_error_frameParameter_windowTooLarge:
		return -ENOMEM;
	default:
		return -EBADMSG;
	}
}

static int zstd_write(struct sink_decomp *d, const unsigned char *in, size_t len)
{
	ZSTD_inBuffer ib = { in, len, 0 };

	for (;;) {
		ZSTD_outBuffer ob = { d->out, SINK_DECOMP_BUF, 0 };
		/* once the input is used up: drain what the decoder still holds for it */
		bool draining = ib.pos == ib.size;
		size_t r = ZSTD_decompressStream(d->state, &ob, &ib);
		int rc;

		if (ZSTD_isError(r))
			return zstd_rc(r);
		rc = flush_out(d, ob.pos);
		if (rc)
			return rc;
		if (!draining || ob.pos)
			d->ended = (r == 0);
		if (draining && ob.pos < ob.size)
			return 0;
	}
}

static int gz_write(struct sink_decomp *d, const unsigned char *in, size_t len)
{
	z_stream *z = d->state;

	z->next_in = (unsigned char *)in;
	z->avail_in = (uInt)len;
	while (z->avail_in) {
		int r, rc;

		if (d->ended) {
			/* another gzip member follows the previous one */
			if (inflateReset(z) != Z_OK)
				return -EBADMSG;
			d->ended = false;
		}
		z->next_out = d->out;
		z->avail_out = SINK_DECOMP_BUF;
		r = inflate(z, Z_NO_FLUSH);
		if (r == Z_MEM_ERROR)
			return -ENOMEM;
		if (r != Z_OK && r != Z_STREAM_END && !(r == Z_BUF_ERROR && z->avail_out == SINK_DECOMP_BUF))
			return -EBADMSG;
		rc = flush_out(d, SINK_DECOMP_BUF - z->avail_out);
		if (rc)
			return rc;
		if (r == Z_STREAM_END)
			d->ended = true;
		else if (r == Z_BUF_ERROR)
			break;
	}
	/* inflate may hold output even with no input left */
	while (z->avail_out == 0 && !d->ended) {
		int r, rc;

		z->next_out = d->out;
		z->avail_out = SINK_DECOMP_BUF;
		r = inflate(z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR)
			return -EBADMSG;
		rc = flush_out(d, SINK_DECOMP_BUF - z->avail_out);
		if (rc)
			return rc;
		if (r == Z_STREAM_END)
			d->ended = true;
		if (r == Z_BUF_ERROR)
			break;
	}
	return 0;
}

static int decomp_write(void *ctx, const void *buf, size_t len)
{
	struct sink_decomp *d = ctx;

	switch (d->codec) {
	case SINK_CODEC_XZ:
		return xz_write(d, buf, len, false);
	case SINK_CODEC_ZSTD:
		return zstd_write(d, buf, len);
	case SINK_CODEC_GZIP:
		return gz_write(d, buf, len);
	case SINK_CODEC_NONE:
		break;
	}
	return d->inner->write(d->inner->ctx, buf, len);
}

static int decomp_start(struct sink_decomp *d)
{
	switch (d->codec) {
	case SINK_CODEC_XZ: {
		lzma_stream *s = d->state;

		lzma_end(s);
		*s = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(s, SINK_XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
			return -ENOMEM;
		break;
	}
	case SINK_CODEC_ZSTD:
		if (ZSTD_isError(ZSTD_DCtx_reset(d->state, ZSTD_reset_session_only)))
			return -ENOMEM;
		break;
	case SINK_CODEC_GZIP:
		if (inflateReset(d->state) != Z_OK)
			return -ENOMEM;
		break;
	case SINK_CODEC_NONE:
		break;
	}
	d->ended = false;
	d->produced = 0;
	return 0;
}

static int decomp_reset(void *ctx)
{
	struct sink_decomp *d = ctx;
	int rc;

	if (!d->inner->reset)
		return -ESPIPE;
	rc = decomp_start(d);
	if (rc)
		return rc;
	return d->inner->reset(d->inner->ctx);
}

static int decomp_finish(void *ctx)
{
	struct sink_decomp *d = ctx;
	int rc = 0;

	if (d->codec == SINK_CODEC_XZ)
		rc = xz_write(d, NULL, 0, true);
	else if (!d->ended)
		rc = -EPIPE;	/* the compressed stream stopped in the middle */
	if (rc)
		return rc;
	return d->inner->finish ? d->inner->finish(d->inner->ctx) : 0;
}

int sink_decomp_init(struct sink_decomp *d, enum sink_codec codec, struct fetch_sink *inner,
		     struct fetch_sink *out, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->codec = codec;
	d->inner = inner;
	d->out = malloc(SINK_DECOMP_BUF);
	if (!d->out)
		goto err_nomem;
	switch (codec) {
	case SINK_CODEC_XZ: {
		lzma_stream *s = calloc(1, sizeof(*s));

		if (!s)
			goto err_nomem;
		*s = (lzma_stream)LZMA_STREAM_INIT;
		d->state = s;
		break;
	}
	case SINK_CODEC_ZSTD:
		d->state = ZSTD_createDStream();
		if (!d->state)
			goto err_nomem;
		/* kept across ZSTD_reset_session_only (decomp_start) */
		if (ZSTD_isError(ZSTD_DCtx_setParameter(d->state, ZSTD_d_windowLogMax, SINK_ZSTD_WINDOWLOG_MAX)))
			goto err_nomem;
		break;
	case SINK_CODEC_GZIP: {
		z_stream *z = calloc(1, sizeof(*z));

		if (!z)
			goto err_nomem;
		d->state = z;
		if (inflateInit2(z, GZIP_WINDOW_AUTO) != Z_OK)
			goto err_nomem;
		break;
	}
	case SINK_CODEC_NONE:
		break;
	}
	if (decomp_start(d))
		goto err_nomem;
	memset(out, 0, sizeof(*out));
	out->write = decomp_write;
	out->reset = inner->reset ? decomp_reset : NULL;
	out->finish = decomp_finish;
	/* the compressed size is a lower bound of what inner must hold */
	out->capacity = inner->capacity;
	out->reserve = inner->reserve;
	out->mem_avail = inner->mem_avail;
	out->mem_reserve = inner->mem_reserve;
	out->what = inner->what;
	out->ctx = d;
	return 0;
err_nomem:
	sink_decomp_free(d);
	snprintf(err, errlen, "out of memory setting up the %s decompressor", sink_codec_name(codec));
	return -ENOMEM;
}

bool sink_is_decomp(const struct fetch_sink *s)
{
	return s && s->write == decomp_write;
}

void sink_decomp_free(struct sink_decomp *d)
{
	switch (d->codec) {
	case SINK_CODEC_XZ:
		if (d->state)
			lzma_end(d->state);
		free(d->state);
		break;
	case SINK_CODEC_ZSTD:
		ZSTD_freeDStream(d->state);
		break;
	case SINK_CODEC_GZIP:
		if (d->state)
			inflateEnd(d->state);
		free(d->state);
		break;
	case SINK_CODEC_NONE:
		break;
	}
	d->state = NULL;
	free(d->out);
	d->out = NULL;
}
