#include "util/newc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(sizeof(struct newc_header) == NEWC_HDR, "newc header is 110 bytes");

size_t newc_header_len(const char *name)
{
	return (size_t)newc_align(NEWC_HDR + strlen(name) + 1, NEWC_ALIGN);
}

static void hex8(char f[8], uint32_t v)
{
	char tmp[9];

	snprintf(tmp, sizeof(tmp), "%08X", v);
	memcpy(f, tmp, 8);
}

static ssize_t entry(char *out, size_t cap, const char *name, uint32_t mode, uint32_t nlink, uint64_t size,
		     unsigned ino)
{
	struct newc_header h;
	size_t nl = strlen(name) + 1, len;

	if (nl == 1)
		return -EINVAL;
	if (size > NEWC_SIZE_MAX)
		return -EFBIG;
	len = newc_header_len(name);
	if (cap < len)
		return -ENOSPC;
	memcpy(h.magic, NEWC_MAGIC, sizeof(h.magic));
	hex8(h.ino, ino);
	hex8(h.mode, mode);
	hex8(h.uid, 0);
	hex8(h.gid, 0);
	hex8(h.nlink, nlink);
	hex8(h.mtime, 0);
	hex8(h.filesize, (uint32_t)size);
	hex8(h.devmajor, 0);
	hex8(h.devminor, 0);
	hex8(h.rdevmajor, 0);
	hex8(h.rdevminor, 0);
	hex8(h.namesize, (uint32_t)nl);
	hex8(h.check, 0);
	memset(out, 0, len);
	memcpy(out, &h, sizeof(h));
	memcpy(out + NEWC_HDR, name, nl);
	return (ssize_t)len;
}

ssize_t newc_file_header(char *out, size_t cap, const char *name, unsigned mode, uint64_t size, unsigned ino)
{
	return entry(out, cap, name, S_IFREG | (mode & 07777), 1, size, ino);
}

ssize_t newc_trailer(char *out, size_t cap)
{
	return entry(out, cap, NEWC_TRAILER, 0, 1, 0, 0);
}
