/*
 * libFuzzer target: overlay/probe superblock parsing and blockdev/devwait's
 * devspec_parse on arbitrary bytes.
 *
 * Superblocks live far apart (ext4/erofs at 1 KiB, ISO/UDF at 32 KiB, btrfs at
 * 64 KiB, UDF anchors at block 256), so with flag bit 0 set the input is cut
 * into chunks placed at those offsets of a sparse in-memory file; otherwise
 * it is the file's first bytes.
 */
#include "blockdev/devwait.h"
#include "overlay/probe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const uint64_t chunk_at[] = {
	0, 1024, 32768, 32768 + 2048, 0x10000, 256 * 512, 256 * 2048, 256 * 4096,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_info pi;
	struct devspec spec;
	char text[DEVSPEC_VALUE_MAX + 64], err[256];
	int fd;

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

	fd = memfd_create("fuzz-probe", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (data[0] & 1) {
		size_t nchunks = sizeof(chunk_at) / sizeof(chunk_at[0]);
		size_t each = (size - 1) / nchunks;
		for (size_t i = 0; i < nchunks && each; i++)
			if (pwrite(fd, data + 1 + i * each, each, (off_t)chunk_at[i]) != (ssize_t)each)
				abort();
		/* a file long enough for every superblock, mostly a hole */
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
	return 0;
}
