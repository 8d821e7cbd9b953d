/*
 * libFuzzer target: fs/probe superblock parsing and blockdev/devwait's
 * devspec_parse on arbitrary bytes.
 *
 * Superblocks live far apart (ext4/erofs at 1 KiB, ISO/UDF at 32 KiB, btrfs at
 * 64 KiB, UDF anchors at block 256), so each input is probed twice: as a
 * file's first bytes, and cut into chunks placed at those offsets of a sparse
 * in-memory file.
 */
#include "blockdev/devwait.h"
#include "fs/probe.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const uint64_t chunk_at[] = {
	0, 1024, 32768, 32768 + 2048, 0x10000, 256 * 512, 256 * 2048, 256 * 4096,
};

/* Probe the input as a file's first bytes, or spread over the chunk offsets. */
static void probe_bytes(const uint8_t *data, size_t size, bool spread)
{
	struct probe_info pi;
	int fd = memfd_create("fuzz-probe", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (spread) {
		size_t nchunks = sizeof(chunk_at) / sizeof(chunk_at[0]);
		size_t each = size / nchunks;
		if (!each) {
			close(fd);
			return;
		}
		for (size_t i = 0; i < nchunks; i++)
			if (pwrite(fd, data + i * each, each, (off_t)chunk_at[i]) != (ssize_t)each)
				abort();
		/* long enough for every superblock, mostly a hole */
		if (ftruncate(fd, 2 << 20))
			abort();
	} else if (pwrite(fd, data, size, 0) != (ssize_t)size) {
		abort();
	}
	int rc = probe_fd(fd, &pi);
	close(fd);
	if (rc == 0 && (!pi.fstype || !memchr(pi.label, 0, sizeof(pi.label)) ||
			!memchr(pi.uuid, 0, sizeof(pi.uuid))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct devspec spec;
	char text[DEVSPEC_VALUE_MAX + 64], err[256];

	if (size == 0)
		return 0;

	/* devspec_parse on the input as a string */
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	if (devspec_parse(text, &spec, err, sizeof(err)) == 0) {
		char buf[DEVSPEC_VALUE_MAX + 16];
		devspec_format(&spec, buf, sizeof(buf));
	}

	probe_bytes(data, size, false);
	probe_bytes(data, size, true);
	return 0;
}
