/*
 * loop: attach/detach loop devices.  See loop.h.
 */
#include "blockdev/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define LOOP_CONTROL "/dev/loop-control"
#define LOOP_DEV_FMT "/dev/loop%d"
#define ATTACH_TRIES 32		/* GET_FREE/configure races lost before giving up */
#define NODE_WAIT_TRIES 20	/* 10 ms naps while a new /dev/loopN node appears */

bool loop_no_configure;

static void nap_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int open_node(const char *path, int flags)
{
	for (int i = 0; i < NODE_WAIT_TRIES; i++) {
		int fd = open(path, flags | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd < 0 ? -errno : fd;
		nap_ms(10);
	}
	return -ENOENT;
}

/* Bind backing fd to loop fd.  -EBUSY means someone else took the device. */
static int bind_loop(int lfd, int ffd, const char *file, uint32_t flags)
{
	struct loop_config cfg;
	struct loop_info64 info;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)ffd;
	cfg.info.lo_flags = flags;
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
	if (!loop_no_configure) {
		if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
			return 0;
		if (errno != EINVAL && errno != ENOTTY)
			return -errno;
	}
	/* Pre-5.8: read-only follows the backing fd's mode; only AUTOCLEAR
	 * is settable through LOOP_SET_STATUS64. */
	if (ioctl(lfd, LOOP_SET_FD, ffd))
		return -errno;
	memset(&info, 0, sizeof(info));
	info.lo_flags = flags & LO_FLAGS_AUTOCLEAR;
	memcpy(info.lo_file_name, cfg.info.lo_file_name, sizeof(info.lo_file_name));
	if (ioctl(lfd, LOOP_SET_STATUS64, &info)) {
		rc = -errno;
		ioctl(lfd, LOOP_CLR_FD, 0);
		return rc;
	}
	return 0;
}

static int attach(const char *file, bool read_only, bool autoclear, char *dev_out,
		  size_t devlen, int *loop_fd)
{
	char path[32];
	uint32_t flags = (read_only ? LO_FLAGS_READ_ONLY : 0) | (autoclear ? LO_FLAGS_AUTOCLEAR : 0);
	int mode = read_only ? O_RDONLY : O_RDWR;
	int ffd, ctl, lfd = -1, rc = -EBUSY;

	ffd = open(file, mode | O_CLOEXEC);
	if (ffd < 0)
		return -errno;
	ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		rc = -errno;
		goto err_file;
	}
	for (int tries = 0; tries < ATTACH_TRIES; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (n < 0) {
			rc = -errno;
			goto err_ctl;
		}
		snprintf(path, sizeof(path), LOOP_DEV_FMT, n);
		lfd = open_node(path, mode);
		if (lfd < 0) {
			rc = lfd;
			goto err_ctl;
		}
		rc = bind_loop(lfd, ffd, file, flags);
		if (rc != -EBUSY)
			break;
		close(lfd);	/* lost the race for this one: ask again */
		lfd = -1;
	}
	if (rc)
		goto err_loop;
	if (snprintf(dev_out, devlen, "%s", path) >= (int)devlen) {
		rc = -ENOSPC;
		ioctl(lfd, LOOP_CLR_FD, 0);
		goto err_loop;
	}
	if (loop_fd)
		*loop_fd = lfd;
	else
		close(lfd);
	close(ctl);
	close(ffd);	/* the loop device holds its own reference */
	return 0;

err_loop:
	if (lfd >= 0)
		close(lfd);
err_ctl:
	close(ctl);
err_file:
	close(ffd);
	return rc;
}

int loop_attach(const char *file, bool read_only, char *dev_out, size_t devlen)
{
	return attach(file, read_only, false, dev_out, devlen, NULL);
}

int loop_attach_autoclear(const char *file, bool read_only, char *dev_out, size_t devlen,
			  int *loop_fd)
{
	return attach(file, read_only, true, dev_out, devlen, loop_fd);
}

int loop_detach(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_CLR_FD, 0))
		rc = -errno;
	close(fd);
	return rc;
}
