/* libFuzzer: util/netlink's datagram walker and attribute walker on hostile bytes (a reply
 * is input like any other): every message and attribute handed on must lie inside the
 * buffer. The buffer is copied to its exact size so ASan sees any read past it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "util/netlink.h"

static const unsigned char *lo, *hi;

static void attr(void *ctx, uint16_t type, const unsigned char *d, size_t len)
{
	unsigned char sum = 0;

	(void)ctx;
	(void)type;
	if (d < lo || d + len > hi)
		abort();
	for (size_t i = 0; i < len; i++)
		sum ^= d[i];	/* every byte read: ASan checks each */
	if (sum == 0xff && len == 0)
		abort();	/* cannot happen; keeps the reads */
	if (len >= 4)	/* a nest: walk it too, like the callers do */
		nlu_attr_walk(d, len, attr, NULL);
}

static void msg(void *ctx, uint16_t type, uint32_t seq, const unsigned char *p, size_t len)
{
	(void)ctx;
	(void)type;
	(void)seq;
	if (p < lo || p + len > hi)
		abort();
	if (len >= 4)
		nlu_attr_walk(p + 4, len - 4, attr, NULL);	/* after a 4-byte family header */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);
	struct nlu_msg m;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	lo = buf;
	hi = buf + size;
	nlu_walk(buf, size, msg, NULL);
	/* the builder: an attribute of the fuzzer's length never overflows the message */
	nlu_init(&m, 16, 0, NULL, 4);
	for (size_t off = 0; off + 2 <= size; off += 2) {
		size_t n = (size_t)buf[off] << 4;

		nlu_put(&m, buf[off + 1], buf, n < size ? n : size);
		if (m.len > sizeof(m.b))
			abort();
	}
	free(buf);
	return 0;
}
