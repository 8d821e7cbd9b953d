/* libFuzzer target: the whole NBD client handshake, with the input as everything the server
 * sends. The first input byte picks the export name (so both NBD_OPT_GO and the
 * NBD_OPT_EXPORT_NAME fallback paths see varied names). Writes are accepted and dropped. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "blockdev/nbd.h"

struct feed {
	const uint8_t *p;
	size_t left;
};

static int f_read(void *ctx, void *buf, size_t len)
{
	struct feed *f = ctx;
	if (f->left < len) {
		f->left = 0;
		return -ECONNRESET;
	}
	memcpy(buf, f->p, len);
	f->p += len;
	f->left -= len;
	return 0;
}

static int f_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "", "root", "export", "a-much-longer-export-name-for-the-fuzzer" };
	struct feed f = { data, size };
	struct nbd_io io = { f_read, f_write, &f };
	struct nbd_export x;
	char err[256];
	const char *name = names[0];

	if (size) {
		name = names[data[0] & 3];
		f.p++;
		f.left--;
	}
	if (nbd_handshake(&io, name, &x, err, sizeof(err)) == 0) {
		/* a success must satisfy every documented bound */
		if (x.size == 0 || x.size > NBD_MAX_EXPORT_SIZE)
			__builtin_trap();
	} else if (!err[0] || strchr(err, '\n')) {
		__builtin_trap();
	}
	return 0;
}
