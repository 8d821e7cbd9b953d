#include "blockdev/deploy.h"
#include "util/reap.h"
#include "blockdev/part.h"
#include "fs/probe.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct deploy_record) == DEPLOY_RECORD_SIZE, "deploy record size");

#define MKFS_OUT_MAX	1024	/* keep this much of mkfs's output for the error line */
#define PARTNODE_WAIT_MS 5000	/* a partition added with BLKPG shows in /dev within this */

/* ---- the record ---------------------------------------------------------- */

int deploy_record_encode(const struct deploy_info *info, uint8_t out[DEPLOY_RECORD_SIZE])
{
	struct deploy_record r;

	if (strlen(info->url) >= sizeof(r.url))
		return -ENAMETOOLONG;
	memset(&r, 0, sizeof(r));
	memcpy(r.magic, DEPLOY_MAGIC, sizeof(r.magic));
	r.version = htole32(DEPLOY_VERSION);
	r.state = htole32((uint32_t)info->state);
	r.image_bytes = htole64(info->image_bytes);
	r.disk_bytes = htole64(info->disk_bytes);
	r.has_sha256 = htole32(info->has_sha256 ? 1 : 0);
	if (info->has_sha256)
		memcpy(r.image_sha256, info->image_sha256, sizeof(r.image_sha256));
	strcpy(r.url, info->url);
	r.crc32 = htole32(part_crc32(0, &r, offsetof(struct deploy_record, crc32)));
	memcpy(out, &r, sizeof(r));
	return 0;
}

int deploy_record_decode(const uint8_t *buf, size_t len, struct deploy_info *out)
{
	struct deploy_record r;
	uint32_t state;

	memset(out, 0, sizeof(*out));
	if (!buf || len < sizeof(r))
		return -ENOENT;
	memcpy(&r, buf, sizeof(r));
	if (memcmp(r.magic, DEPLOY_MAGIC, sizeof(r.magic)))
		return -ENOENT;
	if (le32toh(r.crc32) != part_crc32(0, &r, offsetof(struct deploy_record, crc32)))
		return -EBADMSG;
	state = le32toh(r.state);
	if (le32toh(r.version) != DEPLOY_VERSION ||
	    (state != DEPLOY_STATE_WRITING && state != DEPLOY_STATE_COMPLETE) ||
	    !memchr(r.url, '\0', sizeof(r.url)) || le32toh(r.has_sha256) > 1)
		return -EBADMSG;
	out->state = (enum deploy_state)state;
	out->image_bytes = le64toh(r.image_bytes);
	out->disk_bytes = le64toh(r.disk_bytes);
	out->has_sha256 = le32toh(r.has_sha256) == 1;
	memcpy(out->image_sha256, r.image_sha256, sizeof(out->image_sha256));
	memcpy(out->url, r.url, sizeof(out->url));
	return 0;
}

int deploy_complete(struct deploy_info *mark, uint64_t written, const uint8_t *expected,
		    const uint8_t measured[32], char *err, size_t errlen)
{
	if (mark->state != DEPLOY_STATE_WRITING) {
		snprintf(err, errlen, "the deployment record is not one of a deployment in progress");
		return -EINVAL;
	}
	if (written == 0 || mark->disk_bytes < DEPLOY_RESERVE || written > mark->disk_bytes - DEPLOY_RESERVE) {
		snprintf(err, errlen, "%llu bytes written: expected 1 to %llu (the disk less its %u-byte record area)",
			 (unsigned long long)written,
			 (unsigned long long)(mark->disk_bytes > DEPLOY_RESERVE ? mark->disk_bytes - DEPLOY_RESERVE : 0),
			 DEPLOY_RESERVE);
		return -EINVAL;
	}
	if (expected && (!measured || memcmp(expected, measured, sizeof(mark->image_sha256)) != 0)) {
		snprintf(err, errlen, "the image written does not have the expected sha256: not marking it complete");
		return -EBADMSG;
	}
	mark->state = DEPLOY_STATE_COMPLETE;
	mark->image_bytes = written;
	mark->has_sha256 = expected != NULL;
	if (expected)
		memcpy(mark->image_sha256, expected, sizeof(mark->image_sha256));
	return 0;
}

/* ---- the verdict --------------------------------------------------------- */

enum deploy_verdict deploy_judge(const uint8_t *head, size_t head_len, bool has_fs, int rec_rc,
				 const struct deploy_info *rec, uint64_t disk_bytes, const char *url,
				 const uint8_t *sha256, char *why, size_t whylen)
{
	struct part_table t;
	bool ours = rec_rc == 0 && rec->disk_bytes == disk_bytes && rec->image_bytes <= disk_bytes;

	if (ours && rec->state != DEPLOY_STATE_COMPLETE) {
		snprintf(why, whylen, "an interrupted deployment of %.200s", rec->url);
		return DEPLOY_INCOMPLETE;
	}
	if (ours && strcmp(rec->url, url) != 0) {
		snprintf(why, whylen, "it holds a deployment of %.200s, not of this URL", rec->url);
		return DEPLOY_OTHER;
	}
	if (ours && sha256 && (!rec->has_sha256 || memcmp(rec->image_sha256, sha256, 32) != 0)) {
		snprintf(why, whylen, "it holds a deployment of this URL checked against %s sha256",
			 rec->has_sha256 ? "another" : "no");
		return DEPLOY_OTHER;
	}
	if (ours) {
		snprintf(why, whylen, "it holds this image (%llu bytes)", (unsigned long long)rec->image_bytes);
		return DEPLOY_SAME;
	}
	if (part_read(head, head_len, &t) == 0 && t.scheme != PART_NONE) {
		snprintf(why, whylen, "it holds a%s %s partition table", t.scheme == PART_MBR ? "n" : "",
			 part_scheme_name(t.scheme));
		return DEPLOY_FOREIGN;
	}
	if (has_fs) {
		snprintf(why, whylen, "it holds a filesystem");
		return DEPLOY_FOREIGN;
	}
	snprintf(why, whylen, "it is blank (no partition table, filesystem or deployment)");
	return DEPLOY_BLANK;
}

const char *deploy_verdict_name(enum deploy_verdict v)
{
	static const char *const names[] = {
		[DEPLOY_BLANK] = "blank", [DEPLOY_SAME] = "same", [DEPLOY_INCOMPLETE] = "incomplete",
		[DEPLOY_OTHER] = "other", [DEPLOY_FOREIGN] = "foreign",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* ---- disk I/O ------------------------------------------------------------ */

static int dev_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	if (ioctl(fd, BLKGETSIZE64, size) < 0)
		return -errno;
	return 0;
}

int deploy_inspect(const char *disk, const char *url, const uint8_t *sha256, enum deploy_verdict *v,
		   struct deploy_info *rec, uint64_t *disk_bytes, char *why, size_t whylen)
{
	static uint8_t head[PART_PROBE_BYTES], tail[DEPLOY_RECORD_SIZE];
	struct probe_info pi;
	int fd, rc, rec_rc = -ENOENT;

	fd = open(disk, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whylen, "open %s: %s", disk, strerror(errno));
		return rc;
	}
	rc = dev_size(fd, disk_bytes);
	if (rc < 0) {
		snprintf(why, whylen, "size of %s: %s", disk, strerror(-rc));
		goto err_close;
	}
	if (*disk_bytes < (uint64_t)PART_PROBE_BYTES + DEPLOY_RESERVE) {
		rc = -ENOSPC;
		snprintf(why, whylen, "%s is %llu bytes, too small for an image and the %u-byte record area",
			 disk, (unsigned long long)*disk_bytes, DEPLOY_RESERVE);
		goto err_close;
	}
	rc = fs_pread_all(fd, head, sizeof(head), 0);
	if (rc == 0)
		rc = fs_pread_all(fd, tail, sizeof(tail), *disk_bytes - DEPLOY_RECORD_SIZE);
	if (rc < 0) {
		snprintf(why, whylen, "read %s: %s", disk, strerror(-rc));
		goto err_close;
	}
	rec_rc = deploy_record_decode(tail, sizeof(tail), rec);
	*v = deploy_judge(head, sizeof(head), probe_fd(fd, &pi) == 0, rec_rc, rec, *disk_bytes, url, sha256,
			  why, whylen);
	rc = 0;
err_close:
	close(fd);
	return rc;
}

int deploy_mark(const char *disk, const struct deploy_info *info, char *err, size_t errlen)
{
	static uint8_t buf[DEPLOY_RECORD_SIZE];
	uint64_t size;
	int fd, rc;

	rc = deploy_record_encode(info, buf);
	if (rc < 0) {
		snprintf(err, errlen, "the URL is longer than the %d bytes the deployment record keeps",
			 DEPLOY_URL_MAX - 1);
		return rc;
	}
	fd = open(disk, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "open %s for writing: %s", disk, strerror(errno));
		return rc;
	}
	rc = dev_size(fd, &size);
	if (rc == 0 && size != info->disk_bytes)
		rc = -ESTALE;
	if (rc == 0)
		rc = fs_pwrite_all(fd, buf, sizeof(buf), size - DEPLOY_RECORD_SIZE);
	if (rc == 0 && fdatasync(fd) < 0)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "write the deployment record at the end of %s: %s", disk, strerror(-rc));
	close(fd);
	return rc;
}

/* ---- the cow partition --------------------------------------------------- */

static uint32_t new_disk_signature(void)
{
	uint32_t sig = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &sig, sizeof(sig)) != (ssize_t)sizeof(sig))
			sig = 0;
		close(fd);
	}
	if (sig == 0)
		sig = (uint32_t)time(NULL) | 1;
	return sig;
}

static bool is_cow(const char *dev)
{
	struct probe_info pi;

	return probe_path(dev, &pi) == 0 && strcmp(pi.label, DEPLOY_COW_LABEL) == 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Tell the kernel about partition pno (replacing a stale one of that number)
 * and wait for its node. */
static int kernel_add_partition(int fd, unsigned pno, uint64_t start, uint64_t count, const char *node)
{
	struct blkpg_partition p;
	struct blkpg_ioctl_arg a;
	struct stat st;
	unsigned waited;

	memset(&p, 0, sizeof(p));
	memset(&a, 0, sizeof(a));
	p.pno = (int)pno;
	a.op = BLKPG_DEL_PARTITION;
	a.datalen = sizeof(p);
	a.data = &p;
	ioctl(fd, BLKPG, &a);	/* none there is fine */
	p.start = (long long)(start * PART_SECTOR);
	p.length = (long long)(count * PART_SECTOR);
	a.op = BLKPG_ADD_PARTITION;
	if (ioctl(fd, BLKPG, &a) < 0)
		return -errno;
	for (waited = 0; stat(node, &st) < 0 || !S_ISBLK(st.st_mode); waited += 50) {
		if (waited >= PARTNODE_WAIT_MS)
			return -ENODEV;
		sleep_ms(50);
	}
	return 0;
}

int deploy_cow_ensure(const char *disk, uint64_t image_bytes, const char *fs, bool recreate,
		      char *cowdev, size_t devlen, bool *created, char *err, size_t errlen)
{
	static uint8_t head[PART_PROBE_BYTES];
	struct part_table t;
	uint64_t size, start, count;
	unsigned pno;
	int fd, rc;

	*created = false;
	fd = open(disk, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "open %s for writing: %s", disk, strerror(errno));
		return rc;
	}
	if ((rc = dev_size(fd, &size)) < 0 || (rc = fs_pread_all(fd, head, sizeof(head), 0)) < 0) {
		snprintf(err, errlen, "read %s: %s", disk, strerror(-rc));
		goto err_close;
	}
	part_read(head, sizeof(head), &t);
	if (t.scheme == PART_GPT) {
		rc = -ENOTSUP;
		snprintf(err, errlen, "%s holds a GPT; netinit adds the cow partition to an MBR only "
			 "(expected a non-hybrid or MBR-hybrid ISO)", disk);
		goto err_close;
	}
	for (unsigned i = 0; !recreate && i < t.n; i++) {
		if (t.e[i].start * PART_SECTOR < image_bytes)
			continue;
		if (part_dev_name(disk, t.e[i].number, cowdev, devlen) == 0 && is_cow(cowdev)) {
			rc = 0;
			goto err_close;	/* found: nothing to create */
		}
	}
	rc = part_free_after(&t, (image_bytes + PART_SECTOR - 1) / PART_SECTOR,
			     (size - DEPLOY_RESERVE) / PART_SECTOR, DEPLOY_ALIGN / PART_SECTOR, &start, &count);
	if (rc < 0) {
		snprintf(err, errlen, "no room for a cow partition after the %llu-byte image on the %llu-byte %s%s",
			 (unsigned long long)image_bytes, (unsigned long long)size, disk,
			 rc == -E2BIG ? " (beyond the 2 TiB an MBR addresses)" : "");
		goto err_close;
	}
	rc = part_mbr_add(head, PART_MBR_TYPE_LINUX, start, count, new_disk_signature(), &pno);
	if (rc < 0) {
		snprintf(err, errlen, "add a partition to the MBR of %s: %s", disk,
			 rc == -ENOSPC ? "all four entries are used" :
			 rc == -EEXIST ? "sector 0 holds a boot sector or overlapping entries" : strerror(-rc));
		goto err_close;
	}
	if ((rc = fs_pwrite_all(fd, head, PART_SECTOR, 0)) < 0 || (fdatasync(fd) < 0 && (rc = -errno))) {
		snprintf(err, errlen, "write the MBR of %s: %s", disk, strerror(-rc));
		goto err_close;
	}
	if ((rc = part_dev_name(disk, pno, cowdev, devlen)) < 0) {
		snprintf(err, errlen, "%s: partition name too long", disk);
		goto err_close;
	}
	rc = kernel_add_partition(fd, pno, start, count, cowdev);
	if (rc < 0) {
		snprintf(err, errlen, "tell the kernel about %s (BLKPG): %s", cowdev, strerror(-rc));
		goto err_close;
	}
	close(fd);
	rc = deploy_mkfs(fs, cowdev, DEPLOY_COW_LABEL, err, errlen);
	if (rc == 0)
		*created = true;
	return rc;
err_close:
	close(fd);
	return rc;
}

/* ---- mkfs ---------------------------------------------------------------- */

static const char *const mkfs_dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin" };

int deploy_mkfs_find(const char *fs, char *path, size_t len, char *err, size_t errlen)
{
	char buf[128];
	size_t i;

	if (strcmp(fs, "ext4") && strcmp(fs, "xfs") && strcmp(fs, "btrfs")) {
		snprintf(err, errlen, "cowfs %s: expected ext4, xfs or btrfs", fs);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(mkfs_dirs) / sizeof(mkfs_dirs[0]); i++) {
		snprintf(buf, sizeof(buf), "%s/mkfs.%s", mkfs_dirs[i], fs);
		if (access(buf, X_OK) == 0) {
			if (path)
				snprintf(path, len, "%s", buf);
			return 0;
		}
	}
	snprintf(err, errlen, "mkfs.%s is not in the initramfs (looked in /sbin /usr/sbin /bin /usr/bin); "
		 "build it with make initramfs MKFS=%s", fs, fs);
	return -ENOENT;
}

int deploy_mkfs(const char *fs, const char *dev, const char *label, char *err, size_t errlen)
{
	char prog[64], path[128], out[MKFS_OUT_MAX + 1], *line, *nl;
	const char *argv[8];
	char *const envp[] = { "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
			       "LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/lib:/usr/lib",
			       NULL };
	size_t used = 0;
	int pipefd[2], status, rc;
	pid_t pid;

	rc = deploy_mkfs_find(fs, path, sizeof(path), err, errlen);
	if (rc < 0)
		return rc;
	snprintf(prog, sizeof(prog), "mkfs.%s", fs);
	argv[0] = prog;
	argv[1] = strcmp(fs, "ext4") == 0 ? "-F" : "-f";
	argv[2] = "-q";
	argv[3] = "-L";
	argv[4] = label;
	argv[5] = dev;
	argv[6] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return rc;
	}
	pid = reap_fork();	/* PID 1's reaper leaves its exit status to us */
	if (pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "fork for %s: %s", prog, strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return rc;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execve(path, (char *const *)argv, envp);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n;

		if (used == MKFS_OUT_MAX) {	/* keep the end: the reason is in the last line */
			memmove(out, out + MKFS_OUT_MAX / 2, MKFS_OUT_MAX / 2);
			used = MKFS_OUT_MAX / 2;
		}
		n = read(pipefd[0], out + used, MKFS_OUT_MAX - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	close(pipefd[0]);
	out[used] = '\0';
	rc = reap_wait(pid, &status);
	if (rc < 0) {
		snprintf(err, errlen, "wait for %s: %s", prog, strerror(-rc));
		return rc;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	while (used && (out[used - 1] == '\n' || out[used - 1] == '\r'))
		out[--used] = '\0';
	line = (nl = strrchr(out, '\n')) ? nl + 1 : out;
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !*line)
		line = "could not be executed (missing shared libraries or loader?)";
	snprintf(err, errlen, "%s -L %s %s failed (%s %d): %s", prog, label, dev,
		 WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		 *line ? line : "no output");
	return -EIO;
}
