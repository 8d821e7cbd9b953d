/* fsutil: small file-system helpers shared by the modules: mkdir -p, rm -rf, reading a
 * small (sysfs/proc) file into a buffer, whole pread/pwrite and copying a range between
 * files. Header only; 0 or -errno. */
#ifndef NETINIT_UTIL_FSUTIL_H
#define NETINIT_UTIL_FSUTIL_H
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * rm -rf path (relative to the working directory or absolute): never follows a symlink
 * and never enters another filesystem (a directory mounted inside is -EBUSY, untouched).
 * Any depth: no recursion and at most two descriptors open, whatever the depth (musl's
 * nftw stops descending at its descriptor limit). It goes down with openat and back up
 * through "..", checked against the directory it came from (-ESTALE if the tree moved);
 * what is left of a directory is read again from its start after each subdirectory,
 * which costs nothing extra as everything before it is gone. Stops at the first error.
 */
__attribute__((unused))
static int fs_remove_tree(const char *path)
{
	struct level { dev_t dev; ino_t ino; size_t name; } *lv = NULL, *nl;
	size_t nlv = 0, caplv = 0, used = 0, capn = 0, len;
	char *names = NULL, *nn;
	struct stat top, st;
	struct dirent *e;
	DIR *d;
	int fd, up, rc = 0;

	if (lstat(path, &top) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(top.st_mode))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!(d = fdopendir(fd))) {
			rc = -errno;
			close(fd);
			break;
		}
		fd = -1; /* a subdirectory to go into, once d is closed */
		while (rc == 0 && fd < 0 && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) {
				if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
					rc = -errno;
				continue;
			}
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				rc = errno == ENOENT ? 0 : -errno;
				continue;
			}
			if (!S_ISDIR(st.st_mode)) {
				if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
					rc = -errno;
				continue;
			}
			if (st.st_dev != top.st_dev) {
				rc = -EBUSY;
				break;
			}
			len = strlen(e->d_name) + 1;
			if (nlv == caplv) {
				nl = realloc(lv, (caplv = caplv ? caplv * 2 : 64) * sizeof(*lv));
				if (!nl) {
					rc = -ENOMEM;
					break;
				}
				lv = nl;
			}
			if (used + len > capn) {
				while (used + len > capn)
					capn = capn ? capn * 2 : 4096;
				nn = realloc(names, capn);
				if (!nn) {
					rc = -ENOMEM;
					break;
				}
				names = nn;
			}
			if (fstat(dirfd(d), &st) < 0 ||
			    (fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
				rc = -errno;
				break;
			}
			lv[nlv++] = (struct level){ st.st_dev, st.st_ino, used };
			memcpy(names + used, e->d_name, len);
			used += len;
		}
		if (rc < 0 || fd >= 0) {
			closedir(d);
			if (rc < 0)
				break;
			continue; /* into the subdirectory */
		}
		/* d is empty now: remove it from its parent and carry on there */
		if (nlv == 0) {
			closedir(d);
			if (rmdir(path) < 0 && errno != ENOENT)
				rc = -errno;
			break;
		}
		up = openat(dirfd(d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		closedir(d);
		nlv--;
		if (up < 0 || fstat(up, &st) < 0) {
			rc = -errno;
			if (up >= 0)
				close(up);
			break;
		}
		if (st.st_dev != lv[nlv].dev || st.st_ino != lv[nlv].ino) {
			rc = -ESTALE;
			close(up);
			break;
		}
		used = lv[nlv].name;
		if (unlinkat(up, names + used, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			rc = -errno;
			close(up);
			break;
		}
		fd = up;
	}
	free(lv);
	free(names);
	return rc;
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

/* Write text into an existing file in place (a /proc/sys or /sys knob): 0 or -errno. */
__attribute__((unused))
static int fs_write_small(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

/* Write text to path atomically (path.tmp, then rename) with mode, creating the missing
 * parent directories (0755). */
__attribute__((unused))
static int fs_write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[4096], *slash;
	size_t len = strlen(text);
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = '\0';
		rc = fs_mkdir_p(tmp, 0755);
		*slash = '/';
		if (rc)
			return rc;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
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

/*
 * Empty the directory path (which stays): every entry goes with fs_remove_tree, so any
 * depth is fine; a directory mounted directly in it is left alone (never crossed). A
 * missing path is already empty. Stops at the first error.
 */
__attribute__((unused))
static int fs_empty_dir(const char *path)
{
	char child[PATH_MAX];
	struct dirent *e;
	struct stat top, st;
	DIR *d;
	int rc = 0;

	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(dirfd(d), &top) < 0) {
		rc = -errno;
		closedir(d);
		return rc;
	}
	while (rc == 0 && (errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			break;
		}
		if (S_ISDIR(st.st_mode) && st.st_dev != top.st_dev)
			continue;	/* a mount point: never cross */
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= sizeof(child)) {
			rc = -ENAMETOOLONG;
			break;
		}
		rc = fs_remove_tree(child);
		if (rc == 0)
			rewinddir(d);	/* the directory changed under readdir */
	}
	if (rc == 0 && errno)
		rc = -errno;
	closedir(d);
	return rc;
}

#endif
