#include "init/bootc.h"
#include "blockdev/deploy.h"
#include "overlay/overlay.h"
#include "fs/mount.h"
#include "cmdline/cmdline.h"
#include "init/fatal.h"
#include "cmdline/kexeccmd.h"
#include "init/log.h"
#include "init/mounts.h"
#include "init/root.h"
#include "init/download.h"
#include "fetch/fetch.h"
#include "fetch/progress.h"
#include "fetch/sink.h"
#include "oci/archive.h"
#include "oci/layer.h"
#include "oci/ref.h"
#include "oci/registry.h"
#include "fs/mkerofs.h"
#include "blockdev/loop.h"
#include "util/newc.h"
#include "util/fsutil.h"
#include "util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define ARCHIVE_FILE BOOTC_DIR "/image.oci" /* a downloaded oci-archive */
#define EROFS_FILE   BOOTC_DIR "/root.erofs" /* bootc.live.erofs: the image of the tree */
/* bootc.kexec.reuse-image=1: the next kernel's initrd, built in place around the archive:
 * newc "root.oci" + the archive + TRAILER!!! + zeros to a 512-byte boundary + the image's
 * initramfs.img. A downloaded or pulled archive is written straight to its place in it. */
#define NEXT_INITRD  BOOTC_DIR "/next-initrd.img"
#define REUSE_NAME   "root.oci"              /* KEXEC_REUSE_ROOT names it in the next initramfs */
#define NEXT_ALIGN   512                     /* where the image's own initramfs starts */
#define MOVE_CHUNK   (4u << 20)              /* bytes moved at a time out of the initramfs */

/* What the steps share. Each returns 0 or -errno with b->e filled; bootc_root() returns
 * that to the root stage, which dies once. */
struct bootc {
	const struct boot_plan *plan;
	struct kmod_ctx *kmod;
	bool reuse;		/* bootc.kexec with reuse-image: the archive is kept for the next kernel */
	struct stage_err *e;
};

#define FAIL(rc, what, why, hint) return stage_fail(b->e, (rc), "root", (what), (why), (hint))
#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

/* The partial root goes with its tmpfs; then the failure. */
static int discard(struct bootc *b, int rc, const char *what, const char *why, const char *hint)
{
	umount2(BOOTC_DIR, MNT_DETACH);
	return stage_fail(b->e, rc, "root", what, why, hint);
}

/* bootc.zram=<size>: the tree lives in an ext4 on a compressed RAM disk (zram), which
 * holds more image in less RAM than a tmpfs; discard gives freed blocks back. */
static int mount_tree_zram(struct bootc *b)
{
	const struct boot_plan *plan = b->plan;
	char err[400], why[600];
	int fd, i, rc;

	kmod_load(b->kmod, "zram");
	for (i = 0; i < 50 && access("/sys/block/zram0/disksize", W_OK) != 0; i++)
		usleep(20000);
	fd = open("/sys/block/zram0/disksize", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, plan->bootc_zram, strlen(plan->bootc_zram)) < 0) {
		snprintf(why, sizeof(why), "set /sys/block/zram0/disksize to %s: %s", plan->bootc_zram, strerror(errno));
		rc = -errno;
		if (fd >= 0)
			close(fd);
		FAIL(rc, "bootc.zram", why, "the zram module must be in the initramfs (it is by default)");
	}
	close(fd);
	for (i = 0; i < 50 && access("/dev/zram0", F_OK) != 0; i++)
		usleep(20000);
	rc = deploy_mkfs("ext4", "/dev/zram0", "bootc", err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "bootc.zram", err, "bootc.zram needs mkfs.ext4 in the initramfs: make initramfs MKFS=ext4");
	kmod_load(b->kmod, "ext4");
	mkdir_p(BOOTC_DIR, 0755);
	rc = fs_mount("/dev/zram0", "ext4", 0, plan->rootflags[0] ? plan->rootflags : "discard", BOOTC_DIR, why,
			   sizeof(why));
	if (rc < 0)
		FAIL(rc, "bootc.zram", why, "check rootflags=");
	if (mkdir(BOOTC_TREE, 0755) < 0 && errno != EEXIST)
		return discard(b, -errno, BOOTC_TREE, strerror(errno), NULL);
	log_info("bootc: unpacking into an ext4 on /dev/zram0 (%s, compressed) at %s", plan->bootc_zram, BOOTC_TREE);
	return 0;
}

/* A tmpfs for the tree, capped at the RAM that may be used (rd.minmem stays free);
 * rootflags= are appended, so size= there overrides the cap. */
static int mount_tree_tmpfs(struct bootc *b)
{
	const struct boot_plan *plan = b->plan;
	/* with bootc.live.erofs, rootflags= are the EROFS mount's (bootc-live's rule) */
	struct ram_tmpfs r = { .dir = BOOTC_DIR, .opts = "mode=0755", .flags = plan->bootc_erofs ? "" : plan->rootflags,
			       .minmem_mib = plan->minmem_mib, .min_room = 8u << 20, .stage = "root",
			       .what = plan->root_arg };
	uint64_t cap;

	TRY(ram_tmpfs(&r, &cap, b->e));
	if (mkdir(BOOTC_TREE, 0755) < 0 && errno != EEXIST)
		return discard(b, -errno, BOOTC_TREE, strerror(errno), NULL);
	log_info("bootc: unpacking into a tmpfs of up to %llu MiB at %s", (unsigned long long)(cap >> 20), BOOTC_TREE);
	return 0;
}

/* Stream the archive URL into a file on the tree's tmpfs (decompressing .gz/.zst/.xz). */
static int download_archive(struct bootc *b, const char *path, uint64_t base)
{
	const struct fetch_opts *o = &b->plan->fetch;
	/* torrent: the pieces go in at their offsets (after base); no seeder: the archive is
	 * punched and unlinked while it is unpacked */
	struct dl_target t = { .stage = "root", .path = path, .place = DL_RAM, .base = base,
			       .minmem_mib = b->plan->minmem_mib, .torrent = b->plan->torrent };
	struct fetch_stats st;
	int rc;

	log_info("bootc: downloading %s", o->url);
	rc = download_to(o, &t, NULL, &st, b->e);
	if (rc < 0) {
		umount2(BOOTC_DIR, MNT_DETACH); /* the partial root goes with its tmpfs */
		return rc;
	}
	log_info("bootc: archive downloaded (%llu bytes%s)", (unsigned long long)st.bytes,
		 o->sum.set ? ", sha256 verified" : "");
	return 0;
}

static int unpack_archive(struct bootc *b, const char *path, uint64_t base, bool ours,
			  const struct oci_unpack_opts *uo, struct oci_unpack_stats *st)
{
	const struct boot_plan *plan = b->plan;
	struct oci_archive_opts a = {
		.label = plan->bootc_label[0] ? plan->bootc_label : "latest",
		.label_default = !plan->bootc_label[0],
		/* a downloaded archive, or the initramfs copy: both are consumed, unless the next
		 * kernel gets the archive (reuse) */
		.punch = !b->reuse,
		.base = base,
	};
	char err[1024];
	int rc;

	rc = oci_archive_unpack(path, &a, uo, st, err, sizeof(err));
	if (rc < 0)
		return discard(b, rc, path, err, rc == -ENOENT ? "set bootclabel= to one of the labels present" :
			       rc == -EBADMSG ? "the archive is corrupt or was changed: rebuild or re-download it" :
			       rc == -EPERM || rc == -ENAMETOOLONG || rc == -ENOSPC ? download_hint(rc, DL_RAM) : NULL);
	/* the archive's RAM goes back before the system starts (with reuse: after the kexec load) */
	if (!b->reuse && (ours || strncmp(path, "/run/", 5) != 0))
		unlink(path);
	return 0;
}

static int pull_registry(struct bootc *b, const struct oci_unpack_opts *uo, struct oci_unpack_stats *st, char *label,
			 size_t llen)
{
	const struct boot_plan *plan = b->plan;
	struct oci_ref ref;
	struct oci_registry_opts ro = {
		.insecure = plan->bootc_unsecure,
		.cacert = plan->fetch.cacert,
		.proxy = plan->fetch.proxy,
		.retry_s = plan->retry_s,
		.mirrors = &plan->bootc_mirrors,
	};
	char err[1024], desc[600];
	int rc;

	rc = oci_ref_parse(plan->root_src, &ref, err, sizeof(err));
	if (rc < 0)
		return discard(b, rc, plan->root_arg, err, "expected docker://[registry/]repository[:tag|@sha256:<digest>]");
	oci_ref_describe(&ref, desc, sizeof(desc));
	snprintf(label, llen, "%s", ref.tag[0] ? ref.tag : "latest");
	if (b->reuse) { /* keep the image as an oci-archive in its place in the next initrd */
		ro.archive_path = NEXT_INITRD;
		ro.archive_base = newc_header_len(REUSE_NAME);
		ro.archive_ref = label;
		log_info("bootc: keeping the pulled image as an oci-archive labelled \"%s\" for the next kernel (bootc.kexec.reuse-image)",
			 label);
	}
	log_info("bootc: pulling %s", desc);
	rc = oci_registry_unpack(&ref, &ro, uo, st, err, sizeof(err));
	if (rc < 0)
		return discard(b, rc, desc, err, download_hint(rc, DL_REGISTRY));
	if (st->sources[0])
		log_info("bootc: blobs served: %s", st->sources);
	return 0;
}

/* bootc.live.erofs: write the tree as a reproducible EROFS image on its own filesystem,
 * giving each file's space back as it is copied, and mount it read-only at NEWROOT. */
static int mount_erofs(struct bootc *b)
{
	const struct boot_plan *plan = b->plan;
	struct mkerofs_opts eo = { .consume = true };
	struct mkerofs_stats es;
	uint64_t t0 = mono_ms();
	char err[1024], dev[64], size[32];
	int rc;

	rc = mkerofs(BOOTC_TREE, EROFS_FILE, &eo, &es, err, sizeof(err));
	if (rc < 0)
		return discard(b, rc, "bootc.live.erofs", err, rc == -ENOSPC ? download_hint(rc, DL_RAM) : NULL);
	fs_remove_tree(BOOTC_TREE); /* what is left: directories, links and emptied files */
	progress_size(size, sizeof(size), es.image_bytes);
	log_info("bootc: EROFS image %s: %s, %llu inodes, %llu files, %.1f s", EROFS_FILE, size,
		 (unsigned long long)es.inodes, (unsigned long long)es.files, (double)(mono_ms() - t0) / 1000.0);
	kmod_load(b->kmod, "erofs");
	kmod_load(b->kmod, "loop");
	rc = loop_attach(EROFS_FILE, true, dev, sizeof(dev));
	if (rc < 0) {
		snprintf(err, sizeof(err), "attach %s to a loop device: %s", EROFS_FILE, strerror(-rc));
		return discard(b, rc, "bootc.live.erofs", err, "the loop module must be in the initramfs (it is by default)");
	}
	rc = fs_mount(dev, "erofs", MS_RDONLY, plan->rootflags, NEWROOT, err, sizeof(err));
	if (rc < 0)
		return discard(b, rc, "bootc.live.erofs", err,
			       "the erofs module must be in the initramfs (it is by default); check rootflags=");
	log_info("bootc: root is the EROFS image on %s, read-only%s", dev, plan->bootc_rw ? " (rw has no effect)" : "");
	return 0;
}

/* A tmpfs overlay over NEWROOT/<dir> (its lower: base/<dir>) so it is writable on a
 * read-only root. */
static int writable_dir(struct bootc *b, const char *base, const char *dir)
{
	char lower[300], upper[300], work[300], target[300], opts[1024], err[600];

	snprintf(lower, sizeof(lower), "%s/%s", base, dir);
	snprintf(upper, sizeof(upper), "%s/%s/upper", BOOTC_RW_DIR, dir);
	snprintf(work, sizeof(work), "%s/%s/work", BOOTC_RW_DIR, dir);
	snprintf(target, sizeof(target), "%s/%s", NEWROOT, dir);
	mkdir_p(lower, 0755);
	mkdir_p(upper, 0755);
	mkdir_p(work, 0755);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (mount("overlay", target, "overlay", 0, opts) < 0) {
		snprintf(err, sizeof(err), "overlay %s on %s: %s", opts, target, strerror(errno));
		FAIL(-errno, dir, err, "is the overlay module in the initramfs?");
	}
	log_info("bootc: /%s writable (tmpfs overlay)", dir);
	return 0;
}

static int assemble(struct bootc *b)
{
	const struct boot_plan *plan = b->plan;
	char err[300];
	int rc;

	const char *base = BOOTC_TREE;

	mkdir_p(NEWROOT, 0755);
	if (plan->bootc_erofs) {
		TRY(mount_erofs(b));
		base = NEWROOT; /* the overlays' lowers are the image's own /etc and /var */
		goto rw_dirs;
	}
	if (mount(BOOTC_TREE, NEWROOT, NULL, MS_BIND, NULL) < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "bind %s on %s: %s", BOOTC_TREE, NEWROOT, strerror(-rc));
		FAIL(rc, plan->root_arg, err, NULL);
	}
	if (plan->bootc_rw) {
		log_info("bootc: root read-write (rw)");
		return 0;
	}
	if (mount(NULL, NEWROOT, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "remount %s read-only: %s", NEWROOT, strerror(-rc));
		FAIL(rc, plan->root_arg, err, NULL);
	}
	log_info("bootc: root read-only (rw makes it writable)");
rw_dirs:
	if (!plan->bootc_etc_rw && !plan->bootc_var_rw)
		return 0;
	kmod_load(b->kmod, "overlay");
	mkdir_p(BOOTC_RW_DIR, 0755);
	if (mount("tmpfs", BOOTC_RW_DIR, "tmpfs", 0, "mode=0755") < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "mount a tmpfs on %s: %s", BOOTC_RW_DIR, strerror(-rc));
		FAIL(rc, plan->root_arg, err, NULL);
	}
	if (plan->bootc_etc_rw)
		TRY(writable_dir(b, base, "etc"));
	if (plan->bootc_var_rw)
		TRY(writable_dir(b, base, "var"));
	return 0;
}

/* The archive in the initramfs into out at base. The initramfs is a ramfs (no hole
 * punching), so a copy cannot be avoided; copying from the end and truncating the source
 * behind each piece keeps the peak at one archive plus MOVE_CHUNK, not two archives. A
 * file under /run/ is someone else's: copied whole and left in place. */
static int move_archive(const char *src, int out, uint64_t base, uint64_t *size, char *err, size_t errlen)
{
	bool consume = strncmp(src, "/run/", 5) != 0;
	char *buf = malloc(MOVE_CHUNK);
	uint64_t left, n;
	struct stat sb;
	int in = open(src, O_RDWR | O_CLOEXEC), rc = 0;

	if (in < 0 || !buf || fstat(in, &sb) < 0) {
		rc = !buf ? -ENOMEM : -errno;
		snprintf(err, errlen, "open %s: %s", src, strerror(-rc));
		goto out;
	}
	*size = left = (uint64_t)sb.st_size;
	if (!consume) {
		rc = fs_copy_range(in, 0, out, base, left, buf, MOVE_CHUNK);
		left = 0;
	}
	while (rc == 0 && left) {
		n = left < MOVE_CHUNK ? left : MOVE_CHUNK;
		rc = fs_copy_range(in, left - n, out, base + left - n, n, buf, MOVE_CHUNK);
		left -= n;
		if (rc == 0 && ftruncate(in, (off_t)left) < 0)
			rc = -errno;
	}
	if (rc < 0)
		snprintf(err, errlen, "copy %s into %s: %s", src, NEXT_INITRD, strerror(-rc));
	else if (consume)
		unlink(src);
out:
	if (in >= 0)
		close(in);
	free(buf);
	return rc;
}

/* NEXT_INITRD around the archive (already in place at newc_header_len(REUSE_NAME), or
 * moved there from the initramfs file in_initramfs), then the image's initramfs from img;
 * an fd of it for kexec_file_load, or the fatal path. */
static int build_next_initrd(struct bootc *b, const char *in_initramfs, int img, uint64_t *archive_bytes,
			     uint64_t *total)
{
	uint64_t base = newc_header_len(REUSE_NAME), off;
	char hdr[NEWC_HDR + 64], err[600], *buf;
	struct stat sb;
	ssize_t hl;
	int fd, rc;

	fd = open(NEXT_INITRD, O_RDWR | O_CLOEXEC | (in_initramfs ? O_CREAT | O_TRUNC : 0), 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "open %s: %s", NEXT_INITRD, strerror(-rc));
		FAIL(rc, "bootc.kexec", err, NULL);
	}
	if (in_initramfs) {
		rc = move_archive(in_initramfs, fd, base, archive_bytes, err, sizeof(err));
		if (rc < 0) {
			close(fd);
			FAIL(rc, "bootc.kexec", err, rc == -ENOSPC ? "give the machine more RAM, or use "
			     "bootc.kexec.reuse-image=0" : NULL);
		}
	} else {
		if (fstat(fd, &sb) < 0 || (uint64_t)sb.st_size <= base) {
			snprintf(err, sizeof(err), "%s holds no archive after its %llu-byte header room", NEXT_INITRD,
				 (unsigned long long)base);
			close(fd);
			FAIL(-ENODATA, "bootc.kexec", err, NULL);
		}
		*archive_bytes = (uint64_t)sb.st_size - base;
	}
	hl = newc_file_header(hdr, sizeof(hdr), REUSE_NAME, 0644, *archive_bytes, 1);
	if (hl == -EFBIG) {
		snprintf(err, sizeof(err), "the archive is %llu bytes; a newc cpio entry holds at most %u",
			 (unsigned long long)*archive_bytes, NEWC_SIZE_MAX);
		close(fd);
		FAIL(-EFBIG, "bootc.kexec", err, "use bootc.kexec.reuse-image=0 (the next kernel fetches the image again)");
	}
	rc = hl < 0 ? (int)hl : fs_pwrite_all(fd, hdr, (size_t)hl, 0);
	off = newc_align(base + *archive_bytes, NEWC_ALIGN);
	hl = rc < 0 ? rc : newc_trailer(hdr, sizeof(hdr));
	rc = hl < 0 ? (int)hl : fs_pwrite_all(fd, hdr, (size_t)hl, off);
	off = newc_align(off + (uint64_t)(hl > 0 ? hl : 0), NEXT_ALIGN);
	buf = rc < 0 ? NULL : malloc(MOVE_CHUNK);
	if (rc == 0 && (!buf || fstat(img, &sb) < 0))
		rc = !buf ? -ENOMEM : -errno;
	if (rc == 0)
		rc = fs_copy_range(img, 0, fd, off, (uint64_t)sb.st_size, buf, MOVE_CHUNK);
	free(buf);
	if (rc < 0) {
		snprintf(err, sizeof(err), "build %s (newc root.oci, trailer, the image's initramfs.img): %s", NEXT_INITRD,
			 strerror(-rc));
		close(fd);
		FAIL(rc, "bootc.kexec", err, rc == -ENOSPC ? "give the machine more RAM, or use "
		     "bootc.kexec.reuse-image=0" : NULL);
	}
	*total = off + (uint64_t)sb.st_size;
	/* kexec_file_load refuses (ETXTBSY) a file that is open for writing anywhere */
	if (close(fd) < 0 || (fd = open(NEXT_INITRD, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "reopen %s read-only: %s", NEXT_INITRD, strerror(-rc));
		FAIL(rc, "bootc.kexec", err, NULL);
	}
	return fd;
}

/* bootc.kexec: load the image's /usr/lib/modules/<kver>/vmlinuz with kexec_file_load and
 * jump into it; with reuse, its initrd is NEXT_INITRD (the archive as /root.oci, then the
 * image's initramfs.img), else its initramfs.img alone. in_initramfs: the archive file when
 * it sits in the initramfs (NULL: it is in NEXT_INITRD already); label: bootclabel= for the
 * next kernel (a registry pull's tag), or NULL. Returns only when it failed: -errno. */
static int kexec_into_image(struct bootc *b, const char *in_initramfs, const char *label)
{
	static char cmd[8192], line[8192];
	char dir[512], kernel[700], initrd[700], why[900], sz[3][64];
	const char *base = BOOTC_TREE "/usr/lib/modules";
	uint64_t abytes = 0, total = 0, mem[4] = { 0 };
	struct dirent *e;
	struct stat sb;
	DIR *d = opendir(base);
	int kfd, ifd, fd, rc;

	kernel[0] = '\0';
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		snprintf(kernel, sizeof(kernel), "%s/vmlinuz", dir);
		snprintf(initrd, sizeof(initrd), "%s/initramfs.img", dir);
		if (access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0)
			break;
		kernel[0] = '\0';
	}
	if (d)
		closedir(d);
	if (!kernel[0])
		FAIL(-ENOENT, "bootc.kexec", "the image has no /usr/lib/modules/<kver>/vmlinuz with an initramfs.img beside it",
		     "build the image with its kernel and initramfs, or drop bootc.kexec");
	if (fs_read_small("/proc/cmdline", line, sizeof(line)) < 0)
		line[0] = '\0';
	rc = kexec_cmdline_build(line, b->reuse, label, cmd, sizeof(cmd));
	if (rc < 0) {
		snprintf(why, sizeof(why), "the next kernel's command line: %s (at most %zu bytes)", strerror(-rc),
			 sizeof(cmd) - 1);
		FAIL(rc, "bootc.kexec", why, NULL);
	}
	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	ifd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || ifd < 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "open %s: %s", kfd < 0 ? kernel : initrd, strerror(-rc));
		if (kfd >= 0)
			close(kfd);
		if (ifd >= 0)
			close(ifd);
		FAIL(rc, "bootc.kexec", why, NULL);
	}
	/* only these two files of the tree are needed now: its RAM goes back first */
	fetch_mem_available(&mem[0]);
	rc = fs_remove_tree(BOOTC_TREE);
	fetch_mem_available(&mem[1]);
	if (rc < 0)
		log_warn("bootc: cannot remove the unpacked tree %s before the kexec: %s", BOOTC_TREE, strerror(-rc));
	else
		log_info("bootc: unpacked tree removed, its RAM is free for the kexec");
	if (b->reuse) {
		fd = build_next_initrd(b, in_initramfs, ifd, &abytes, &total);
		close(ifd);
		if (fd < 0) {
			close(kfd);
			return fd;
		}
		ifd = fd;
		progress_size(sz[0], sizeof(sz[0]), abytes);
		progress_size(sz[1], sizeof(sz[1]), total - abytes);
		progress_size(sz[2], sizeof(sz[2]), total);
		log_info("bootc: next initrd %s: %s (%llu bytes): " REUSE_NAME " %s + the image's initramfs %s and headers",
			 NEXT_INITRD, sz[2], (unsigned long long)total, sz[0], sz[1]);
	}
	fetch_mem_available(&mem[2]);
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmd) + 1, cmd, 0UL) < 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "kexec_file_load %s + %s: %s", kernel, b->reuse ? NEXT_INITRD : initrd,
			 strerror(-rc));
		close(kfd);
		close(ifd);
		FAIL(rc, "bootc.kexec", why, rc == -EFBIG || rc == -ENOMEM ? "give the machine more RAM, or use "
		     "bootc.kexec.reuse-image=0" : "the running kernel needs CONFIG_KEXEC_FILE and must accept the "
		     "image's kernel");
	}
	close(kfd);
	close(ifd);
	if (b->reuse && stat(NEXT_INITRD, &sb) == 0) {
		unlink(NEXT_INITRD); /* the kernel holds its own copy now */
		log_info("bootc: %s deleted, the loaded kernel holds its own copy", NEXT_INITRD);
	}
	fetch_mem_available(&mem[3]);
	log_info("bootc: MemAvailable %llu MiB with the tree, %llu MiB without, %llu MiB with the next initrd built, "
		 "%llu MiB once loaded", (unsigned long long)(mem[0] >> 20), (unsigned long long)(mem[1] >> 20),
		 (unsigned long long)(mem[2] >> 20), (unsigned long long)(mem[3] >> 20));
	log_info("bootc: kexec into %s with \"%s\"", kernel, cmd);
	sync();
	reboot(RB_KEXEC);
	rc = -errno;
	snprintf(why, sizeof(why), "reboot(RB_KEXEC): %s", strerror(-rc));
	FAIL(rc, "bootc.kexec", why, NULL);
}

int bootc_root(struct root_ctx *c)
{
	const struct boot_plan *p = c->plan;
	struct bootc b = { .plan = p, .kmod = c->kmod, .e = c->e,
			   .reuse = p->bootc_kexec && p->bootc_kexec_reuse };
	struct oci_unpack_opts uo = { .root = BOOTC_TREE, .os = "linux", .ev = log_event, .ev_ctx = "bootc" };
	struct oci_unpack_stats st;
	struct utsname u;
	struct stat sb;
	char line[64], label[160] = "";
	uint64_t t0 = mono_ms(), base = b.reuse ? newc_header_len(REUSE_NAME) : 0;
	const char *src = p->root_src;

	uname(&u);
	uo.arch = oci_arch_from_machine(u.machine);
	TRY(p->bootc_zram[0] ? mount_tree_zram(&b) : mount_tree_tmpfs(&b));
	if (strncmp(src, OCI_REF_SCHEME, strlen(OCI_REF_SCHEME)) == 0) {
		TRY(pull_registry(&b, &uo, &st, label, sizeof(label))); /* label: the pulled tag */
	} else if (src[0] == '/') {
		if (stat(src, &sb) < 0 || !S_ISREG(sb.st_mode))
			return discard(&b, -ENOENT, p->root_arg, "no such file in the initramfs",
				       "embed the archive with make initramfs OCI=<file>, or append it as a second initrd");
		TRY(unpack_archive(&b, src, 0, false, &uo, &st));
	} else { /* with reuse, straight into its place in the next initrd */
		TRY(download_archive(&b, b.reuse ? NEXT_INITRD : ARCHIVE_FILE, base));
		TRY(unpack_archive(&b, b.reuse ? NEXT_INITRD : ARCHIVE_FILE, base, true, &uo, &st));
	}
	progress_size(line, sizeof(line), st.blob_bytes);
	log_info("bootc: image %s unpacked: %u layer%s, %s of layers, %llu entries, %llu whiteouts, all digests "
		 "verified, %.1f s", st.manifest_digest, st.layers, st.layers == 1 ? "" : "s", line,
		 (unsigned long long)st.entries, (unsigned long long)st.whiteouts, (double)(mono_ms() - t0) / 1000.0);
	if (p->bootc_kexec)
		return kexec_into_image(&b, b.reuse && src[0] == '/' ? src : NULL, b.reuse && label[0] ? label : NULL);
	return assemble(&b);
}
