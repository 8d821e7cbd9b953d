#include "init/shutdown.h"
#include "blockdev/nbd.h"
#include "init/log.h"
#include "fs/mountlist.h"
#include "util/errbuf.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OLDROOT "/oldroot"
#define UMOUNT_PASSES 16		/* a pass unmounts what nothing sits on any more */
#define NBD_BUSY_WAIT_MS 3000	/* for the last file system on a device to let it go */

int shutdown_install(char *err, size_t errlen)
{
	static const char *const dirs[] = { SHUTDOWN_DIR "/oldroot", SHUTDOWN_DIR "/dev", SHUTDOWN_DIR "/proc",
					    SHUTDOWN_DIR "/sys", SHUTDOWN_DIR "/run" };
	static char buf[1 << 16];
	const char *tmp = SHUTDOWN_DIR "/.shutdown.tmp", *dst = SHUTDOWN_DIR "/shutdown";
	struct stat st;
	int in, out, rc;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if ((rc = fs_mkdir_p(dirs[i], 0755)) < 0) {
			seterr(err, errlen, "mkdir %s: %s", dirs[i], strerror(-rc));
			return rc;
		}
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0) {
		rc = -errno;
		seterr(err, errlen, "open /proc/self/exe: %s", strerror(-rc));
		if (in >= 0)
			close(in);
		return rc;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		rc = -errno;
		seterr(err, errlen, "create %s: %s", tmp, strerror(-rc));
		close(in);
		return rc;
	}
	rc = fs_copy_range(in, 0, out, 0, (uint64_t)st.st_size, buf, sizeof(buf));
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		seterr(err, errlen, "copy netinit to %s: %s", dst, strerror(-rc));
	}
	return rc;
}

static char *read_mountinfo(void)
{
	static char text[1 << 18];
	size_t n = 0;
	ssize_t r;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while (n < sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	text[n] = '\0';
	return text;
}

/* Unmount everything at or below OLDROOT; returns how many stay mounted. */
static unsigned umount_oldroot(void)
{
	static struct mountlist ml;
	unsigned left = 0;

	for (int pass = 0; pass < UMOUNT_PASSES; pass++) {
		const char *mi = read_mountinfo();
		unsigned done = 0;

		if (!mi)
			break;
		mountlist_under(mi, OLDROOT, &ml);
		if (ml.n == 0)
			return 0;
		for (unsigned i = 0; i < ml.n; i++)
			if (umount2(ml.path[i], 0) == 0)
				done++;
		/* stuck: a process still holds something in a file system without a block device
		 * (the NBD supervisor's console fds in /oldroot/dev): detach those lazily, so the
		 * block-backed ones beneath can go */
		for (unsigned i = 0; done == 0 && i < ml.n; i++)
			if (ml.virt[i] && umount2(ml.path[i], MNT_DETACH) == 0) {
				log_info("shutdown: %s is busy: detached", ml.path[i]);
				done++;
			}
		left = ml.n - done;
		if (done == 0)
			break;
	}
	if (!left)
		return 0;
	/* what is still busy: say which, and make it consistent on disk */
	mountlist_under(read_mountinfo(), OLDROOT, &ml);
	for (unsigned i = 0; i < ml.n; i++) {
		int rc = umount2(ml.path[i], 0) == 0 ? 0 : -errno;

		if (rc == 0)
			continue;
		if (mount(NULL, ml.path[i], NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
			log_warn("shutdown: %s: %s: remounted read-only", ml.path[i], strerror(-rc));
		else
			log_warn("shutdown: %s: %s (and it cannot be remounted read-only: %s)", ml.path[i],
				 strerror(-rc), strerror(errno));
	}
	return ml.n;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* the NBD devices with an export attached (size > 0) */
static void nbd_disconnect_all(void)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[300], size[32], dev[300], err[256];
		int idx, fd = -1;

		if (sscanf(e->d_name, "nbd%d", &idx) != 1 || idx < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/size", e->d_name);
		if (fs_read_small(path, size, sizeof(size)) < 0 || strcmp(size, "0") == 0)
			continue;
		/* a file system still on it holds it exclusively; its last unmount may finish a
		 * moment after umount2 returned (overlayfs lets its layers go then) */
		snprintf(dev, sizeof(dev), "/dev/%s", e->d_name);
		for (unsigned waited = 0; waited < NBD_BUSY_WAIT_MS; waited += 100) {
			fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);
			if (fd >= 0 || errno != EBUSY)
				break;
			sleep_ms(100);
		}
		if (fd < 0 && errno == EBUSY) {
			log_warn("shutdown: %s is still in use: left connected", dev);
			continue;
		}
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		if (nbd_detach(idx, err, sizeof(err)) < 0)
			log_warn("shutdown: %s", err);
		else
			log_info("shutdown: %s disconnected", dev);
	}
	closedir(d);
}

_Noreturn void shutdown_main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	unsigned left;

	log_setup(1);
	if (access("/proc/self/mountinfo", R_OK) < 0) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	log_open_kmsg();
	log_info("shutdown: %s: unmounting the old root", verb[0] ? verb : "(no verb)");
	left = umount_oldroot();
	sync();
	if (left)
		log_warn("shutdown: %u mount(s) below %s stay", left, OLDROOT);
	else
		log_info("shutdown: %s unmounted", OLDROOT);
	/* systemd spared the processes serving the root ('@' in argv[0]): the NBD supervisor */
	kill(-1, SIGKILL);
	nbd_disconnect_all();
	sync();
	if (strcmp(verb, "poweroff") == 0) {
		log_info("shutdown: powering off");
		reboot(RB_POWER_OFF);
	} else if (strcmp(verb, "halt") == 0) {
		log_info("shutdown: halting");
		reboot(RB_HALT_SYSTEM);
	} else if (strcmp(verb, "kexec") == 0) {
		log_info("shutdown: starting the kexec kernel");
		reboot(LINUX_REBOOT_CMD_KEXEC);
		log_warn("shutdown: kexec: %s: rebooting", strerror(errno));
		reboot(RB_AUTOBOOT);
	} else {
		if (strcmp(verb, "reboot") != 0)
			log_warn("shutdown: unknown verb \"%s\": rebooting", verb);
		else
			log_info("shutdown: rebooting");
		reboot(RB_AUTOBOOT);
	}
	log_err("shutdown: reboot(2) failed: %s", strerror(errno));
	for (;;)
		pause();
}
