#include "init/switchroot.h"
#include "init/mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const init_candidates[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };

/* Is path, resolved as if newroot were "/", an executable regular file?
 * (absolute symlinks such as /sbin/init -> /lib/systemd/systemd resolve inside newroot) */
static int executable_in(int rootfd, const char *path)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	struct stat st;
	int fd, rc = 0;

	fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		rc = -EACCES;
	close(fd);
	return rc;
}

int switchroot_find_init(const char *newroot, const char *init, char *path, unsigned len)
{
	int rootfd, rc = -ENOENT;
	size_t i;

	rootfd = open(newroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	if (init && *init) {
		rc = executable_in(rootfd, init);
		if (rc == 0)
			snprintf(path, len, "%s", init);
	} else {
		for (i = 0; i < sizeof(init_candidates) / sizeof(init_candidates[0]); i++) {
			if (executable_in(rootfd, init_candidates[i]) == 0) {
				snprintf(path, len, "%s", init_candidates[i]);
				rc = 0;
				break;
			}
		}
	}
	close(rootfd);
	return rc;
}

/* Delete everything below the directory fd that is on device dev (never crossing
 * into other filesystems: the new root and the moved mounts are not touched). */
static void delete_contents(int dfd, dev_t dev)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *d;

	if (!dir) {
		close(dfd);
		return;
	}
	while ((d = readdir(dir))) {
		struct stat st;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (st.st_dev != dev)
			continue; /* a mount point: not ours to delete */
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				delete_contents(sub, dev);
			unlinkat(dirfd(dir), d->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd(dir), d->d_name, 0);
		}
	}
	closedir(dir);
}

const char *switch_root(const char *newroot, const char *init, char *const argv[])
{
	static const char *const moved[] = { "/dev", "/proc", "/sys", "/run" };
	char initpath[256], target[512];
	struct stat root_st, new_st;
	struct statfs sfs;
	size_t i;
	int fd;

	/* Safety checks first: after them the initramfs is deleted. */
	if (stat("/", &root_st) < 0 || stat(newroot, &new_st) < 0)
		return "stat the old and the new root";
	if (root_st.st_dev == new_st.st_dev) {
		errno = EINVAL; /* deleting the old root would delete the new one */
		return "check that the new root is a mount point";
	}
	if (statfs("/", &sfs) < 0)
		return "statfs the old root";
	if (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC) {
		errno = EINVAL; /* never delete the contents of a real disk */
		return "check that the old root is an initramfs (ramfs or tmpfs)";
	}
	if (switchroot_find_init(newroot, init, initpath, sizeof(initpath)) < 0) {
		errno = ENOENT;
		return "find an executable init in the new root";
	}

	for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		snprintf(target, sizeof(target), "%s%s", newroot, moved[i]);
		mkdir(target, 0755); /* may fail on a read-only root; then the mount is dropped */
		if (mount(moved[i], target, NULL, MS_MOVE, NULL) < 0)
			umount2(moved[i], MNT_DETACH);
	}

	if (chdir(newroot) < 0)
		return "chdir into the new root";
	/* Point of no return. */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		delete_contents(fd, root_st.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return "move the new root onto /";
	if (chroot(".") < 0)
		return "chroot into the new root";
	if (chdir("/") < 0)
		return "chdir to /";

	/* stdio on the new root's /dev/console (the old node is gone with the initramfs) */
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	execv(initpath, argv);
	if (!init || !*init) {
		for (i = 0; i < sizeof(init_candidates) / sizeof(init_candidates[0]); i++)
			execv(init_candidates[i], argv);
	}
	return "execute the new init";
}
