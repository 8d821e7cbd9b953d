/* fsutil: small file-system helpers shared by the modules: mkdir -p, reading a small
 * (sysfs/proc) file into a buffer, whole pread/pwrite and copying a range between files.
 * Header only; 0 or -errno. */
#ifndef NETINIT_UTIL_FSUTIL_H
#define NETINIT_UTIL_FSUTIL_H
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* mkdir -p path (mode for each created directory). */
__attribute__((unused))
static int fs_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096], *p;
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Read at most len-1 bytes of path into buf, NUL-terminated, trailing newlines and
 * spaces cut. */
__attribute__((unused))
static int fs_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* Write all len bytes at off (EINTR retried); a write that makes no progress is -ENOSPC. */
__attribute__((unused))
static int fs_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENOSPC;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Read all len bytes at off (EINTR retried); the end of the file first is -ENODATA. */
__attribute__((unused))
static int fs_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* len bytes of in from ioff to out at ooff: in the kernel (copy_file_range) where the two
 * filesystems allow it, else through buf (blen bytes). -ENODATA if in ends first. */
__attribute__((unused))
static int fs_copy_range(int in, uint64_t ioff, int out, uint64_t ooff, uint64_t len, void *buf, size_t blen)
{
	bool kernel = true;
	int rc;

	while (len) {
		size_t chunk = len > blen ? blen : (size_t)len;

		if (kernel) {
			off_t i = (off_t)ioff, o = (off_t)ooff; /* loff_t in glibc: the same 64-bit type */
			ssize_t n = copy_file_range(in, &i, out, &o, chunk, 0);

			if (n > 0) {
				ioff += (uint64_t)n;
				ooff += (uint64_t)n;
				len -= (uint64_t)n;
				continue;
			}
			if (n == 0)
				return -ENODATA;
			if (errno == EINTR)
				continue;
			if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
				return -errno;
			kernel = false;
		}
		rc = fs_pread_all(in, buf, chunk, ioff);
		if (rc == 0)
			rc = fs_pwrite_all(out, buf, chunk, ooff);
		if (rc < 0)
			return rc;
		ioff += chunk;
		ooff += chunk;
		len -= chunk;
	}
	return 0;
}

#endif
