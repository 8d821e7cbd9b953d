/*
 * libFuzzer target: fetch/sink's decompressing wrapper (xz, zstd, gzip) on arbitrary
 * bytes, written in pieces of varying size (as libcurl hands them over) into an inner
 * sink that holds at most INNER_CAP bytes, optionally reset half-way (a restarted
 * transfer), then finished.
 *
 * Its memory limits must hold, for every input: LLVMFuzzerInitialize adds
 * -malloc_limit_mb=MALLOC_LIMIT_MB (unless given), so a decoder that allocates what a
 * hostile header asks for (a 1.5 GiB xz dictionary, a 2 GiB zstd window) instead of
 * refusing it is a crash, and the inner sink aborts on a write past its capacity.
 * Input: byte 0 = codec (% 3) and, bit 7, reset half-way; byte 1 = piece size seed;
 * the rest is the compressed stream.
 */
#include "fetch/sink.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INNER_CAP	(8u << 20)	/* a small "disk": a bomb fills it */
/* above the decoders' own limits (SINK_XZ_MEMLIMIT, a 2^27 zstd window and its buffers) */
#define MALLOC_LIMIT_MB	"160"

struct inner {
	uint64_t got;
};

static int inner_write(void *ctx, const void *buf, size_t len)
{
	struct inner *in = ctx;

	(void)buf;
	if (len > SINK_DECOMP_BUF)
		abort();	/* the wrapper writes at most one buffer at a time */
	if (in->got + len > INNER_CAP)
		return -EFBIG;
	in->got += len;
	return 0;
}

static int inner_reset(void *ctx)
{
	((struct inner *)ctx)->got = 0;
	return 0;
}

/* What a write or finish may return: 0 or one of the errors fetch_url explains. */
static int expected(int rc)
{
	if (rc != 0 && rc != -EBADMSG && rc != -ENOMEM && rc != -EPIPE && rc != -EFBIG)
		abort();
	return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char flag[] = "-malloc_limit_mb=" MALLOC_LIMIT_MB;
	static char *args[256];
	int n = *argc;

	for (int i = 1; i < n; i++)
		if (!strncmp((*argv)[i], "-malloc_limit_mb=", 17))
			return 0;
	if (n + 2 > (int)(sizeof(args) / sizeof(args[0])))
		return 0;
	args[0] = (*argv)[0];
	args[1] = flag;
	for (int i = 1; i < n; i++)
		args[i + 1] = (*argv)[i];
	args[n + 1] = NULL;
	*argc = n + 1;
	*argv = args;
	return 0;
}

/* Write data in pieces; stop at the first error. */
static int feed(struct fetch_sink *s, const uint8_t *data, size_t size, unsigned piece_seed)
{
	size_t off = 0;
	unsigned k = 0;

	while (off < size) {
		/* 1 byte up to 64 KiB, varying with the seed and the position */
		size_t n = 1 + ((piece_seed * 2654435761u + k * 40503u) % (k & 1 ? 65536 : 97));
		int rc;

		if (n > size - off)
			n = size - off;
		rc = expected(s->write(s->ctx, data + off, n));
		if (rc)
			return rc;
		off += n;
		k++;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sink_codec codecs[] = { SINK_CODEC_XZ, SINK_CODEC_ZSTD, SINK_CODEC_GZIP };
	struct inner in = { 0 };
	struct fetch_sink inner, out;
	struct sink_decomp d;
	char err[256];
	bool reset;
	int rc;

	if (size < 2)
		return 0;
	reset = data[0] & 0x80;
	sink_callback_init(&inner, inner_write, inner_reset, &in);
	if (sink_decomp_init(&d, codecs[(data[0] & 0x7f) % 3], &inner, &out, err, sizeof(err)))
		abort();	/* only out of memory, which a few KiB never is */
	if (!memchr(err, 0, sizeof(err)))
		abort();
	rc = feed(&out, data + 2, size - 2, data[1]);
	if (!rc && reset) {
		if (expected(out.reset(out.ctx)))
			abort();	/* restarting the decoder needs no new memory */
		if (in.got != 0 || d.produced != 0)
			abort();
		rc = feed(&out, data + 2, size - 2, data[1] + 1u);
	}
	if (!rc)
		expected(out.finish(out.ctx));
	if (in.got > INNER_CAP || in.got > d.produced)
		abort();
	sink_decomp_free(&d);
	return 0;
}
