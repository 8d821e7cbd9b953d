#include "init/root.h"
#include "init/bootc.h"
#include "init/download.h"
#include "init/fatal.h"
#include "init/log.h"
#include "blockdev/deploy.h"
#include "init/mounts.h"
#include "blockdev/devwait.h"
#include "blockdev/loop.h"
#include "blockdev/aoe.h"
#include "blockdev/nbd.h"
#include "overlay/overlay.h"
#include "fs/mount.h"
#include "fs/probe.h"
#include "fetch/dolly.h"
#include "fetch/fetch.h"
#include "fetch/sink.h"
#include "net/net.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define LIVE_ISO_DIR "/run/initramfs/live"   /* dracut's mount point of the live medium */
#define LAYER_DIR    "/run/netinit/layer"
#define MAX_LAYERS   4
#define IMAGE_DIR    "/run/netinit/image"  /* the tmpfs a downloaded image lives on */

/* Each step below returns 0 or -errno with c->e filled (stage, what, why, hint); only
 * root_assemble() dies, once, with what the failing step recorded. */
#define FAIL(rc, stage, what, why, hint) return stage_fail(c->e, (rc), (stage), (what), (why), (hint))
#define TRY(x) do { int rc_ = (x); if (rc_ < 0) return rc_; } while (0)

/* Load the filesystem's module: by its name, else by the "fs-<type>" alias. */
static void load_fs_module(struct root_ctx *c, const char *fstype)
{
	char alias[64];

	if (kmod_load(c->kmod, fstype) == 0)
		return;
	snprintf(alias, sizeof(alias), "fs-%s", fstype);
	kmod_load(c->kmod, alias); /* built in, or mount(2) will say what is missing */
}

/* "vda vdb sr0" for error hints: what the kernel does see. */
static void list_block_devices(char *buf, size_t len)
{
	DIR *d = opendir("/sys/class/block");
	struct dirent *e;
	size_t used = 0;

	buf[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d)) && used + strlen(e->d_name) + 2 < len) {
		if (e->d_name[0] == '.')
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", e->d_name);
	}
	closedir(d);
	if (!used)
		snprintf(buf, len, "none");
}

struct wait_ctx {
	const char *spec;
	unsigned retry_s;
};

static int wait_tick(void *ctx, const struct devspec *s, unsigned elapsed_s)
{
	const struct wait_ctx *w = ctx;

	(void)s;
	if (elapsed_s % 5 == 0)
		log_info("still waiting for %s (%u s of %u s, rd.retry)", w->spec, elapsed_s, w->retry_s);
	return 0;
}

/* Wait for the device spec and return its /dev path. */
static int wait_device(struct root_ctx *c, const char *spec_text, char *dev, size_t len)
{
	struct wait_ctx w = { .spec = spec_text, .retry_s = c->plan->retry_s };
	struct devspec spec;
	char err[256], seen[256], why[512];
	int rc;

	rc = devspec_parse(spec_text, &spec, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", spec_text, err, "see docs/cmdline.md for the device forms netinit accepts");
	log_info("waiting up to %u s for %s", w.retry_s, spec_text);
	rc = devspec_wait(&spec, w.retry_s * 1000u, dev, len, wait_tick, &w);
	if (rc < 0) {
		list_block_devices(seen, sizeof(seen));
		snprintf(why, sizeof(why), "%s after %u s (block devices present: %s)",
			 rc == -ETIMEDOUT ? "no such device appeared" : strerror(-rc), w.retry_s, seen);
		FAIL(rc, "root", spec_text, why,
		     "check the name, LABEL= or UUID= (blkid on a workstation shows them), the disk driver, or raise rd.retry=");
	}
	log_info("found %s at %s", spec_text, dev);
	return 0;
}

static int probe(struct root_ctx *c, const char *what, const char *dev, struct probe_info *pi)
{
	char why[256];
	int rc = probe_path(dev, pi);

	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", rc == -EMEDIUMTYPE ?
			 "no known filesystem (expected ext4, xfs, squashfs, erofs, iso9660, udf, vfat, btrfs)" :
			 strerror(-rc));
		FAIL(rc, "root", what, why, "set rootfstype= if the filesystem is one the probe does not know");
	}
	return 0;
}

static int local_root(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	char dev[256], why[512];
	const char *fstype = plan->rootfstype;
	struct probe_info pi;
	int rc;

	TRY(wait_device(c, plan->root_src, dev, sizeof(dev)));
	if (!*fstype) {
		TRY(probe(c, dev, dev, &pi));
		fstype = pi.fstype;
	}
	load_fs_module(c, fstype);
	rc = fs_mount(dev, fstype, plan->rw ? 0 : MS_RDONLY, plan->rootflags, NEWROOT, why, sizeof(why));
	if (rc < 0)
		FAIL(rc, "root", plan->root_arg, why, "check rootfstype= and rootflags=");
	log_info("root %s (%s) mounted %s", dev, fstype, plan->rw ? "read-write" : "read-only");
	return 0;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Mount one layer of a live image and descend: ISO > <rd.live.dir>/<rd.live.squashimg>
 * > LiveOS/rootfs.img; the innermost filesystem ends up at OVERLAY_LOWER. */
static int mount_layer(struct root_ctx *c, const char *src, int depth)
{
	const struct boot_plan *plan = c->plan;
	char dev[64], dir[64], inner[1024], err[512];
	struct probe_info pi;
	const char *blk = src;
	int rc;

	if (depth >= MAX_LAYERS)
		FAIL(-ELOOP, "root", src, "live images nested too deeply", "expected ISO > squashfs > rootfs.img at most");
	if (is_file(src)) {
		load_fs_module(c, "loop");
		rc = loop_attach(src, true, dev, sizeof(dev));
		if (rc < 0)
			FAIL(rc, "root", src, strerror(-rc), "attach a loop device: is the loop module in the initramfs?");
		blk = dev;
	}
	TRY(probe(c, src, blk, &pi));
	if (depth == 0)
		c->live_top = pi;
	load_fs_module(c, pi.fstype);
	log_info("%s: %s%s%s", src, pi.fstype, pi.label[0] ? " labelled " : "", pi.label);

	if (pi.type == PROBE_ISO9660 || pi.type == PROBE_UDF) {
		rc = fs_mount_ro(blk, pi.fstype, NULL, LIVE_ISO_DIR, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "root", src, err, NULL);
		snprintf(inner, sizeof(inner), "%s/%s/%s", LIVE_ISO_DIR, plan->live_dir, plan->live_squashimg);
		if (!is_file(inner)) {
			snprintf(err, sizeof(err), "the ISO has no /%s/%s", plan->live_dir, plan->live_squashimg);
			FAIL(-ENOENT, "root", src, err,
			     "set rd.live.dir= and rd.live.squashimg= to where the image's root filesystem is");
		}
		return mount_layer(c, inner, depth + 1);
	}
	snprintf(dir, sizeof(dir), "%s%d", LAYER_DIR, depth);
	rc = fs_mount_ro(blk, pi.fstype, depth == 0 ? plan->rootflags : NULL, dir, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", src, err, NULL);
	snprintf(inner, sizeof(inner), "%s/LiveOS/rootfs.img", dir);
	if (is_file(inner))
		return mount_layer(c, inner, depth + 1);
	mkdir_p(OVERLAY_LOWER, 0755);
	if (mount(dir, OVERLAY_LOWER, NULL, MS_MOVE, NULL) < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "move %s to %s: %s", dir, OVERLAY_LOWER, strerror(-rc));
		FAIL(rc, "root", src, err, NULL);
	}
	return 0;
}

/* A persistent upper: the cow partition (rd.live.overlay.persistent) or dracut's
 * rd.overlay=<device>[:<path>], with rd.overlay.reset and rd.overlay.readonly. */
static int persistent_upper(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	char dev[256], path[PLAN_STR + 2 * PROBE_LABEL_MAX], err[1024];
	struct probe_info pi;
	struct overlay_persist o = { .lower = OVERLAY_LOWER, .reset = plan->overlay_reset,
				    .readonly = plan->overlay_readonly, .tmpfs_size = plan->overlay_size,
				    .newroot = NEWROOT, .path = "" };
	int rc;

	if (c->cow_dev[0])
		snprintf(dev, sizeof(dev), "%s", c->cow_dev);
	else
		TRY(wait_device(c, plan->overlay_dev, dev, sizeof(dev)));
	TRY(probe(c, dev, dev, &pi));
	load_fs_module(c, pi.fstype);
	if (!c->cow_dev[0]) {
		/* dracut's default: /<rd.live.dir>/overlay-<label>-<uuid> of the live medium */
		if (plan->overlay_path[0])
			snprintf(path, sizeof(path), "%s", plan->overlay_path);
		else
			snprintf(path, sizeof(path), "/%s/overlay-%s-%s", plan->live_dir, c->live_top.label,
				 c->live_top.uuid);
		o.path = path;
	}
	o.dev = dev;
	o.fstype = pi.fstype;
	if (plan->overlay_reset)
		log_info("root: emptying the persistent overlay on %s%s (rd.overlay.reset)", dev, o.path);
	rc = overlay_persistent(&o, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", "persistent overlay", err,
		     "the overlay device needs a filesystem the kernel can write (ext4, xfs, btrfs)");
	log_info("root: overlay of %s with the persistent upper %s%s%s (%s)%s", OVERLAY_LOWER, dev,
		 o.path[0] ? " path " : "", o.path, pi.fstype,
		 o.readonly ? " kept read-only under a tmpfs (rd.overlay.readonly)" : "");
	return 0;
}

/* The upper layer over OVERLAY_LOWER, at NEWROOT: none (read-only root), a persistent
 * device (rd.root.overlay.write), or a tmpfs. */
static void upper_size(const struct boot_plan *plan, char *out, size_t len, char *why, size_t whylen);

static int assemble_upper(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	char err[512], dev[256], size[40], why[64];
	struct probe_info pi;
	int rc;

	if (plan->overlay == OVERLAY_NONE) {
		rc = overlay_bind_ro(OVERLAY_LOWER, NEWROOT, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "root", "read-only root", err, NULL);
		log_info("root: %s read-only, no overlay", OVERLAY_LOWER);
		return 0;
	}
	load_fs_module(c, "overlay");
	if (c->cow_dev[0] || plan->overlay_dev[0])
		return persistent_upper(c);
	if (plan->overlay_write[0] && !plan->overlay_temporary) {
		TRY(wait_device(c, plan->overlay_write, dev, sizeof(dev)));
		TRY(probe(c, plan->overlay_write, dev, &pi));
		load_fs_module(c, pi.fstype);
		rc = overlay_assemble_dev(OVERLAY_LOWER, dev, pi.fstype, NEWROOT, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "root", "rd.root.overlay.write", err,
			     "the write device needs a filesystem the kernel can write (ext4, xfs, btrfs)");
		log_info("root: overlay of %s with the persistent upper %s (%s) at %s", OVERLAY_LOWER, dev,
			 pi.fstype, OVERLAY_UPPER);
		return 0;
	}
	upper_size(plan, size, sizeof(size), why, sizeof(why));
	rc = overlay_assemble(OVERLAY_LOWER, size, NEWROOT, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", "overlay", err, "is the overlay module in the initramfs?");
	log_info("root: overlay of %s with a tmpfs upper (size %s%s) at %s", OVERLAY_LOWER, size, why, OVERLAY_UPPER);
	return 0;
}

static int live_root(struct root_ctx *c, const char *src)
{
	TRY(mount_layer(c, src, 0));
	return assemble_upper(c);
}

/* A read-only root filesystem on a (remote) device as the lower layer. */
static int device_lower(struct root_ctx *c, const char *what, const char *dev, const char *fstype, const char *flags)
{
	struct probe_info pi;
	char err[512];
	int rc;

	if (!fstype || !*fstype) {
		TRY(probe(c, what, dev, &pi));
		fstype = pi.fstype;
	}
	load_fs_module(c, fstype);
	rc = fs_mount_ro(dev, fstype, flags, OVERLAY_LOWER, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", what, err, "check rootfstype= and rootflags=");
	log_info("%s: %s mounted read-only at %s", what, fstype, OVERLAY_LOWER);
	return 0;
}

static int nbd_root(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	struct nbd_export info;
	char dev[64], err[512], desc[300], why[700];
	pid_t pid;
	int rc;

	nbd_spec_describe(&plan->nbd, desc, sizeof(desc));
	load_fs_module(c, "nbd");
	log_info("nbd: connecting to %s (up to %u s, rd.retry)", desc, plan->retry_s);
	rc = nbd_attach(&plan->nbd, plan->retry_s * 1000u, dev, sizeof(dev), &info, log_event, "nbd", err,
			sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", desc, err, rc == -ENOENT ? "check the export name against the [sections] of the nbd-server config" :
		     "check that nbd-server runs and is reachable; rd.retry= sets how long to keep trying");
	log_info("nbd: %s attached as %s (%llu bytes%s)", desc, dev, (unsigned long long)info.size,
		 info.read_only ? ", read-only" : "");
	if (plan->nbd.persist && info.via_netlink) {
		rc = nbd_supervise_spawn(&plan->nbd, &info, log_event, "nbd", &pid, err, sizeof(err));
		if (rc < 0)
			log_warn("nbd: no reconnect supervisor: %s", err);
		else
			log_info("nbd: reconnect supervisor @netinit-nbd%d running (pid %d)", info.dev_index, (int)pid);
	}
	if (plan->nbd.form == NBD_FORM_DRACUT) {
		/* dracut: the export is the root itself, mounted as root= would be */
		const char *fstype = plan->rootfstype[0] ? plan->rootfstype : plan->nbd.fstype;
		const char *flags = plan->rootflags[0] ? plan->rootflags : plan->nbd.rootflags;
		struct probe_info pi;

		if (!*fstype) {
			TRY(probe(c, dev, dev, &pi));
			fstype = pi.fstype;
		}
		load_fs_module(c, fstype);
		rc = fs_mount(dev, fstype, plan->rw ? 0 : MS_RDONLY, flags, NEWROOT, why, sizeof(why));
		if (rc < 0)
			FAIL(rc, "root", plan->root_arg, why, "check the fstype and rootflags fields");
		return 0;
	}
	TRY(device_lower(c, desc, dev, plan->rootfstype, plan->rootflags));
	return assemble_upper(c);
}

static int aoe_root(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	char dev[128], err[512];
	int rc;

	load_fs_module(c, "aoe");
	log_info("aoe: discovering %s (up to %u s, rd.retry)", plan->root_src, plan->retry_s);
	rc = aoe_attach(plan->root_src, plan->retry_s * 1000u, dev, sizeof(dev), err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", plan->root_arg, err,
		     "check that vblade exports the target on this network segment (AoE is not routed)");
	log_info("aoe: %s is %s", plan->root_src, dev);
	if (plan->aoe_live)
		return live_root(c, dev);
	TRY(device_lower(c, plan->root_src, dev, plan->rootfstype, plan->rootflags));
	return assemble_upper(c);
}

/* KIWI's root=overlay:LABEL=...: a local read-only root with an overlay. */
static int overlay_dev_root(struct root_ctx *c)
{
	char dev[256];

	TRY(wait_device(c, c->plan->root_src, dev, sizeof(dev)));
	TRY(device_lower(c, c->plan->root_src, dev, c->plan->rootfstype, c->plan->rootflags));
	return assemble_upper(c);
}

void root_image_name(const char *url, enum sink_codec codec, char *out, size_t len)
{
	const char *end = url + strcspn(url, "?#"), *slash = end;
	size_t n;

	while (slash > url && slash[-1] != '/')
		slash--;
	n = (size_t)(end - slash);
	if (n == 0 || n >= len || (n <= 2 && slash[0] == '.'))
		snprintf(out, len, "image");
	else
		snprintf(out, len, "%.*s", (int)n, slash);
	if (codec != SINK_CODEC_NONE) {
		char *dot = strrchr(out, '.');

		if (dot && dot != out)
			*dot = '\0';
	}
}

/* The tmpfs upper's size: as given, but the default (half of RAM, dracut's) no larger than what
 * the kernel has left once the image is in RAM: past that, writes get ENOSPC instead of the OOM
 * killer. why gets ", ..." when capped. */
static void upper_size(const struct boot_plan *plan, char *out, size_t len, char *why, size_t whylen)
{
	struct sysinfo si;
	uint64_t avail = 0, half;

	snprintf(out, len, "%s", plan->overlay_size);
	why[0] = 0;
	if (strcmp(plan->overlay_size, PLAN_OVERLAY_SIZE_DEFAULT) || sysinfo(&si) || fetch_mem_available(&avail) < 0)
		return;
	half = (uint64_t)si.totalram * si.mem_unit / 2;
	if (avail >= half || avail < (16u << 20))
		return;
	snprintf(out, len, "%llum", (unsigned long long)(avail >> 20));
	snprintf(why, whylen, ", %s of RAM capped at the MemAvailable left", PLAN_OVERLAY_SIZE_DEFAULT);
}

/* Stream the URL into RAM (a tmpfs sized to what may be used), /dev/ram0 (ramdisk_size) or
 * the disk (rd.kiwi.live.system, disk not NULL; its tail keeps the deployment record);
 * path gets where the image now is. The image exists once: nothing is buffered.
 * *written gets the bytes written (after decompression); stp (may be NULL) the stats. */
static int download(struct root_ctx *c, const struct fetch_opts *opts, const char *disk, char *path, size_t len,
		    uint64_t *written, struct fetch_stats *stp)
{
	const struct boot_plan *plan = c->plan;
	struct dl_target t = { .stage = "download", .path = path, .minmem_mib = plan->minmem_mib };
	char name[200];
	uint64_t cap;

	if (disk) {
		snprintf(path, len, "%s", disk);
		t.place = DL_DISK;
		t.tail = DEPLOY_RESERVE;	/* the record's tail is not for the image */
	} else if (plan->ramdisk_kib) {
		load_fs_module(c, "brd");
		snprintf(path, len, "/dev/ram0");
		t.place = DL_RAMDISK;
	} else {
		struct ram_tmpfs r = { .dir = IMAGE_DIR, .mflags = MS_NOSUID | MS_NODEV, .opts = "mode=0700",
				       .flags = "", .minmem_mib = plan->minmem_mib, .min_room = 1u << 20,
				       .stage = "download", .what = opts->url };

		TRY(ram_tmpfs(&r, &cap, c->e));
		root_image_name(opts->url, opts->decompress && !plan->torrent ? sink_codec_for_url(opts->url) :
				SINK_CODEC_NONE, name, sizeof(name));
		if (plan->live_dolly && !strchr(opts->url, '/'))
			snprintf(name, sizeof(name), "image");	/* "dolly:" names no file */
		if (plan->torrent && strlen(name) > 8 && !strcmp(name + strlen(name) - 8, ".torrent"))
			name[strlen(name) - 8] = '\0';	/* the image, not its metainfo */
		snprintf(path, len, "%s/%s", IMAGE_DIR, name);
		t.place = DL_RAM;
	}
	if (plan->live_dolly)
		t.dolly = &plan->dolly;
	t.torrent = plan->torrent;
	t.seed_s = plan->torrent_seed_s;
	t.seed_pct = plan->torrent_seed_pct;
	return download_to(opts, &t, written, stp, c->e);
}

/* A disk deployment needs the network only when it downloads: bring it up now (the
 * network stage did nothing unless ip= or rd.neednet asked for it, or it failed and went
 * on because the plan did not require it: then this is the second and fatal try). */
static int deploy_network(struct root_ctx *c)
{
	struct net_plan np = c->plan->net;
	struct net_result res;
	char err[512], line[512];
	int rc;

	if (c->net_is_up)
		return 0;
	net_plan_require(&np);
	rc = net_plan_finish(&np, err, sizeof(err));
	if (rc == 0)
		rc = net_up(&np, &res, log_event, "network", err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "network", "bring up the network to download the image onto the disk", err,
		     "check the cable/NIC driver and the DHCP server; a disk that already holds the image needs no network");
	net_result_format(&res, line, sizeof(line));
	log_info("network: %s", line);
	c->net_is_up = true;
	return 0;
}

/* The cow partition after image_bytes on disk (rd.live.overlay.persistent). */
static int ensure_cow(struct root_ctx *c, const char *disk, uint64_t image_bytes, bool recreate)
{
	char err[768];
	bool created;
	int rc;

	load_fs_module(c, c->plan->cowfs);
	rc = deploy_cow_ensure(disk, image_bytes, c->plan->cowfs, recreate, c->cow_dev, sizeof(c->cow_dev), &created,
			       err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "deploy", "create the cow partition", err,
		     "rd.live.overlay.persistent needs free space after the image and the cowfs's mkfs in the initramfs");
	log_info("deploy: %s partition %s (label %s, %s) after the image on %s",
		 created ? "created the write" : "found the write", c->cow_dev, DEPLOY_COW_LABEL, c->plan->cowfs, disk);
	return 0;
}

/* The live image on a disk that also holds the cow partition: a mount of the whole
 * disk would claim it exclusively and the kernel would refuse to mount the partition,
 * so the image is read through a read-only loop device over the disk. */
static int live_root_disk(struct root_ctx *c, const char *disk)
{
	char loopdev[64];
	int rc;

	if (!c->cow_dev[0])
		return live_root(c, disk);
	load_fs_module(c, "loop");
	rc = loop_attach(disk, true, loopdev, sizeof(loopdev));
	if (rc < 0)
		FAIL(rc, "root", disk, strerror(-rc), "attach a loop device: is the loop module in the initramfs?");
	log_info("deploy: reading the image on %s through %s (its partition %s stays mountable)", disk, loopdev,
		 c->cow_dev);
	return live_root(c, loopdev);
}

/* rd.kiwi.live.system: boot the image deployed on the disk, or deploy it first (blockdev/deploy.h). */
static int kiwi_system_root(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	const uint8_t *sum = plan->fetch.sum.set && !plan->fetch.sum.is_auto ? plan->fetch.sum.sha256 : NULL;
	char disk[256], why[512], err[512], path[300];
	struct deploy_info rec, mark;
	enum deploy_verdict v;
	struct fetch_opts o;
	struct fetch_stats st;
	uint64_t disk_bytes, image_bytes, written = 0;
	bool deployed = false;
	int rc;

	if (strlen(plan->fetch.url) >= DEPLOY_URL_MAX)
		FAIL(-ENAMETOOLONG, "deploy", plan->kiwi_system, "the URL is longer than the deployment record keeps",
		     "rd.kiwi.live.system needs a URL of at most 2047 characters");
	TRY(wait_device(c, plan->kiwi_system, disk, sizeof(disk)));
	rc = deploy_inspect(disk, plan->fetch.url, sum, &v, &rec, &disk_bytes, why, sizeof(why));
	if (rc < 0)
		FAIL(rc, "deploy", disk, why, "rd.kiwi.live.system= must name a readable disk");
	log_info("deploy: %s: %s", disk, why);
	if (v == DEPLOY_SAME && !plan->kiwi_reset) {
		log_info("deploy: booting the image on %s: no download, no network", disk);
		image_bytes = rec.image_bytes;
	} else {
		if ((v == DEPLOY_OTHER || v == DEPLOY_FOREIGN) && !plan->kiwi_reset) {
			snprintf(err, sizeof(err), "refusing to overwrite it: %s", why);
			FAIL(-EEXIST, "deploy", disk, err, "add rd.kiwi.live.reset to replace what the disk holds with this image, "
			     "or name an empty disk in rd.kiwi.live.system=");
		}
		/* a missing mkfs is found before the disk is touched */
		if (plan->overlay_persistent && (rc = deploy_mkfs_find(plan->cowfs, NULL, 0, err, sizeof(err))) < 0)
			FAIL(rc, "deploy", "rd.live.overlay.cowfs", err, NULL);
		TRY(deploy_network(c));
		memset(&mark, 0, sizeof(mark));
		mark.state = DEPLOY_STATE_WRITING;
		mark.disk_bytes = disk_bytes;
		mark.has_sha256 = sum != NULL;
		if (sum)
			memcpy(mark.image_sha256, sum, sizeof(mark.image_sha256));
		snprintf(mark.url, sizeof(mark.url), "%s", plan->fetch.url);
		rc = deploy_mark(disk, &mark, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "deploy", disk, err, NULL);
		log_info("deploy: writing %s onto %s%s", plan->fetch.url, disk,
			 plan->kiwi_reset && v != DEPLOY_BLANK ? " (rd.kiwi.live.reset)" : "");
		o = plan->fetch;
		o.digest = true;	/* the record is written only for the digest measured here */
		TRY(download(c, &o, disk, path, sizeof(path), &written, &st));
		/* the image is what was written: its own superblock may claim less (a KIWI
		 * ISO with an appended partition) or more than that */
		rc = deploy_complete(&mark, written, sum, st.sha256, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "deploy", disk, err, "the disk keeps its 'interrupted' record: the next boot deploys again");
		image_bytes = mark.image_bytes;
		rc = deploy_mark(disk, &mark, err, sizeof(err));
		if (rc < 0)
			FAIL(rc, "deploy", disk, err, NULL);
		log_info("deploy: %s holds the image (%llu bytes); later boots need no network", disk,
			 (unsigned long long)image_bytes);
		deployed = true;
	}
	if (plan->overlay_persistent)
		TRY(ensure_cow(c, disk, image_bytes, deployed));
	return live_root_disk(c, disk);
}

static int live_url(struct root_ctx *c)
{
	char path[300];

	if (c->plan->kiwi_system[0])
		return kiwi_system_root(c);
	TRY(download(c, &c->plan->fetch, NULL, path, sizeof(path), NULL, NULL));
	return live_root(c, path);
}

/* root=live:CDLABEL=... / LABEL= / /dev/x: a live medium already attached;
 * with rd.live.ram it is copied into RAM first (a file:// transfer into the tmpfs). */
static int live_dev(struct root_ctx *c)
{
	const struct boot_plan *plan = c->plan;
	char dev[256], path[300];
	struct fetch_opts o;
	char err[256];
	int rc;

	TRY(wait_device(c, plan->root_src, dev, sizeof(dev)));
	if (plan->overlay_persistent) {
		struct probe_info pi;
		char part[300];

		/* KIWI's hybrid medium: the cow partition goes after the ISO on the same disk */
		snprintf(part, sizeof(part), "/sys/class/block/%s/partition", strrchr(dev, '/') + 1);
		if (access(part, F_OK) == 0)
			FAIL(-EINVAL, "root", dev, "rd.live.overlay.persistent: the live medium is a partition",
			     "the cow partition goes on a whole disk that holds the image (root=live:/dev/<disk>)");
		TRY(probe(c, dev, dev, &pi));
		TRY(ensure_cow(c, dev, pi.size, false));
	}
	if (!plan->live_ram)
		return live_root_disk(c, dev);
	o = plan->fetch;
	o.sum.set = false;
	o.decompress = false;
	snprintf(path, sizeof(path), "file://%s", dev);
	rc = fetch_set_url(&o, path, err, sizeof(err));
	if (rc < 0)
		FAIL(rc, "root", dev, err, NULL);
	log_info("rd.live.ram: copying %s into RAM", dev);
	TRY(download(c, &o, NULL, path, sizeof(path), NULL, NULL));
	return live_root(c, path);
}

int root_run(struct root_ctx *c)
{
	const struct boot_plan *p = c->plan;
	char why[256];

	switch (p->root_kind) {
	case ROOT_BLOCK:
		return local_root(c);
	case ROOT_LIVE_FILE:
		if (!is_file(p->root_src))
			FAIL(-ENOENT, "root", p->root_arg, "no such file in the initramfs",
			     "embed the image with make initramfs EXTRA_LIST=..., or append it as a second initrd");
		return live_root(c, p->root_src);
	case ROOT_LIVE_URL:
		return live_url(c);
	case ROOT_LIVE_DEV:
		return live_dev(c);
	case ROOT_OVERLAY_DEV:
		return overlay_dev_root(c);
	case ROOT_NBD:
		return nbd_root(c);
	case ROOT_AOE:
		return aoe_root(c);
	case ROOT_BOOTC:
		return bootc_root(c);
	default:
		snprintf(why, sizeof(why), "%s roots are not implemented in this build", plan_root_kind_name(p->root_kind));
		FAIL(-ENOSYS, "root", p->root_arg, why, NULL);
	}
}

void root_assemble(const struct boot_plan *p, struct kmod_ctx *k, bool network_up)
{
	struct stage_err e = { 0 };
	struct root_ctx c = { .plan = p, .kmod = k, .net_is_up = network_up, .e = &e };

	if (root_run(&c) < 0)
		stage_fatal(&e);
}
