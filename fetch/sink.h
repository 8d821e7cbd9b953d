/*
 * sink: places a fetch streams into (struct fetch_sink in fetch/fetch.h):
 * a file (on a tmpfs), a block device (/dev/ram0, a target disk), a bounded
 * memory buffer (small files like .sha256), a caller callback (the OCI
 * unpacker), and a wrapper that decompresses .xz/.zst/.gz while streaming,
 * chosen by the URL's suffix. A file or a block device also takes writes at an offset and
 * reads them back (fetch_sink.pwrite/pread: BitTorrent's pieces). Fixed buffers and bounded decoder memory; the
 * image is never buffered.
 */
#ifndef NETINIT_FETCH_SINK_H
#define NETINIT_FETCH_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/fetch.h"

#define SINK_DECOMP_BUF	(256 * 1024)	/* decompressed bytes per inner write */
/*
 * Decoder memory, whatever a stream's header asks for: more is refused with -ENOMEM
 * before it is allocated. xz: liblzma's memory limit (xz -9 and -9e need 65 MiB).
 * zstd: the largest window (2^27 = 128 MiB: zstd --ultra -22; -19 uses 8 MiB).
 * gzip: inflate's window is 32 KiB by format.
 */
#define SINK_XZ_MEMLIMIT	(128ULL << 20)
#define SINK_ZSTD_WINDOWLOG_MAX	27
#define SINK_FLUSH_EVERY	(32 * 1024 * 1024)	/* block devices: write back and drop cache this often */

/* A file or a block device. */
struct sink_fd {
	int fd;
	bool is_blockdev;
	bool sync;		/* fdatasync at finish (block devices) */
	uint64_t written;
	uint64_t flushed;	/* block devices: bytes written back and dropped from the page cache */
	uint64_t base;		/* regular files: the data starts here (room for a header in front) */
	char path[256];		/* for messages */
};

/*
 * Open path for writing. A regular file is created/truncated (mode 0600);
 * a block device must exist, out->capacity becomes its size and out->what
 * its path. For a file on a tmpfs the caller sets out->capacity (the tmpfs's
 * free space) and out->mem_avail/mem_reserve; for /dev/ram0 just the latter.
 */
int sink_fd_open(struct sink_fd *s, const char *path, struct fetch_sink *out,
		 char *err, size_t errlen);
int sink_fd_close(struct sink_fd *s);
/* A regular file opened by sink_fd_open: leave base bytes (a hole) in front of the data,
 * also when a transfer starts over. 0 or -errno. */
int sink_fd_set_base(struct sink_fd *s, uint64_t base);

/* Bytes into buf (at most cap); more is -EFBIG. */
struct sink_mem {
	char *buf;
	size_t cap, len;
};
void sink_mem_init(struct sink_mem *m, char *buf, size_t cap, struct fetch_sink *out);

/* The caller's own functions; reset may be NULL (restart impossible). */
void sink_callback_init(struct fetch_sink *out, int (*write)(void *ctx, const void *buf, size_t len),
			int (*reset)(void *ctx), void *ctx);

enum sink_codec {
	SINK_CODEC_NONE,
	SINK_CODEC_XZ,		/* .xz (liblzma; concatenated streams too) */
	SINK_CODEC_ZSTD,	/* .zst (multiple frames too) */
	SINK_CODEC_GZIP,	/* .gz (multiple members too) */
};

/* By the suffix of the URL's path (query and fragment ignored). */
enum sink_codec sink_codec_for_url(const char *url);
const char *sink_codec_name(enum sink_codec c);

/* Decompressing wrapper around inner; its reset restarts the decoder. */
struct sink_decomp {
	enum sink_codec codec;
	struct fetch_sink *inner;
	void *state;		/* lzma_stream / ZSTD_DStream / z_stream */
	unsigned char *out;	/* SINK_DECOMP_BUF bytes */
	bool ended;		/* a complete stream/frame/member was seen last */
	uint64_t produced;	/* decompressed bytes written to inner */
};
int sink_decomp_init(struct sink_decomp *d, enum sink_codec codec, struct fetch_sink *inner,
		     struct fetch_sink *out, char *err, size_t errlen);
void sink_decomp_free(struct sink_decomp *d);
/* Is s a sink_decomp_init() wrapper? (fetch_url then does not decompress again) */
bool sink_is_decomp(const struct fetch_sink *s);

#endif
