#include "init/root.h"
#include "init/bootc.h"
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
#include "fetch/fetch.h"
#include "fetch/progress.h"
#include "fetch/sink.h"
#include "net/net.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIVE_ISO_DIR "/run/initramfs/live"   /* dracut's mount point of the live medium */
#define LAYER_DIR    "/run/netinit/layer"
#define MAX_LAYERS   4
#define IMAGE_DIR    "/run/netinit/image"  /* the tmpfs a downloaded image lives on */

static struct kmod_ctx *kmod;
static const struct boot_plan *plan;
static bool net_is_up;	/* the network stage brought the network up */
static char cow_dev[256];              /* the cow partition (rd.live.overlay.persistent), once known */
static struct probe_info live_top;     /* the outermost live image, for rd.overlay's auto path */

/* Load the filesystem's module: by its name, else by the "fs-<type>" alias. */
static void load_fs_module(const char *fstype)
{
	char alias[64];

	if (kmod_load(kmod, fstype) == 0)
		return;
	snprintf(alias, sizeof(alias), "fs-%s", fstype);
	kmod_load(kmod, alias); /* built in, or mount(2) will say what is missing */
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

static int wait_tick(void *ctx, const struct devspec *s, unsigned elapsed_s)
{
	if (elapsed_s % 5 == 0)
		log_info("still waiting for %s (%u s of %u s, rd.retry)", (const char *)ctx, elapsed_s,
			 plan->retry_s);
	return 0;
}

/* Wait for the device spec and return its /dev path. */
static void wait_device(const char *spec_text, char *dev, size_t len)
{
	struct devspec spec;
	char err[256], seen[256], why[512];
	int rc;

	if (devspec_parse(spec_text, &spec, err, sizeof(err)) < 0)
		fatal("root", spec_text, err, "see docs/cmdline.md for the device forms netinit accepts");
	log_info("waiting up to %u s for %s", plan->retry_s, spec_text);
	rc = devspec_wait(&spec, plan->retry_s * 1000u, dev, len, wait_tick, (void *)spec_text);
	if (rc < 0) {
		list_block_devices(seen, sizeof(seen));
		snprintf(why, sizeof(why), "%s after %u s (block devices present: %s)",
			 rc == -ETIMEDOUT ? "no such device appeared" : strerror(-rc), plan->retry_s, seen);
		fatal("root", spec_text, why,
		      "check the name, LABEL= or UUID= (blkid on a workstation shows them), the disk driver, or raise rd.retry=");
	}
	log_info("found %s at %s", spec_text, dev);
}

static void probe_or_die(const char *what, const char *dev, struct probe_info *pi)
{
	char why[256];
	int rc = probe_path(dev, pi);

	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", rc == -EMEDIUMTYPE ?
			 "no known filesystem (expected ext4, xfs, squashfs, erofs, iso9660, udf, vfat, btrfs)" :
			 strerror(-rc));
		fatal("root", what, why, "set rootfstype= if the filesystem is one the probe does not know");
	}
}

static void local_root(void)
{
	char dev[256], why[512];
	const char *fstype = plan->rootfstype;
	struct probe_info pi;

	wait_device(plan->root_src, dev, sizeof(dev));
	if (!*fstype) {
		probe_or_die(dev, dev, &pi);
		fstype = pi.fstype;
	}
	load_fs_module(fstype);
	if (fs_mount(dev, fstype, plan->rw ? 0 : MS_RDONLY, plan->rootflags, NEWROOT, why, sizeof(why)) < 0)
		fatal("root", plan->root_arg, why, "check rootfstype= and rootflags=");
	log_info("root %s (%s) mounted %s", dev, fstype, plan->rw ? "read-write" : "read-only");
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Mount one layer of a live image and descend: ISO > <rd.live.dir>/<rd.live.squashimg>
 * > LiveOS/rootfs.img; the innermost filesystem ends up at OVERLAY_LOWER. */
static void mount_layer(const char *src, int depth)
{
	char dev[64], dir[64], inner[1024], err[512];
	struct probe_info pi;
	const char *blk = src;
	int rc;

	if (depth >= MAX_LAYERS)
		fatal("root", src, "live images nested too deeply", "expected ISO > squashfs > rootfs.img at most");
	if (is_file(src)) {
		load_fs_module("loop");
		rc = loop_attach(src, true, dev, sizeof(dev));
		if (rc < 0)
			fatal("root", src, strerror(-rc), "attach a loop device: is the loop module in the initramfs?");
		blk = dev;
	}
	probe_or_die(src, blk, &pi);
	if (depth == 0)
		live_top = pi;
	load_fs_module(pi.fstype);
	log_info("%s: %s%s%s", src, pi.fstype, pi.label[0] ? " labelled " : "", pi.label);

	if (pi.type == PROBE_ISO9660 || pi.type == PROBE_UDF) {
		if (fs_mount_ro(blk, pi.fstype, NULL, LIVE_ISO_DIR, err, sizeof(err)) < 0)
			fatal("root", src, err, NULL);
		snprintf(inner, sizeof(inner), "%s/%s/%s", LIVE_ISO_DIR, plan->live_dir, plan->live_squashimg);
		if (!is_file(inner)) {
			snprintf(err, sizeof(err), "the ISO has no /%s/%s", plan->live_dir, plan->live_squashimg);
			fatal("root", src, err, "set rd.live.dir= and rd.live.squashimg= to where the image's root filesystem is");
		}
		mount_layer(inner, depth + 1);
		return;
	}
	snprintf(dir, sizeof(dir), "%s%d", LAYER_DIR, depth);
	if (fs_mount_ro(blk, pi.fstype, depth == 0 ? plan->rootflags : NULL, dir, err, sizeof(err)) < 0)
		fatal("root", src, err, NULL);
	snprintf(inner, sizeof(inner), "%s/LiveOS/rootfs.img", dir);
	if (is_file(inner)) {
		mount_layer(inner, depth + 1);
		return;
	}
	mkdir_p(OVERLAY_LOWER, 0755);
	if (mount(dir, OVERLAY_LOWER, NULL, MS_MOVE, NULL) < 0) {
		snprintf(err, sizeof(err), "move %s to %s: %s", dir, OVERLAY_LOWER, strerror(errno));
		fatal("root", src, err, NULL);
	}
}

/* A persistent upper: the cow partition (rd.live.overlay.persistent) or dracut's
 * rd.overlay=<device>[:<path>], with rd.overlay.reset and rd.overlay.readonly. */
static void persistent_upper(void)
{
	char dev[256], path[PLAN_STR + 2 * PROBE_LABEL_MAX], err[1024];
	struct probe_info pi;
	struct overlay_persist o = { .lower = OVERLAY_LOWER, .reset = plan->overlay_reset,
				    .readonly = plan->overlay_readonly, .tmpfs_size = plan->overlay_size,
				    .newroot = NEWROOT, .path = "" };

	if (cow_dev[0])
		snprintf(dev, sizeof(dev), "%s", cow_dev);
	else
		wait_device(plan->overlay_dev, dev, sizeof(dev));
	probe_or_die(dev, dev, &pi);
	load_fs_module(pi.fstype);
	if (!cow_dev[0]) {
		/* dracut's default: /<rd.live.dir>/overlay-<label>-<uuid> of the live medium */
		if (plan->overlay_path[0])
			snprintf(path, sizeof(path), "%s", plan->overlay_path);
		else
			snprintf(path, sizeof(path), "/%s/overlay-%s-%s", plan->live_dir, live_top.label, live_top.uuid);
		o.path = path;
	}
	o.dev = dev;
	o.fstype = pi.fstype;
	if (plan->overlay_reset)
		log_info("root: emptying the persistent overlay on %s%s (rd.overlay.reset)", dev, o.path);
	if (overlay_persistent(&o, err, sizeof(err)) < 0)
		fatal("root", "persistent overlay", err,
		      "the overlay device needs a filesystem the kernel can write (ext4, xfs, btrfs)");
	log_info("root: overlay of %s with the persistent upper %s%s%s (%s)%s", OVERLAY_LOWER, dev,
		 o.path[0] ? " path " : "", o.path, pi.fstype,
		 o.readonly ? " kept read-only under a tmpfs (rd.overlay.readonly)" : "");
}

/* The upper layer over OVERLAY_LOWER, at NEWROOT: none (read-only root), a persistent
 * device (rd.root.overlay.write), or a tmpfs. */
static void assemble_upper(void)
{
	char err[512], dev[256];
	struct probe_info pi;

	if (plan->overlay == OVERLAY_NONE) {
		if (overlay_bind_ro(OVERLAY_LOWER, NEWROOT, err, sizeof(err)) < 0)
			fatal("root", "read-only root", err, NULL);
		log_info("root: %s read-only, no overlay", OVERLAY_LOWER);
		return;
	}
	load_fs_module("overlay");
	if (cow_dev[0] || plan->overlay_dev[0]) {
		persistent_upper();
		return;
	}
	if (plan->overlay_write[0] && !plan->overlay_temporary) {
		wait_device(plan->overlay_write, dev, sizeof(dev));
		probe_or_die(plan->overlay_write, dev, &pi);
		load_fs_module(pi.fstype);
		if (overlay_assemble_dev(OVERLAY_LOWER, dev, pi.fstype, NEWROOT, err, sizeof(err)) < 0)
			fatal("root", "rd.root.overlay.write", err,
			      "the write device needs a filesystem the kernel can write (ext4, xfs, btrfs)");
		log_info("root: overlay of %s with the persistent upper %s (%s) at %s", OVERLAY_LOWER, dev,
			 pi.fstype, OVERLAY_UPPER);
		return;
	}
	if (overlay_assemble(OVERLAY_LOWER, plan->overlay_size, NEWROOT, err, sizeof(err)) < 0)
		fatal("root", "overlay", err, "is the overlay module in the initramfs?");
	log_info("root: overlay of %s with a tmpfs upper (size %s) at %s", OVERLAY_LOWER, plan->overlay_size,
		 OVERLAY_UPPER);
}

static void live_root(const char *src)
{
	mount_layer(src, 0);
	assemble_upper();
}

/* A read-only root filesystem on a (remote) device as the lower layer. */
static void device_lower(const char *what, const char *dev, const char *fstype, const char *flags)
{
	struct probe_info pi;
	char err[512];

	if (!fstype || !*fstype) {
		probe_or_die(what, dev, &pi);
		fstype = pi.fstype;
	}
	load_fs_module(fstype);
	if (fs_mount_ro(dev, fstype, flags, OVERLAY_LOWER, err, sizeof(err)) < 0)
		fatal("root", what, err, "check rootfstype= and rootflags=");
	log_info("%s: %s mounted read-only at %s", what, fstype, OVERLAY_LOWER);
}

static void nbd_root(void)
{
	struct nbd_export info;
	char dev[64], err[512], desc[300], why[700];
	pid_t pid;
	int rc;

	nbd_spec_describe(&plan->nbd, desc, sizeof(desc));
	load_fs_module("nbd");
	log_info("nbd: connecting to %s (up to %u s, rd.retry)", desc, plan->retry_s);
	rc = nbd_attach(&plan->nbd, plan->retry_s * 1000u, dev, sizeof(dev), &info, log_event, "nbd", err,
			sizeof(err));
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", err);
		fatal("root", desc, why, rc == -ENOENT ? "check the export name against the [sections] of the nbd-server config" :
		      "check that nbd-server runs and is reachable; rd.retry= sets how long to keep trying");
	}
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
			probe_or_die(dev, dev, &pi);
			fstype = pi.fstype;
		}
		load_fs_module(fstype);
		if (fs_mount(dev, fstype, plan->rw ? 0 : MS_RDONLY, flags, NEWROOT, why, sizeof(why)) < 0)
			fatal("root", plan->root_arg, why, "check the fstype and rootflags fields");
		return;
	}
	device_lower(desc, dev, plan->rootfstype, plan->rootflags);
	assemble_upper();
}

static void aoe_root(void)
{
	char dev[128], err[512];
	int rc;

	load_fs_module("aoe");
	log_info("aoe: discovering %s (up to %u s, rd.retry)", plan->root_src, plan->retry_s);
	rc = aoe_attach(plan->root_src, plan->retry_s * 1000u, dev, sizeof(dev), err, sizeof(err));
	if (rc < 0)
		fatal("root", plan->root_arg, err,
		      "check that vblade exports the target on this network segment (AoE is not routed)");
	log_info("aoe: %s is %s", plan->root_src, dev);
	if (plan->aoe_live) {
		live_root(dev);
		return;
	}
	device_lower(plan->root_src, dev, plan->rootfstype, plan->rootflags);
	assemble_upper();
}

/* KIWI's root=overlay:LABEL=...: a local read-only root with an overlay. */
static void overlay_dev_root(void)
{
	char dev[256];

	wait_device(plan->root_src, dev, sizeof(dev));
	device_lower(plan->root_src, dev, plan->rootfstype, plan->rootflags);
	assemble_upper();
}

void root_fetch_event(const struct fetch_event *ev, void *ctx)
{
	char line[200];

	switch (ev->type) {
	case FETCH_EV_START:
		progress_size(line, sizeof(line), ev->total);
		log_info("downloading %s (%s)", ev->msg ? ev->msg : (const char *)ctx, ev->total ? line : "size unknown");
		break;
	case FETCH_EV_PROGRESS:
		if (ev->elapsed_ms < 1000)
			break; /* progress only for downloads that take a while */
		progress_line(line, sizeof(line), ev->bytes, ev->total, ev->elapsed_ms);
		log_progress(0, "%s", line);
		break;
	case FETCH_EV_RETRY:
		if (ev->backoff_ms)
			log_warn("download attempt %u failed: %s; retrying in %u ms (jittered, backoff up to %u ms)",
				 ev->attempt, ev->msg ? ev->msg : "?", ev->delay_ms, ev->backoff_ms);
		else
			log_warn("download attempt %u failed: %s; trying the next source now", ev->attempt,
				 ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_SOURCE:
		log_info("download: next source %s", ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_WAIT:
		log_info("download: waiting %u ms before the first request (rd.live.start-delay)", ev->delay_ms);
		break;
	case FETCH_EV_RESUME:
		progress_size(line, sizeof(line), ev->offset);
		log_info("download resumed at %s (byte %llu) with a Range request", line,
			 (unsigned long long)ev->offset);
		break;
	case FETCH_EV_RESTART:
		if (!ev->msg || strstr(ev->msg, "ignored the Range"))
			log_warn("the server ignored the Range request: downloading again from the start");
		else
			log_warn("download: %s: downloading again from the start", ev->msg);
		break;
	case FETCH_EV_WARNING:
		log_warn("download: %s", ev->msg ? ev->msg : "?");
		break;
	case FETCH_EV_DONE:
		progress_summary(line, sizeof(line), ev->bytes, ev->elapsed_ms);
		log_progress(1, "%s", line);
		break;
	}
}

/* The name the image gets on the tmpfs: the URL's last path element, without a
 * compression suffix (the bytes are decompressed on the way in). */
static void image_name(const char *url, enum sink_codec codec, char *out, size_t len)
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

/* Stream url into RAM (a tmpfs sized to what may be used), /dev/ram0 (ramdisk_size) or
 * the disk (rd.kiwi.live.system, disk not NULL; its tail keeps the deployment record);
 * *path gets where the image now is. The image exists once: nothing is buffered.
 * Returns the bytes written (after decompression); stp (may be NULL) gets the stats. */
static uint64_t download(const char *url, const struct fetch_opts *opts, const char *disk, char *path, size_t len,
			 struct fetch_stats *stp)
{
	struct fetch_sink file_sink;
	struct sink_fd fd;
	struct fetch_stats st;
	enum sink_codec codec = opts->decompress ? sink_codec_for_url(url) : SINK_CODEC_NONE;
	uint64_t avail = 0, reserve = (uint64_t)plan->minmem_mib << 20, written;
	char err[512], name[200], hint[200], tmpfs_opts[64];
	int rc;

	if (disk) {
		snprintf(path, len, "%s", disk);
		rc = sink_fd_open(&fd, path, &file_sink, err, sizeof(err));
		if (rc < 0)
			fatal("download", path, err, "rd.kiwi.live.system= must name a writable disk");
		if (file_sink.capacity > DEPLOY_RESERVE)
			file_sink.capacity -= DEPLOY_RESERVE;	/* the record's tail is not for the image */
	} else if (plan->ramdisk_kib) {
		load_fs_module("brd");
		snprintf(path, len, "/dev/ram0");
		rc = sink_fd_open(&fd, path, &file_sink, err, sizeof(err));
		if (rc < 0)
			fatal("download", path, err, "ramdisk_size= needs the brd module (it is in the default initramfs)");
	} else {
		rc = fetch_mem_available(&avail);
		if (rc < 0)
			fatal("download", "/proc/meminfo", "cannot read MemAvailable", NULL);
		if (avail <= reserve + (1u << 20)) {
			snprintf(err, sizeof(err), "only %llu MiB of RAM available, rd.minmem keeps %u MiB free",
				 (unsigned long long)(avail >> 20), plan->minmem_mib);
			fatal("download", url, err, "give the machine more RAM or lower rd.minmem=");
		}
		/* an explicit size: a download can never eat the RAM the system needs */
		snprintf(tmpfs_opts, sizeof(tmpfs_opts), "mode=0700,size=%llu",
			 (unsigned long long)(avail - reserve));
		mkdir_p(IMAGE_DIR, 0700);
		if (mount("tmpfs", IMAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_opts) < 0) {
			snprintf(err, sizeof(err), "mount a tmpfs (%s) on %s: %s", tmpfs_opts, IMAGE_DIR, strerror(errno));
			fatal("download", url, err, NULL);
		}
		image_name(url, codec, name, sizeof(name));
		snprintf(path, len, "%s/%s", IMAGE_DIR, name);
		rc = sink_fd_open(&fd, path, &file_sink, err, sizeof(err));
		if (rc < 0)
			fatal("download", path, err, NULL);
		file_sink.mem_avail = avail;
		file_sink.mem_reserve = reserve;
		file_sink.what = "RAM";
	}
	/* fetch_url() itself decompresses by the URL's suffix (opts->decompress) */
	if (codec != SINK_CODEC_NONE)
		log_info("%s: decompressing %s while downloading", url, sink_codec_name(codec));
	rc = fetch_url(opts, &file_sink, root_fetch_event, (void *)url, &st, err, sizeof(err));
	if (rc < 0) {
		switch (rc) {
		case -EKEYREJECTED:
			snprintf(hint, sizeof(hint), "the server's certificate is not trusted by the CA bundle in the "
				 "initramfs; add its CA, or rd.noverifyssl to skip verification");
			break;
		case -EFBIG:
			snprintf(hint, sizeof(hint), disk ? "name a bigger disk in rd.kiwi.live.system=, or use a smaller image" :
				 "give the machine more RAM, lower rd.minmem=, or use a smaller image");
			break;
		case -EBADMSG:
			snprintf(hint, sizeof(hint), "the image on the server is not the one expected: check rd.live.sha256= and the file");
			break;
		case -ENOENT:
		case -EACCES:
			snprintf(hint, sizeof(hint), "check the URL and the server's files");
			break;
		default:
			snprintf(hint, sizeof(hint), "check that the server is up and reachable; rd.retry= sets how long to keep trying");
		}
		fatal("download", url, err, hint);
	}
	written = fd.written;
	rc = sink_fd_close(&fd);
	if (rc < 0)
		fatal("download", path, strerror(-rc), NULL);
	log_info("image at %s after %u attempt%s%s", path, st.attempts, st.attempts == 1 ? "" : "s",
		 opts->sum.set ? ", sha256 verified" : "");
	if (st.nsrc > 1) {	/* rd.live.mirror: who served what */
		char served[1024] = "", size[32];
		size_t n = 0;

		for (unsigned i = 0; i < st.nsrc && n < sizeof(served); i++) {
			if (!st.src_bytes[i])
				continue;
			progress_size(size, sizeof(size), st.src_bytes[i]);
			n += (size_t)snprintf(served + n, sizeof(served) - n, "%s%.300s (%s)", n ? ", " : "",
					      fetch_source(opts, i), size);
		}
		log_info("image served by %s", served);
	}
	if (stp)
		*stp = st;
	return written;
}

/* A disk deployment needs the network only when it downloads: bring it up now (the
 * network stage did nothing unless ip= or rd.neednet asked for it, or it failed and went
 * on because the plan did not require it: then this is the second and fatal try). */
static void deploy_network(void)
{
	struct net_plan np = plan->net;
	struct net_result res;
	char err[512], line[512];

	if (net_is_up)
		return;
	net_plan_require(&np);
	if (net_plan_finish(&np, err, sizeof(err)) < 0 || net_up(&np, &res, log_event, "network", err, sizeof(err)) < 0)
		fatal("network", "bring up the network to download the image onto the disk", err,
		      "check the cable/NIC driver and the DHCP server; a disk that already holds the image needs no network");
	net_result_format(&res, line, sizeof(line));
	log_info("network: %s", line);
}

/* The cow partition after image_bytes on disk (rd.live.overlay.persistent). */
static void ensure_cow(const char *disk, uint64_t image_bytes, bool recreate)
{
	char err[768];
	bool created;

	load_fs_module(plan->cowfs);
	if (deploy_cow_ensure(disk, image_bytes, plan->cowfs, recreate, cow_dev, sizeof(cow_dev), &created, err,
			      sizeof(err)) < 0)
		fatal("deploy", "create the cow partition", err,
		      "rd.live.overlay.persistent needs free space after the image and the cowfs's mkfs in the initramfs");
	log_info("deploy: %s partition %s (label %s, %s) after the image on %s",
		 created ? "created the write" : "found the write", cow_dev, DEPLOY_COW_LABEL, plan->cowfs, disk);
}

/* The live image on a disk that also holds the cow partition: a mount of the whole
 * disk would claim it exclusively and the kernel would refuse to mount the partition,
 * so the image is read through a read-only loop device over the disk. */
static void live_root_disk(const char *disk)
{
	char loopdev[64];
	int rc;

	if (!cow_dev[0]) {
		live_root(disk);
		return;
	}
	load_fs_module("loop");
	rc = loop_attach(disk, true, loopdev, sizeof(loopdev));
	if (rc < 0)
		fatal("root", disk, strerror(-rc), "attach a loop device: is the loop module in the initramfs?");
	log_info("deploy: reading the image on %s through %s (its partition %s stays mountable)", disk, loopdev,
		 cow_dev);
	live_root(loopdev);
}

/* rd.kiwi.live.system: boot the image deployed on the disk, or deploy it first (blockdev/deploy.h). */
static void kiwi_system_root(void)
{
	const uint8_t *sum = plan->fetch.sum.set && !plan->fetch.sum.is_auto ? plan->fetch.sum.sha256 : NULL;
	char disk[256], why[512], err[512], path[300];
	struct deploy_info rec, mark;
	enum deploy_verdict v;
	struct fetch_opts o;
	struct fetch_stats st;
	uint64_t disk_bytes, image_bytes, written;
	bool deployed = false;

	if (strlen(plan->fetch.url) >= DEPLOY_URL_MAX)
		fatal("deploy", plan->kiwi_system, "the URL is longer than the deployment record keeps",
		      "rd.kiwi.live.system needs a URL of at most 2047 characters");
	wait_device(plan->kiwi_system, disk, sizeof(disk));
	if (deploy_inspect(disk, plan->fetch.url, sum, &v, &rec, &disk_bytes, why, sizeof(why)) < 0)
		fatal("deploy", disk, why, "rd.kiwi.live.system= must name a readable disk");
	log_info("deploy: %s: %s", disk, why);
	if (v == DEPLOY_SAME && !plan->kiwi_reset) {
		log_info("deploy: booting the image on %s: no download, no network", disk);
		image_bytes = rec.image_bytes;
	} else {
		if ((v == DEPLOY_OTHER || v == DEPLOY_FOREIGN) && !plan->kiwi_reset) {
			snprintf(err, sizeof(err), "refusing to overwrite it: %s", why);
			fatal("deploy", disk, err, "add rd.kiwi.live.reset to replace what the disk holds with this image, "
			      "or name an empty disk in rd.kiwi.live.system=");
		}
		/* a missing mkfs is found before the disk is touched */
		if (plan->overlay_persistent && deploy_mkfs_find(plan->cowfs, NULL, 0, err, sizeof(err)) < 0)
			fatal("deploy", "rd.live.overlay.cowfs", err, NULL);
		deploy_network();
		memset(&mark, 0, sizeof(mark));
		mark.state = DEPLOY_STATE_WRITING;
		mark.disk_bytes = disk_bytes;
		mark.has_sha256 = sum != NULL;
		if (sum)
			memcpy(mark.image_sha256, sum, sizeof(mark.image_sha256));
		snprintf(mark.url, sizeof(mark.url), "%s", plan->fetch.url);
		if (deploy_mark(disk, &mark, err, sizeof(err)) < 0)
			fatal("deploy", disk, err, NULL);
		log_info("deploy: writing %s onto %s%s", plan->fetch.url, disk,
			 plan->kiwi_reset && v != DEPLOY_BLANK ? " (rd.kiwi.live.reset)" : "");
		o = plan->fetch;
		o.digest = true;	/* the record is written only for the digest measured here */
		written = download(o.url, &o, disk, path, sizeof(path), &st);
		/* the image is what was written: its own superblock may claim less (a KIWI
		 * ISO with an appended partition) or more than that */
		if (deploy_complete(&mark, written, sum, st.sha256, err, sizeof(err)) < 0)
			fatal("deploy", disk, err, "the disk keeps its 'interrupted' record: the next boot deploys again");
		image_bytes = mark.image_bytes;
		if (deploy_mark(disk, &mark, err, sizeof(err)) < 0)
			fatal("deploy", disk, err, NULL);
		log_info("deploy: %s holds the image (%llu bytes); later boots need no network", disk,
			 (unsigned long long)image_bytes);
		deployed = true;
	}
	if (plan->overlay_persistent)
		ensure_cow(disk, image_bytes, deployed);
	live_root_disk(disk);
}

static void live_url(void)
{
	char path[300];

	if (plan->kiwi_system[0]) {
		kiwi_system_root();
		return;
	}
	download(plan->fetch.url, &plan->fetch, NULL, path, sizeof(path), NULL);
	live_root(path);
}

/* root=live:CDLABEL=... / LABEL= / /dev/x: a live medium already attached;
 * with rd.live.ram it is copied into RAM first (a file:// transfer into the tmpfs). */
static void live_dev(void)
{
	char dev[256], path[300];
	struct fetch_opts o;
	char err[256];

	wait_device(plan->root_src, dev, sizeof(dev));
	if (plan->overlay_persistent) {
		struct probe_info pi;
		char part[300];

		/* KIWI's hybrid medium: the cow partition goes after the ISO on the same disk */
		snprintf(part, sizeof(part), "/sys/class/block/%s/partition", strrchr(dev, '/') + 1);
		if (access(part, F_OK) == 0)
			fatal("root", dev, "rd.live.overlay.persistent: the live medium is a partition",
			      "the cow partition goes on a whole disk that holds the image (root=live:/dev/<disk>)");
		probe_or_die(dev, dev, &pi);
		ensure_cow(dev, pi.size, false);
	}
	if (!plan->live_ram) {
		live_root_disk(dev);
		return;
	}
	o = plan->fetch;
	o.sum.set = false;
	o.decompress = false;
	snprintf(path, sizeof(path), "file://%s", dev);
	if (fetch_set_url(&o, path, err, sizeof(err)) < 0)
		fatal("root", dev, err, NULL);
	log_info("rd.live.ram: copying %s into RAM", dev);
	download(o.url, &o, NULL, path, sizeof(path), NULL);
	live_root(path);
}

void root_assemble(const struct boot_plan *p, struct kmod_ctx *k, bool network_up)
{
	char why[256];

	plan = p;
	kmod = k;
	net_is_up = network_up;
	switch (p->root_kind) {
	case ROOT_BLOCK:
		local_root();
		break;
	case ROOT_LIVE_FILE:
		if (!is_file(p->root_src)) {
			snprintf(why, sizeof(why), "no such file in the initramfs");
			fatal("root", p->root_arg, why,
			      "embed the image with make initramfs EXTRA_LIST=..., or append it as a second initrd");
		}
		live_root(p->root_src);
		break;
	case ROOT_LIVE_URL:
		live_url();
		break;
	case ROOT_LIVE_DEV:
		live_dev();
		break;
	case ROOT_OVERLAY_DEV:
		overlay_dev_root();
		break;
	case ROOT_NBD:
		nbd_root();
		break;
	case ROOT_AOE:
		aoe_root();
		break;
	case ROOT_BOOTC:
		bootc_root(p, k);
		break;
	default:
		snprintf(why, sizeof(why), "%s roots are not implemented in this build", plan_root_kind_name(p->root_kind));
		fatal("root", p->root_arg, why, NULL);
	}
}
