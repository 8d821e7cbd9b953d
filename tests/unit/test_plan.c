/* Unit tests: init/plan.c turns command lines into boot plans, and refuses malformed
 * values of the keys we own with one line naming key, value and expected form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "init/plan.h"
#include "kmod/kmod.h"

static struct boot_plan plan;

static int build(const char *line)
{
	struct cmdline c;
	int rc;

	assert_int_equal(cmdline_split(line, &c), 0);
	rc = plan_build(&c, &plan);
	cmdline_free(&c);
	return rc;
}

/* ---- accepted lines: a field check per row ---- */
enum field { F_KIND, F_SRC, F_FSTYPE, F_FLAGS, F_RW, F_INIT, F_RETRY, F_SHELL, F_BREAK, F_PANIC,
	     F_VERB, F_NEEDNET, F_URL, F_INSECURE, F_SUMSET, F_LIVERAM, F_RAMDISK, F_LIVEDIR, F_SQUASH, F_OVLSIZE, F_OVERLAY, F_MODPARAM0, F_NMOD, F_EROFS, F_KEXEC,
	     F_EMERG, F_DRIVERS, F_NETREQ, F_TORRENT, F_SEED };

struct ok_row {
	int at;
	const char *line;
	enum field f;
	const char *want;
};

#define OK(l, f, w) { __LINE__, l, f, w }
static const struct ok_row ok_rows[] = {
	OK("root=/dev/vda", F_KIND, "block"),
	OK("root=/dev/vda", F_SRC, "/dev/vda"),
	OK("root=/dev/vda", F_RW, "0"),
	OK("root=/dev/vda rw", F_RW, "1"),
	OK("root=/dev/vda rw ro", F_RW, "0"),
	OK("root=/dev/vda rw rw=0", F_RW, "0"),
	OK("root=LABEL=root", F_KIND, "block"),
	OK("root=UUID=0a1b-2c", F_SRC, "UUID=0a1b-2c"),
	OK("root=PARTUUID=abc-01", F_KIND, "block"),
	OK("root=PARTLABEL=system", F_KIND, "block"),
	OK("root=block:/dev/sda2", F_SRC, "/dev/sda2"),
	OK("root=live:/images/root.squashfs", F_KIND, "live-file"),
	OK("root=live:/images/root.squashfs", F_SRC, "/images/root.squashfs"),
	OK("root=/dev/vda rootfstype=xfs rootflags=noatime,nouuid", F_FSTYPE, "xfs"),
	OK("root=/dev/vda rootfstype=xfs rootflags=noatime,nouuid", F_FLAGS, "noatime,nouuid"),
	OK("root=/dev/vda init=/usr/lib/systemd/systemd", F_INIT, "/usr/lib/systemd/systemd"),
	OK("root=/dev/vda", F_RETRY, "180"),
	OK("root=/dev/vda rd.retry=30", F_RETRY, "30"),
	OK("root=/dev/vda rd.retry=0", F_RETRY, "0"),
	OK("root=/dev/vda rd.shell", F_SHELL, "1"),
	OK("root=/dev/vda rd.shell rd.shell=0", F_SHELL, "0"),
	OK("root=/dev/vda rd.shell=yes", F_SHELL, "1"),
	OK("root=/dev/vda", F_BREAK, "none"),
	OK("root=/dev/vda rd.break", F_BREAK, "pre-pivot"),
	OK("root=/dev/vda rd.break=pre-mount", F_BREAK, "pre-mount"),
	OK("root=/dev/vda rd.break=cleanup", F_BREAK, "pre-pivot"),
	OK("root=/dev/vda rd.break=pre-trigger", F_BREAK, "pre-udev"),
	OK("root=/dev/vda panic=-1", F_PANIC, "-1"),
	OK("root=/dev/vda panic=30", F_PANIC, "30"),
	OK("root=/dev/vda", F_PANIC, "0"),
	OK("root=/dev/vda quiet", F_VERB, "0"),
	OK("root=/dev/vda rd.debug quiet", F_VERB, "3"),
	OK("root=/dev/vda rd.info", F_VERB, "2"),
	OK("root=/dev/vda", F_VERB, "1"),
	OK("root=/dev/vda rd.neednet=1", F_NEEDNET, "1"),
	OK("root=/dev/vda", F_NEEDNET, "0"),
	OK("root=/dev/vda ip=dhcp", F_NEEDNET, "1"),
	OK("root=live:http://10.0.2.2/x.squashfs", F_NEEDNET, "1"),
	OK("root=live:http://10.0.2.2/x.squashfs", F_KIND, "live-url"),
	OK("root=http://10.0.2.2/x.squashfs", F_URL, "http://10.0.2.2/x.squashfs"),
	/* dracut's root=live:torrent://: the metainfo over http from that host and path */
	OK("root=live:torrent://10.0.2.2:8080/x.iso.torrent", F_KIND, "live-url"),
	OK("root=live:torrent://10.0.2.2:8080/x.iso.torrent", F_URL, "http://10.0.2.2:8080/x.iso.torrent"),
	OK("root=live:torrent://10.0.2.2/x.iso.torrent", F_NEEDNET, "1"),
	OK("root=live:torrent+https://h/x.iso.torrent", F_URL, "https://h/x.iso.torrent"),
	OK("root=live:torrent://h/x.iso.torrent", F_TORRENT, "1"),
	OK("root=live:http://h/x.iso", F_TORRENT, "0"),
	/* seeding after boot: rd.live.torrent.seed (default none) */
	OK("root=live:torrent://h/x.iso.torrent", F_SEED, "0,0"),
	OK("root=live:torrent://h/x.iso.torrent rd.live.torrent.seed=600", F_SEED, "600,0"),
	OK("root=live:torrent://h/x.iso.torrent rd.live.torrent.seed=1.5x", F_SEED, "0,150"),
	OK("root=live:torrent://h/x.iso.torrent rd.live.torrent.seed=600,2x", F_SEED, "600,200"),
	OK("root=live:torrent://h/x.iso.torrent rd.live.torrent.seed=600 rd.live.torrent.seed=0", F_SEED, "0,0"),
	/* bootc-live passes torrent:// to dracut's url-lib as live does: the same transport */
	OK("root=bootc-live:torrent://10.0.2.2:8080/x.oci.torrent", F_KIND, "bootc"),
	OK("root=bootc-live:torrent://10.0.2.2:8080/x.oci.torrent", F_URL, "http://10.0.2.2:8080/x.oci.torrent"),
	OK("root=bootc-live:torrent://10.0.2.2:8080/x.oci.torrent", F_TORRENT, "1"),
	OK("root=bootc-live:torrent://10.0.2.2:8080/x.oci.torrent", F_NEEDNET, "1"),
	OK("root=bootc-live:torrent+https://h/x.oci.torrent", F_URL, "https://h/x.oci.torrent"),
	OK("root=bootc-live:http://h/x.oci", F_TORRENT, "0"),
	OK("root=live:https://h/x.iso rd.noverifyssl", F_INSECURE, "1"),
	OK("root=live:https://h/x.iso rd.kiwi.live.curl_options=--insecure,--ipv4", F_INSECURE, "1"),
	OK("root=live:https://h/x.iso rd.live.sha256=auto", F_SUMSET, "11"),
	OK("root=live:https://h/x.iso rd.live.checksum=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", F_SUMSET, "10"),
	OK("root=live:ftp://h/x.iso ramdisk_size=2097152", F_RAMDISK, "2097152 brd.rd_size=2097152"),
	OK("root=live:CDLABEL=CDROM rd.live.ram", F_LIVERAM, "1"),
	OK("root=live:CDLABEL=CDROM", F_KIND, "live-dev"),
	OK("root=/dev/sr0 rd.live.image", F_KIND, "live-dev"),
	OK("root=bootc-live:/root.oci", F_KIND, "bootc"),
	OK("root=bootc-live:/root.oci", F_NEEDNET, "0"),
	OK("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=0", F_KIND, "bootc"),
	OK("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=0", F_KEXEC, "kexec=1 reuse=0"),
	/* reuse-image=1, the default: the archive is re-packed into the next initramfs */
	OK("root=bootc-live:/root.oci bootc.kexec", F_KEXEC, "kexec=1 reuse=1"),
	OK("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=1", F_KEXEC, "kexec=1 reuse=1"),
	OK("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=0 bootc.kexec.reuse-image", F_KEXEC, "kexec=1 reuse=1"),
	OK("root=bootc-live:http://10.0.2.2/root.oci bootc.kexec", F_KEXEC, "kexec=1 reuse=1"),
	OK("root=bootc-live:docker://10.0.2.2:5000/os:v1 bootc.kexec", F_KEXEC, "kexec=1 reuse=1"),
	OK("root=bootc-live:docker://10.0.2.2:5000/os:v1 bootc.kexec", F_NEEDNET, "1"),
	OK("root=bootc-live:/root.oci", F_KEXEC, "kexec=0 reuse=1"),
	OK("root=bootc-live:/root.oci bootc.kexec=0", F_KEXEC, "kexec=0 reuse=1"),
	/* what the kexec'd netinit is given: the archive in its initramfs, no network */
	OK("console=ttyS0 bootc.kexec.reuse-image=0 root=bootc-live:/root.oci", F_SRC, "/root.oci"),
	OK("console=ttyS0 bootc.kexec.reuse-image=0 root=bootc-live:/root.oci", F_NEEDNET, "0"),
	OK("console=ttyS0 bootc.kexec.reuse-image=0 root=bootc-live:/root.oci", F_KEXEC, "kexec=0 reuse=0"),
	OK("root=bootc-live:/root.oci bootc.zram=512M", F_KIND, "bootc"),
	OK("root=bootc-live:/root.oci", F_EROFS, "0"),
	OK("root=bootc-live:/root.oci bootc.live.erofs", F_EROFS, "1"),
	OK("root=bootc-live:/root.oci bootc.live.erofs=1", F_EROFS, "1"),
	OK("root=bootc-live:/root.oci bootc.live.erofs bootc.live.erofs=0", F_EROFS, "0"),
	OK("root=bootc-live:/root.oci bootc.zram=2G", F_KIND, "bootc"),
	OK("root=bootc-live:http://h/root.oci", F_NEEDNET, "1"),
	OK("root=bootc-live:docker://registry:5000/busybox:latest", F_NEEDNET, "1"),
	OK("root=/dev/vda ip=10.0.0.5::10.0.0.1:255.255.255.0:host:eth0:none", F_NEEDNET, "1"),
	OK("root=live:/x.iso", F_LIVEDIR, "LiveOS"),
	OK("root=live:/x.iso", F_SQUASH, "squashfs.img"),
	OK("root=live:/x.iso rd.live.dir=liveos rd.live.squashimg=rootfs.img", F_LIVEDIR, "liveos"),
	OK("root=live:/x.iso rd.live.dir=/liveos rd.live.squashimg=rootfs.img", F_SQUASH, "rootfs.img"),
	OK("root=live:/x.iso rd.live.dir=/liveos", F_LIVEDIR, "liveos"),
	OK("root=live:/x.iso", F_OVLSIZE, "50%"),
	OK("root=live:/x.iso rd.live.overlay.size=1024", F_OVLSIZE, "1024m"),
	OK("root=live:/x.iso rd.root.overlay.size=25%", F_OVLSIZE, "25%"),
	OK("root=live:/x.iso rd.overlay=tmpfs:size=4G", F_OVLSIZE, "4G"),
	OK("root=live:/x.iso rd.live.overlay=1 rd.live.overlay.overlayfs", F_OVERLAY, "tmpfs"),
	OK("root=live:/x.iso rd.root.overlay.readonly", F_OVERLAY, "none"),
	OK("root=overlay:/dev/vda", F_KIND, "overlay-dev"),
	/* docs/cmdline.md: rd.overlay=none is the tmpfs upper, not "no overlay" */
	OK("root=live:/x.iso rd.overlay=none", F_OVERLAY, "tmpfs"),
	OK("root=live:/x.iso rd.overlay=none", F_OVLSIZE, "50%"),
	OK("root=/dev/vda nbd.max_part=8", F_MODPARAM0, "nbd.max_part=8"),
	OK("root=/dev/vda virtio-net.napi_tx=1", F_MODPARAM0, "virtio-net.napi_tx=1"),
	OK("root=/dev/vda rd.kiwi.something=1 systemd.unit=x.target bootc.x=1 a.b", F_NMOD, "0"),
	OK("root=/dev/vda console=ttyS0 netboot install-mode config_url=http://x/c rd.cos.disable", F_NMOD, "0"),
	OK("root=/dev/vda \"mod.p=a b\"", F_MODPARAM0, "mod.p=a b"),
	/* item 5: booted-system keys with a dot are not module parameters */
	OK("root=/dev/vda net.ifnames=0 net.naming-scheme=v252 udev.log_level=debug modprobe.blacklist=floppy "
	   "vconsole.keymap=de locale.LANG=C luks.uuid=x plymouth.enable=0 fsck.mode=skip", F_NMOD, "0"),
	OK("root=/dev/vda net.ifnames=0 e1000.debug=16", F_MODPARAM0, "e1000.debug=16"),
	/* item 1: a failed bring-up is fatal only with rd.neednet=1 or a root that needs the network */
	OK("root=/dev/vda", F_NETREQ, "wanted=0 required=0"),
	OK("root=/dev/vda ip=dhcp", F_NETREQ, "wanted=1 required=0"),
	OK("root=/dev/vda ip=dhcp rd.neednet=1", F_NETREQ, "wanted=1 required=1"),
	OK("root=/dev/vda rd.neednet=1", F_NETREQ, "wanted=1 required=1"),
	OK("root=live:http://h/x.squashfs", F_NETREQ, "wanted=1 required=1"),
	OK("root=overlay:nbd=h:exp", F_NETREQ, "wanted=1 required=1"),
	OK("root=overlay:aoe=e0.1", F_NETREQ, "wanted=1 required=1"),
	OK("root=bootc-live:docker://r/os", F_NETREQ, "wanted=1 required=1"),
	OK("root=bootc-live:/root.oci ip=dhcp", F_NETREQ, "wanted=1 required=0"),
	/* the KIWI live document's persistent line: the disk decides; the network stage may fail */
	OK("ip=dhcp root=live:ftp://h/x.iso ramdisk_size=2097152 rd.kiwi.live.system=/dev/sda rd.live.overlay.persistent "
	   "rd.live.overlay.cowfs=xfs", F_NETREQ, "wanted=1 required=0"),
	OK("root=live:ftp://h/x.iso rd.kiwi.live.system=/dev/sda", F_NETREQ, "wanted=0 required=0"),
	/* bond=: the bonding module must not make its own balance-rr bond0 */
	OK("root=/dev/vda ip=bond0:dhcp bond=bond0:eth0,eth1:mode=802.3ad", F_MODPARAM0, "bonding.max_bonds=0"),
	OK("root=/dev/vda ip=dhcp", F_NMOD, "0"),
	/* rd.emergency (dracut) */
	OK("root=/dev/vda", F_EMERG, "0"),
	OK("root=/dev/vda rd.emergency=reboot", F_EMERG, "1"),
	OK("root=/dev/vda rd.emergency=poweroff", F_EMERG, "2"),
	OK("root=/dev/vda rd.emergency=halt panic=10", F_EMERG, "3"),
	OK("root=/dev/vda rd.emergency=halt rd.emergency=poweroff", F_EMERG, "2"),
	/* rd.driver.* and modprobe.blacklist: comma lists, repeatable, '-' is '_' */
	OK("root=/dev/vda", F_DRIVERS, "blacklist: pre: post:"),
	OK("root=/dev/vda rd.driver.blacklist=virtio-net,e1000 modprobe.blacklist=floppy rd.driver.blacklist=nouveau",
	   F_DRIVERS, "blacklist: virtio_net e1000 floppy nouveau pre: post:"),
	OK("root=/dev/vda rd.driver.pre=loop,,squashfs rd.driver.post=nbd rd.driver.pre=8021q", F_DRIVERS,
	   "blacklist: pre: loop squashfs 8021q post: nbd"),
};

static void field_text(enum field f, char *buf, size_t len)
{
	switch (f) {
	case F_KIND: snprintf(buf, len, "%s", plan_root_kind_name(plan.root_kind)); break;
	case F_SRC: snprintf(buf, len, "%s", plan.root_src); break;
	case F_FSTYPE: snprintf(buf, len, "%s", plan.rootfstype); break;
	case F_FLAGS: snprintf(buf, len, "%s", plan.rootflags); break;
	case F_RW: snprintf(buf, len, "%d", plan.rw); break;
	case F_INIT: snprintf(buf, len, "%s", plan.init); break;
	case F_RETRY: snprintf(buf, len, "%u", plan.retry_s); break;
	case F_SHELL: snprintf(buf, len, "%d", plan.shell); break;
	case F_BREAK: snprintf(buf, len, "%s", plan_break_name(plan.brk)); break;
	case F_PANIC: snprintf(buf, len, "%d", plan.panic_s); break;
	case F_VERB: snprintf(buf, len, "%d", plan.verbosity); break;
	case F_URL: snprintf(buf, len, "%s", plan.fetch.url); break;
	case F_TORRENT: snprintf(buf, len, "%d", plan.torrent); break;
	case F_SEED: snprintf(buf, len, "%u,%u", plan.torrent_seed_s, plan.torrent_seed_pct); break;
	case F_INSECURE: snprintf(buf, len, "%d", plan.fetch.insecure); break;
	case F_SUMSET: snprintf(buf, len, "%d%d", plan.fetch.sum.set, plan.fetch.sum.is_auto); break;
	case F_LIVERAM: snprintf(buf, len, "%d", plan.live_ram); break;
	case F_RAMDISK: snprintf(buf, len, "%lu %s", plan.ramdisk_kib, plan.nmodparams ? plan.modparams[plan.nmodparams - 1] : ""); break;
	case F_NEEDNET: snprintf(buf, len, "%d", net_plan_wanted(&plan.net)); break;
	case F_LIVEDIR: snprintf(buf, len, "%s", plan.live_dir); break;
	case F_SQUASH: snprintf(buf, len, "%s", plan.live_squashimg); break;
	case F_OVLSIZE: snprintf(buf, len, "%s", plan.overlay_size); break;
	case F_OVERLAY: snprintf(buf, len, "%s", plan.overlay == OVERLAY_NONE ? "none" : "tmpfs"); break;
	case F_MODPARAM0: snprintf(buf, len, "%s", plan.nmodparams ? plan.modparams[0] : "(none)"); break;
	case F_NMOD: snprintf(buf, len, "%zu", plan.nmodparams); break;
	case F_EROFS: snprintf(buf, len, "%d", plan.bootc_erofs); break;
	case F_KEXEC: snprintf(buf, len, "kexec=%d reuse=%d", plan.bootc_kexec, plan.bootc_kexec_reuse); break;
	case F_NETREQ: snprintf(buf, len, "wanted=%d required=%d", net_plan_wanted(&plan.net), plan.net_required); break;
	case F_EMERG: snprintf(buf, len, "%d", (int)plan.emergency); break;
	case F_DRIVERS: {
		size_t i, o = 0;

		o += (size_t)snprintf(buf + o, len - o, "blacklist:");
		for (i = 0; i < plan.ndrv_blacklist; i++)
			o += (size_t)snprintf(buf + o, len - o, " %s", plan.drv_blacklist[i]);
		o += (size_t)snprintf(buf + o, len - o, " pre:");
		for (i = 0; i < plan.ndrv_pre; i++)
			o += (size_t)snprintf(buf + o, len - o, " %s", plan.drv_pre[i]);
		o += (size_t)snprintf(buf + o, len - o, " post:");
		for (i = 0; i < plan.ndrv_post; i++)
			o += (size_t)snprintf(buf + o, len - o, " %s", plan.drv_post[i]);
		break;
	}
	}
}

static void check_ok(const char *file, int line, const struct ok_row *r)
{
	char got[8192];
	int rc = build(r->line);

	if (rc != 0)
		fail_msg("%s:%d: \"%s\" refused: %s", file, line, r->line, plan.errors[0]);
	field_text(r->f, got, sizeof(got));
	if (strcmp(got, r->want) != 0)
		fail_msg("%s:%d: \"%s\": field %d = \"%s\", want \"%s\"", file, line, r->line, r->f, got, r->want);
}

static void test_accepted(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(ok_rows) / sizeof(ok_rows[0]); i++)
		check_ok(__FILE__, ok_rows[i].at, &ok_rows[i]);
}

/* ---- refused lines: the first error must contain each fragment ---- */
struct bad_row {
	int at;
	const char *line;
	const char *frag1, *frag2;
};

#define BAD(l, a, b) { __LINE__, l, a, b }
static const struct bad_row bad_rows[] = {
	BAD("", "no root=", "expected"),
	BAD("quiet", "no root=", "root=live:"),
	BAD("root=", "root", "expected a value"),
	BAD("root=sda1", "root=sda1", "expected /dev/<device>"),
	BAD("root=/dev/nfs", "NFS roots are not supported", "expected"),
	BAD("root=live:", "root=live:", "expected live:<URL>"),
	BAD("root=live:server/x.img", "root=live:server/x.img", "expected live:<URL>"),
	BAD("root=overlay:foo=1", "root=overlay:foo=1", "expected overlay:nbd="),
	BAD("root=/dev/vda rd.retry=soon", "rd.retry=soon", "whole number of seconds"),
	BAD("root=/dev/vda rd.retry=-5", "rd.retry=-5", "whole number"),
	BAD("root=/dev/vda rd.retry=99999999999999999999", "rd.retry=", "whole number"),
	BAD("root=/dev/vda rd.retry", "rd.retry=", "whole number"),
	BAD("root=/dev/vda rd.timeout=1x", "rd.timeout=1x", "whole number"),
	BAD("root=/dev/vda rd.shell=maybe", "rd.shell=maybe", "expected a boolean"),
	BAD("root=/dev/vda rd.break=later", "rd.break=later", "pre-mount"),
	BAD("root=/dev/vda panic=soon", "panic=soon", "whole number"),
	BAD("root=/dev/vda init=sbin/init", "init=sbin/init", "absolute path"),
	BAD("root=/dev/vda rootfstype=ext4;rm", "rootfstype=ext4;rm", "filesystem type"),
	BAD("root=live:/x rd.live.dir=../etc", "rd.live.dir=../etc", "without '..'"),
	BAD("root=live:/x rd.live.overlay.size=lots", "rd.live.overlay.size=lots", "expected a size"),
	BAD("root=live:/x rd.live.overlay.size=0%", "rd.live.overlay.size=0%", "expected a size"),
	BAD("root=live:/x rd.live.overlay.size=200%", "rd.live.overlay.size=200%", "expected a size"),
	BAD("root=live:/x rd.overlay=tmpfs:size=lots", "rd.overlay=tmpfs:size=lots", "expected a size"),
	BAD("root=live:/x rd.live.check", "rd.live.check: ", "rd.live.sha256"),
	BAD("root=live:http://h/x.iso rd.live.check=1", "rd.live.check=1: ", "checkisomd5"),
	BAD("root=live:http://h/x.iso rd.writable.fsimg=1", "rd.writable.fsimg=1: ", "not implemented"),
	BAD("root=live:http://h/x.iso rd.writable.fsimg", "rd.writable.fsimg: ", "rd.live.overlay.size="),
	/* items 4 and 8: refused by name, with what to use instead */
	BAD("root=live:/dev/sda rd.live.overlay.persistent rd.live.encrypt", "rd.live.encrypt: ", "LUKS"),
	BAD("root=live:/dev/sda rd.live.overlay.persistent rd.live.encrypt=1", "rd.live.encrypt=1: ", "plaintext"),
	BAD("root=live:/x rd.live.cowfile.path=/cow.img", "rd.live.cowfile.path=/cow.img: ", "rd.live.overlay.persistent"),
	BAD("root=live:/x rd.live.cowfile.mbsize=500", "rd.live.cowfile.mbsize=500: ", "cow file"),
	BAD("root=overlay:MAPPER=vg-root", "root=overlay:MAPPER=vg-root: ", "device-mapper"),
	BAD("root=overlay:UNIXNODE=vda", "root=overlay:UNIXNODE=vda: ", "root=overlay:/dev/<node>"),
	/* item 5 */
	BAD("root=/dev/vda rd.emergency=shell", "rd.emergency=shell", "reboot, poweroff or halt"),
	BAD("root=/dev/vda rd.emergency", "rd.emergency=", "reboot, poweroff or halt"),
	BAD("root=/dev/vda rd.driver.blacklist", "rd.driver.blacklist", "module name"),
	BAD("root=/dev/vda rd.driver.blacklist=../x", "rd.driver.blacklist=../x", "not a module name"),
	BAD("root=/dev/vda rd.driver.pre=a;b", "rd.driver.pre=a;b", "not a module name"),
	BAD("root=/dev/vda modprobe.blacklist=", "modprobe.blacklist", "module name"),
	/* only size= after tmpfs: */
	BAD("root=live:/x rd.overlay=tmpfs:nr_inodes=1000", "rd.overlay=tmpfs:nr_inodes=1000", "tmpfs:size=<size>"),
	BAD("root=bootc-live:/root.oci bootc.kexec=maybe bootc.kexec.reuse-image=0", "bootc.kexec=maybe", "boolean"),
	BAD("root=bootc-live:/root.oci bootc.kexec=maybe", "bootc.kexec=maybe", "boolean"),
	BAD("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=sometimes", "bootc.kexec.reuse-image=sometimes", "boolean"),
	BAD("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=", "bootc.kexec.reuse-image=", "boolean"),
	BAD("root=bootc-live:/root.oci bootc.zram=1X", "bootc.zram=1X", "expected a size"),
	BAD("root=bootc-live:/root.oci bootc.zram", "bootc.zram=", "expected a size"),
	BAD("root=bootc-live:/root.oci bootc.zram=0", "bootc.zram=0", "expected a size"),
	BAD("root=bootc-live:/root.oci bootc.live.erofs=sometimes", "bootc.live.erofs=sometimes", "boolean"),
	BAD("root=live:http://h/x rd.live.sha256=abc", "rd.live.sha256=abc", "64"),
	BAD("root=live:http://h/x rd.live.checksum=md5:abc", "rd.live.checksum=md5:abc", "sha256"),
	BAD("root=live:http://h/x rd.kiwi.live.curl_options=--compressed", "--compressed", "curl_options"),
	BAD("root=live:http://h/x ramdisk_size=2G", "ramdisk_size=2G", "KiB"),
	BAD("root=live:http://h/x rd.minmem=lots", "rd.minmem=lots", "MiB"),
	BAD("root=/dev/vda rw=perhaps", "rw=perhaps", "boolean"),
	BAD("root=/dev/vda ip=bogus", "ip=bogus", "expected"),
	BAD("root=/dev/vda ip=dhcp6,auto6", "ip=dhcp6,auto6", "address family twice"),
};

static void check_bad(const char *file, int line, const struct bad_row *r)
{
	int rc = build(r->line);

	if (rc != -22 || plan.nerrors == 0)
		fail_msg("%s:%d: \"%s\" accepted, expected a refusal", file, line, r->line);
	if (!strstr(plan.errors[0], r->frag1) || !strstr(plan.errors[0], r->frag2))
		fail_msg("%s:%d: \"%s\": error \"%s\" lacks \"%s\" or \"%s\"", file, line, r->line, plan.errors[0],
			 r->frag1, r->frag2);
}

static void test_refused(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++)
		check_bad(__FILE__, bad_rows[i].at, &bad_rows[i]);
}

/* ---- item 10: the exact error lines, and how many ---- */
struct exact_row {
	int at;
	const char *line;
	size_t nerrors;
	const char *err0; /* the whole first error line */
};

#define EXACT(l, n, e) { __LINE__, l, n, e }
static const struct exact_row exact_rows[] = {
	/* a malformed root= is one error, not also "no root= on the command line" */
	EXACT("root=sda1", 1, "root=sda1: expected /dev/<device>, LABEL=, UUID=, PARTUUID=, PARTLABEL=, live:<source>, "
	      "overlay:<source>, nbd:<server>:<export> or bootc-live:<source>"),
	EXACT("root=", 1, "root: expected a value, e.g. root=/dev/vda or root=live:http://server/image.squashfs"),
	EXACT("root=overlay:foo=1", 1, "root=overlay:foo=1: expected overlay:nbd=<server>[:<port>]:<export>, "
	      "overlay:aoe=<e0.1|iface> or overlay:{LABEL,UUID,PARTUUID,PARTLABEL}=<value>"),
	/* ... nor a second complaint about what goes with root= */
	EXACT("root=live:gopher://h/x rd.kiwi.live.system=/dev/sda", 1,
	      "root=live:gopher://h/x: expected live:<URL> (http, https, ftp, tftp, file, torrent), live:/path/in/initramfs, "
	      "live:CDLABEL=<label>, live:LABEL=<label> or live:/dev/<device>"),
	EXACT("root=live:sda1 rd.live.overlay.persistent", 1,
	      "root=live:sda1: expected live:<URL> (http, https, ftp, tftp, file, torrent), live:/path/in/initramfs, "
	      "live:CDLABEL=<label>, live:LABEL=<label> or live:/dev/<device>"),
	/* no root= at all: still said */
	EXACT("quiet", 1, "root: no root= on the command line; expected e.g. root=live:http://server/image.squashfs "
	      "or root=/dev/vda"),
	/* NBD errors carry their key=value once */
	EXACT("root=nbd:host:99999999", 1, "root=nbd:host:99999999: port out of range; expected 1-65535"),
	EXACT("root=nbd:", 1, "root=nbd:: empty value; expected <server>:..."),
	EXACT("root=overlay:nbd=srv", 1, "root=overlay:nbd=srv: missing export name; expected <server>[:<port>]:<export>"),
	EXACT("netroot=nbd:srv:e:ext4:ro:bs=3", 1, "root=nbd:srv:e:ext4:ro:bs=3: bad option 'bs=3'; expected bs=<power of two 512-65536>"),
	/* item 9: KIWI's PXE install is refused by name, not reported as "no root=" */
	EXACT("rd.kiwi.install.pxe rd.kiwi.install.image=http://h/img.xz", 2,
	      "rd.kiwi.install.pxe: KIWI's PXE install (kiwi-dump: a disk image written onto the target disk, then booted) "
	      "is not implemented; the nearest netinit flow is root=live:<URL> rd.kiwi.live.system=<disk> "
	      "rd.live.sha256=auto (a live ISO streamed onto the disk, verified, booted from it)"),
	EXACT("rd.kiwi.install.image=tftp://h/img.xz", 1,
	      "rd.kiwi.install.image=tftp://h/img.xz: KIWI's PXE install (kiwi-dump: a disk image written onto the target "
	      "disk, then booted) is not implemented; the nearest netinit flow is root=live:<URL> "
	      "rd.kiwi.live.system=<disk> rd.live.sha256=auto (a live ISO streamed onto the disk, verified, booted from it)"),
	/* transports that are refused get their own words */
	EXACT("root=live:nfs://srv/x.iso", 1, "root=live:nfs://srv/x.iso: NFS is not supported by netinit (no NFS client "
	      "in the initramfs); serve the image over http, https, ftp or tftp (or file://)"),
	/* dolly (KIWI): live:dolly: is a transport; what KIWI's generator rewrites it into is not */
	EXACT("root=live:net:dolly:", 1, "root=live:net:dolly:: live:net:dolly: is what KIWI's generator rewrites "
	      "root=live:dolly: into, not a form KIWI reads; write root=live:dolly:; serve the image over http, https, "
	      "ftp or tftp (or file://)"),
	EXACT("root=live:dolly: rd.live.sha256=auto", 1, "rd.live.sha256=auto: a dolly chain has no <URL>.sha256 beside "
	      "the image; give the digest (rd.live.sha256=<64 hex digits>)"),
	EXACT("root=live:dolly: rd.live.mirror=http://m/x.iso", 1, "rd.live.mirror=http://m/x.iso: mirrors are other HTTP "
	      "sources of the same URL; root=live:dolly: has none (the server decides the stream)"),
	EXACT("root=live:http://h/x.iso rd.kiwi.live.dolly_options=-P,pw", 1, "rd.kiwi.live.dolly_options: expected "
	      "together with root=live:dolly: (KIWI itself never applies it to dolly: roots, and for other URLs runs "
	      "'dolly <options> -f <URL>', which fails)"),
	EXACT("root=live:dolly: rd.kiwi.live.dolly_options=-v,-H,a,b", 1, "rd.kiwi.live.dolly_options=-v,-H,a,b: -H is a "
	      "dolly server option (or needs a file); the server's dollytab decides the chain, a client takes -P, -a, -r, -Y"),
	EXACT("root=live:dolly: rd.kiwi.live.dolly_options=-a,0", 1, "rd.kiwi.live.dolly_options=-a,0: -a 0: expected 1..86400"),
	/* root=live:torrent:// needs a path to the metainfo; bootc-live has no torrent transport */
	EXACT("root=live:torrent://srv/", 1, "root=live:torrent://srv/: expected torrent://<host>/<path>.torrent or "
	      "torrent+https://<host>/<path>.torrent"),
	EXACT("root=live:torrent+https://srv", 1, "root=live:torrent+https://srv: expected torrent://<host>/<path>.torrent "
	      "or torrent+https://<host>/<path>.torrent"),
	EXACT("root=bootc-live:torrent://srv/", 1, "root=bootc-live:torrent://srv/: expected torrent://<host>/<path>.torrent "
	      "or torrent+https://<host>/<path>.torrent"),
	EXACT("root=bootc-live:torrent://srv/x.oci.zst.torrent", 1, "root=bootc-live:torrent://srv/x.oci.zst.torrent: an "
	      "archive by BitTorrent is not decompressed on the way (its pieces arrive out of order); make the torrent "
	      "of the uncompressed oci-archive"),
	EXACT("root=bootc-live:torrent://srv/x.oci.torrent rd.live.torrent.seed=60", 1, "rd.live.torrent.seed: bootc-live "
	      "unpacks the archive and frees it as it goes; nothing is left to seed after boot (it seeds with "
	      "root=live:torrent://)"),
	EXACT("root=live:torrent://h/x.torrent rd.live.torrent.seed=5m", 1, "rd.live.torrent.seed=5m: expected <seconds>, "
	      "<ratio>x (e.g. 1.5x), both (600,2x: whichever comes first) or 0"),
};

static void test_exact_errors(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(exact_rows) / sizeof(exact_rows[0]); i++) {
		const struct exact_row *r = &exact_rows[i];

		if (build(r->line) != -22)
			fail_msg("%s:%d: \"%s\" accepted", __FILE__, r->at, r->line);
		if (plan.nerrors != r->nerrors)
			fail_msg("%s:%d: \"%s\": %zu errors, want %zu; the last: %s", __FILE__, r->at, r->line,
				 plan.nerrors, r->nerrors, plan.errors[plan.nerrors - 1]);
		if (strcmp(plan.errors[0], r->err0) != 0)
			fail_msg("%s:%d: \"%s\": error\n  \"%s\", want\n  \"%s\"", __FILE__, r->at, r->line,
				 plan.errors[0], r->err0);
	}
}

/* file:// is accepted where the error says it is */
static void test_file_url_accepted(void **state)
{
	assert_int_equal(build("root=live:file:///images/x.squashfs"), 0);
	assert_string_equal(plan_root_kind_name(plan.root_kind), "live-url");
}

static void print_plan(const char *line, char *buf, size_t len);

/* root=live:dolly: (KIWI): a live URL whose transport is the dolly chain, with dolly's client options */
static void test_dolly_root(void **state)
{
	char buf[8192];

	assert_int_equal(build("root=live:dolly:"), 0);
	assert_string_equal(plan_root_kind_name(plan.root_kind), "live-url");
	assert_true(plan.live_dolly);
	assert_string_equal(plan.fetch.url, "dolly:");
	assert_true(plan.net_required);
	assert_int_equal(build("root=live:dolly://srv/LiveOS.iso.xz rd.kiwi.live.dolly_options=-P,s3cret,-a,600,-r,3,-Yv "
			       "rd.live.sha256=" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), 0);
	assert_true(plan.live_dolly && plan.dolly.password_set && plan.dolly.hyphen_normal);
	assert_string_equal(plan.dolly.password, "s3cret");
	assert_int_equal(plan.dolly.timeout_s, 600);
	assert_int_equal(plan.dolly.retries, 3);
	assert_string_equal(plan.fetch.url, "dolly://srv/LiveOS.iso.xz");
	/* a later root= that is not dolly forgets it */
	assert_int_equal(build("root=live:dolly: root=live:http://h/x.iso"), 0);
	assert_false(plan.live_dolly);
	print_plan("root=live:dolly: rd.retry=90", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  transport: dolly chain (KIWI): wait on TCP 9997/9998 for the server or the previous "
				    "host, find this machine in its host list, forward the stream to the next host while "
				    "writing it; password challenge off; give up after 90 s without progress (rd.retry)\n"));
	assert_null(strstr(buf, "TLS verification"));
	print_plan("root=live:dolly: rd.kiwi.live.dolly_options=-P,x,-a,30", buf, sizeof(buf));
	assert_non_null(strstr(buf, "password challenge on (-P); give up after 30 s without progress (-a)\n"));
	assert_null(strstr(buf, "-P,x"));
	assert_null(strstr(buf, "password challenge on (-P) x"));
}

static void print_plan(const char *line, char *buf, size_t len)
{
	FILE *f;

	assert_int_equal(build(line), 0);
	f = fmemopen(buf, len, "w");
	plan_print(&plan, f, false);
	fclose(f);
}

/* the bootc-live line says what init/bootc.c assemble() mounts */
static void test_print_bootc_rw(void **state)
{
	char buf[8192];

	print_plan("root=bootc-live:/root.oci rw bootc.live.etc.rw=0", buf, sizeof(buf));
	assert_non_null(strstr(buf, "root read-write (rw; ro ignored), /etc and /var writable with it (no overlays; "
				    "bootc.live.etc.rw=0 / bootc.live.var.rw=0 have no effect on a read-write root)"));
	assert_null(strstr(buf, "/etc read-only"));
	print_plan("root=bootc-live:/root.oci rw", buf, sizeof(buf));
	assert_non_null(strstr(buf, "/etc and /var writable with it (no overlays)\n"));
	print_plan("root=bootc-live:/root.oci bootc.live.etc.rw=0", buf, sizeof(buf));
	assert_non_null(strstr(buf, "root read-only (ro ignored; rw makes it writable), /etc read-only, "
				    "/var writable (tmpfs overlay)"));
	print_plan("root=bootc-live:/root.oci rw bootc.live.erofs bootc.live.var.rw=0", buf, sizeof(buf));
	assert_non_null(strstr(buf, "root read-only (EROFS image; rw has no effect), /etc writable (tmpfs overlay), "
				    "/var read-only"));
}

/* bootc.registry.mirror=: repeatable, in order, shown; a bad value names the key */
static void test_print_mirrors(void **state)
{
	char buf[8192];

	assert_int_equal(build("root=bootc-live:docker://reg:5000/os:v1 bootc.registry.mirror=reg:5000=c1:5000,insecure "
			       "bootc.registry.mirror=reg:5000=c2,resolve-tags"), 0);
	assert_int_equal(plan.bootc_mirrors.n, 2);
	assert_string_equal(plan.bootc_mirrors.m[1].host, "c2");
	print_plan("root=bootc-live:docker://reg:5000/os:v1 bootc.registry.mirror=reg:5000=c1:5000,insecure "
		   "bootc.registry.mirror=reg:5000=c2,resolve-tags", buf, sizeof(buf));
	assert_non_null(strstr(buf, "    registry mirror 1 for reg:5000: c1:5000,insecure (content by digest only)\n"
				    "    registry mirror 2 for reg:5000: c2,resolve-tags (content and tags)\n"
				    "    then the mirrors of /etc/netinit/registries.conf at boot, if any, then the registry itself\n"));
	print_plan("root=bootc-live:docker://reg:5000/os:v1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "    registry mirrors: those of /etc/netinit/registries.conf at boot, if any, then the registry itself\n"));
	assert_int_equal(build("root=bootc-live:docker://reg/os bootc.registry.mirror=reg=http://c1"), -22);
	assert_non_null(strstr(plan.errors[0], "bootc.registry.mirror: \"reg=http://c1\": the mirror \"http://c1\" is not a host[:port]"));
	assert_int_equal(build("root=bootc-live:docker://reg/os bootc.registry.mirror"), -22);
	assert_non_null(strstr(plan.errors[0], "bootc.registry.mirror: expected <upstream>=<mirror-host[:port]>"));
}

/* rd.timeout is shown, and said to be unused (docs/cmdline.md) */
static void test_print_timeout(void **state)
{
	char buf[8192];

	print_plan("root=/dev/vda rd.timeout=30", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  wait: rd.retry=180 s; rd.timeout=30 s accepted, not used"));
	print_plan("root=/dev/vda", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  wait: rd.retry=180 s\n"));
}

/* the plan says what the fatal path and the module loader will do */
static void test_print_emergency_drivers(void **state)
{
	char buf[8192];

	print_plan("root=/dev/vda rd.emergency=poweroff panic=-1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  on failure: no shell, then power off (rd.emergency=poweroff)\n"));
	print_plan("root=/dev/vda rd.emergency=reboot panic=30", buf, sizeof(buf));
	assert_non_null(strstr(buf, "then reboot after panic= seconds (rd.emergency=reboot)\n"));
	print_plan("root=/dev/vda rd.driver.blacklist=virtio_net rd.driver.pre=loop rd.driver.post=nbd net.ifnames=0",
		   buf, sizeof(buf));
	assert_non_null(strstr(buf, "  module blacklisted: virtio_net (not loaded for a device or an alias)\n"));
	assert_non_null(strstr(buf, "  module before coldplug: loop (rd.driver.pre)\n"));
	assert_non_null(strstr(buf, "  module after coldplug: nbd (rd.driver.post)\n"));
	assert_null(strstr(buf, "module parameter"));
}

/* item 2: every parameter that needs a mkfs the default initramfs lacks says so in the plan */
static void test_print_needs_mkfs(void **state)
{
	char buf[8192];

	print_plan("ip=dhcp root=live:ftp://h/x.iso ramdisk_size=2097152 rd.kiwi.live.system=/dev/sda "
		   "rd.live.overlay.persistent rd.live.overlay.cowfs=xfs", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  needs mkfs.xfs: rd.live.overlay.persistent with rd.live.overlay.cowfs=xfs "));
	assert_non_null(strstr(buf, "build with make initramfs MKFS=xfs\n"));
	print_plan("root=live:/dev/sda rd.live.overlay.persistent", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  needs mkfs.ext4: rd.live.overlay.persistent (rd.live.overlay.cowfs default ext4)"));
	assert_non_null(strstr(buf, "make initramfs MKFS=ext4\n"));
	print_plan("root=live:/dev/sda rd.live.overlay.persistent rd.live.overlay.cowfs=btrfs", buf, sizeof(buf));
	assert_non_null(strstr(buf, "make initramfs MKFS=btrfs\n"));
	print_plan("root=bootc-live:/root.oci bootc.zram=2G", buf, sizeof(buf));
	assert_non_null(strstr(buf, "  needs mkfs.ext4: bootc.zram=2G formats /dev/zram0 with it; not in the default "
				    "initramfs (it would outgrow 4 MiB): build with make initramfs MKFS=ext4\n"));
	print_plan("root=live:/x.iso", buf, sizeof(buf));
	assert_null(strstr(buf, "needs mkfs"));
}

static void test_several_errors_all_reported(void **state)
{
	assert_int_equal(build("root=/dev/vda rd.retry=x panic=y rd.shell=z"), -22);
	assert_int_equal(plan.nerrors, 3);
}

static void test_oversized_value(void **state)
{
	static char line[PLAN_URL + 100];

	memset(line, 'a', sizeof(line));
	memcpy(line, "root=/dev/", 10);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(build(line), -22);
	assert_non_null(strstr(plan.errors[0], "characters long"));
}

/* init --plan says what bootc.kexec will do with the archive */
static void test_print_kexec(void **state)
{
	char buf[8192];
	FILE *f;

	assert_int_equal(build("root=bootc-live:http://10.0.2.2/root.oci bootc.kexec"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "oci-archive kept"));
	assert_non_null(strstr(buf, "as /root.oci (newc cpio) followed by the image's initramfs.img"));
	assert_non_null(strstr(buf, "bootc.kexec.reuse-image=0 root=bootc-live:/root.oci (no second download"));
	assert_int_equal(build("root=bootc-live:docker://r:5000/os:v1 bootc.kexec"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "pulled image kept as an oci-archive"));
	assert_non_null(strstr(buf, "bootclabel=<tag>"));
	assert_int_equal(build("root=bootc-live:/root.oci bootc.kexec bootc.kexec.reuse-image=0"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "fetches the image again"));
	assert_null(strstr(buf, "no second download"));
	/* bootc.live.erofs: this stage's root, or (with bootc.kexec) the next stage's */
	assert_int_equal(build("root=bootc-live:/root.oci bootc.live.erofs"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "then written as an EROFS image"));
	assert_int_equal(build("root=bootc-live:/root.oci bootc.live.erofs bootc.kexec"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_null(strstr(buf, "then written as an EROFS image"));
	assert_non_null(strstr(buf, "bootc.live.erofs: for the kexec'd stage"));
}

/* IPv6: the network part of the plan, and IPv6 literals kept intact in the URLs and NBD specs */
static void test_print_ipv6(void **state)
{
	char buf[8192];
	FILE *f;

	(void)state;
	assert_int_equal(build("root=live:http://[2001:db8::1]:8080/img.squashfs ip=ens2:dhcp,auto6 nameserver=[2001:db8::53]"), 0);
	assert_non_null(strstr(plan.fetch.url, "http://[2001:db8::1]:8080/img.squashfs"));
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "  network: ens2 dhcp\n  network: ens2 ipv6 auto6"));
	assert_non_null(strstr(buf, "  network: nameserver 2001:db8::53\n"));
	assert_non_null(strstr(buf, "download: http://[2001:db8::1]:8080/img.squashfs"));
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, true);
	fclose(f);
	assert_non_null(strstr(buf, "{\"iface\":\"ens2\",\"method\":\"dhcp\",\"ipv6\":{\"method\":\"auto6\"}}"));
	assert_non_null(strstr(buf, "\"nameservers\":[\"2001:db8::53\"]"));
	assert_int_equal(build("root=nbd:[2001:db8::5]:10809:squashfs ip=[2001:db8::9]::[2001:db8::1]:64::ens2:none"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "[2001:db8::5]:10809"));
	assert_non_null(strstr(buf, "  network: ens2 ipv6 static 2001:db8::9/64 gw 2001:db8::1\n"));
	assert_int_equal(build("root=overlay:nbd=[fd00::1]:9000:export ip=auto6"), 0);
	assert_int_equal(build("root=bootc-live:docker://[2001:db8::7]:5000/os:v1 ip=auto6"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "[2001:db8::7]:5000"));
}

static void test_print_json_escapes(void **state)
{
	char buf[8192];
	FILE *f;

	assert_int_equal(build("root=/dev/vda \"rootflags=a\\\"b\""), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, true);
	fclose(f);
	assert_non_null(strstr(buf, "\"root_kind\":\"block\""));
	/* the value is a\"b (the splitter keeps the backslash): both escaped */
	assert_non_null(strstr(buf, "\"rootflags\":\"a\\\\\\\"b\""));
	assert_non_null(strstr(buf, "\"errors\":[]"));
}


/* ---- what the modules stage loads for a plan ---- */
struct mods_row {
	int at;
	const char *line;
	unsigned classes;	/* plan_coldplug_classes */
	const char *mods;	/* plan_boot_modules, space-separated */
};

#define N KMOD_CLASS_NET
#define S KMOD_CLASS_STORAGE
#define O KMOD_CLASS_OTHER
#define MODS(l, c, m) { __LINE__, l, c, m }
static const struct mods_row mods_rows[] = {
	/* network roots: NICs, no storage controllers */
	MODS("root=live:http://10.0.2.2/root.squashfs", N | O, "loop squashfs overlay"),
	MODS("root=live:http://h/r.squashfs rd.live.overlay.readonly", N | O, "loop squashfs overlay"),
	MODS("root=live:http://h/r.squashfs rd.live.overlay=LABEL=cow", N | S | O, "loop squashfs overlay"),
	MODS("root=live:http://h/r.squashfs rd.live.overlay.persistent", N | S | O, "loop squashfs overlay ext4"),
	MODS("root=live:http://h/r.squashfs rd.live.overlay.persistent rd.live.overlay.cowfs=xfs", N | S | O,
	     "loop squashfs overlay xfs"),
	MODS("root=live:http://h/r.squashfs rd.kiwi.live.system=/dev/vda", N | S | O, "squashfs overlay"),
	MODS("root=live:http://h/r.squashfs ramdisk_size=200000", N | O, "brd squashfs overlay"),
	MODS("root=live:http://h/r.squashfs rd.root.overlay.write=/dev/vdb", N | S | O, "loop squashfs overlay"),
	MODS("root=overlay:nbd=10.0.2.2:root", N | O, "nbd overlay"),
	MODS("root=nbd:10.0.2.2:root", N | O, "nbd"),
	MODS("root=nbd:10.0.2.2:root:ext4", N | O, "nbd ext4"),
	MODS("root=overlay:aoe=e1.1", N | O, "aoe overlay"),
	MODS("root=bootc-live:docker://quay.io/x/y:1", N | O, "overlay"),
	MODS("root=bootc-live:docker://quay.io/x/y:1 bootc.live.erofs", N | O, "erofs loop overlay"),
	MODS("root=bootc-live:docker://quay.io/x/y:1 bootc.zram=1G", N | O, "zram ext4 overlay"),
	MODS("root=live:http://h/r.squashfs vlan=ens2.5:ens2 ip=ens2.5:dhcp", N | O, "loop squashfs overlay 8021q"),
	MODS("root=live:http://h/r.squashfs bond=bond0:ens2,ens3 ip=bond0:dhcp", N | O,
	     "loop squashfs overlay bonding"),
	/* local roots: storage; the network only when the plan uses it */
	MODS("root=/dev/vda1", S | O, ""),
	MODS("root=/dev/vda1 rootfstype=xfs", S | O, "xfs"),
	MODS("root=LABEL=root rootfstype=auto", S | O, ""),
	MODS("root=/dev/vda1 ip=dhcp", N | S | O, ""),
	MODS("root=/dev/vda1 rd.neednet=1", N | S | O, ""),
	MODS("root=live:CDLABEL=LIVE", S | O, "isofs loop squashfs overlay"),
	MODS("root=live:/root.squashfs", O, "loop squashfs overlay"),
	MODS("root=live:/root.squashfs ip=dhcp", N | O, "loop squashfs overlay"),
	MODS("root=overlay:LABEL=img", S | O, "overlay"),
	MODS("", N | S | O, ""),	/* no root=: everything, the fatal path will say why */
};
#undef N
#undef S
#undef O

static void test_boot_modules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mods_rows) / sizeof(mods_rows[0]); i++) {
		const struct mods_row *r = &mods_rows[i];
		const char *names[16];
		char got[256] = "";
		size_t n, j;
		unsigned c;

		build(r->line);
		c = plan_coldplug_classes(&plan);
		n = plan_boot_modules(&plan, names, 16);
		for (j = 0; j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? " " : "", names[j]);
		if (c != r->classes || strcmp(got, r->mods))
			fail_msg("%s:%d: '%s': classes %#x modules '%s'; expected %#x '%s'", __FILE__, r->at, r->line, c,
				 got, r->classes, r->mods);
		assert_false(c & KMOD_CLASS_CPU);
		/* never past max */
		assert_true(plan_boot_modules(&plan, names, 1) <= 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_boot_modules),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_exact_errors),
		cmocka_unit_test(test_file_url_accepted),
		cmocka_unit_test(test_dolly_root),
		cmocka_unit_test(test_print_bootc_rw),
		cmocka_unit_test(test_print_mirrors), cmocka_unit_test(test_print_timeout),
		cmocka_unit_test(test_print_emergency_drivers),
		cmocka_unit_test(test_print_needs_mkfs),
		cmocka_unit_test(test_several_errors_all_reported),
		cmocka_unit_test(test_oversized_value),
		cmocka_unit_test(test_print_json_escapes), cmocka_unit_test(test_print_ipv6), cmocka_unit_test(test_print_kexec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
