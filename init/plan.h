/* plan: turn the kernel command line into one typed boot plan. Pure: a function of
 * the parameter list, no I/O, so `init --plan` and unit tests can run anywhere.
 * Every later stage reads the plan; none re-parses the command line. */
#ifndef NETINIT_PLAN_H
#define NETINIT_PLAN_H
#include <stdbool.h>
#include <stdio.h>
#include "cmdline/cmdline.h"
#include "net/ipconf.h"
#include "fetch/fetch.h"
#include "fetch/dolly.h"
#include "blockdev/nbdspec.h"
#include "oci/mirrors.h"

#define PLAN_STR 256
#define PLAN_URL 2048
#define PLAN_MAX_ERRORS 16
#define PLAN_MAX_MODPARAMS 64
#define PLAN_MAX_DRIVERS 32  /* names in each of rd.driver.blacklist / .pre / .post */
#define PLAN_DRIVER_NAME 64
#define PLAN_OVERLAY_SIZE_DEFAULT "50%" /* rd.live.overlay.size: tmpfs upper (root.c caps it at MemAvailable) */
#define PLAN_MINMEM_DEFAULT_MIB 32 /* RAM kept free after a download (dracut: 1024, for rd.live.ram) */

enum root_kind {
	ROOT_NONE,        /* no root= given */
	ROOT_BLOCK,       /* root=/dev/x | LABEL= | UUID= | PARTUUID= | PARTLABEL= */
	ROOT_LIVE_FILE,   /* root=live:/path/in/initramfs.img (squashfs, erofs, ext4, iso) */
	ROOT_LIVE_DEV,    /* root=live:CDLABEL=x | live:LABEL=x | live:/dev/x */
	ROOT_LIVE_URL,    /* root=live:http://... (and root=http://..., rd.live.image) */
	ROOT_OVERLAY_DEV, /* root=overlay:LABEL=x ... (KIWI kiwi-overlay, local device) */
	ROOT_NBD,         /* root=overlay:nbd=... (KIWI) or root=nbd:... (dracut) */
	ROOT_AOE,         /* root=overlay:aoe=... (KIWI) */
	ROOT_BOOTC,       /* root=bootc-live:... */
};

/* Where rd.break stops. */
enum break_point {
	BREAK_NONE,
	BREAK_CMDLINE,   /* after the plan is made */
	BREAK_PRE_UDEV,  /* before kernel modules / coldplug (dracut: pre-udev, pre-trigger) */
	BREAK_INITQUEUE, /* before the network and the root source (dracut: initqueue) */
	BREAK_PRE_MOUNT, /* before the root is assembled */
	BREAK_MOUNT,     /* after the root is assembled */
	BREAK_PRE_PIVOT, /* before switch_root (dracut: pre-pivot, cleanup; bare rd.break) */
};

/* What the fatal path does after the shell (rd.emergency=; default: panic= decides). */
enum emergency_action {
	EMERGENCY_DEFAULT,  /* panic=: <0 reboot now, 0 halt, >0 reboot after N s */
	EMERGENCY_REBOOT,   /* rd.emergency=reboot (after panic= seconds if panic=N > 0) */
	EMERGENCY_POWEROFF, /* rd.emergency=poweroff */
	EMERGENCY_HALT,     /* rd.emergency=halt (even if panic= asks for a reboot) */
};

enum overlay_mode {
	OVERLAY_TMPFS,    /* tmpfs upper (default for live and overlay roots) */
	OVERLAY_NONE,     /* read-only root, no overlay (rd.live.overlay.readonly / rd.root.overlay.readonly) */
};

struct boot_plan {
	/* root */
	enum root_kind root_kind;
	bool root_given;            /* a root= was seen (even a malformed one: no second "no root=" error) */
	char root_arg[PLAN_URL];    /* root= as given */
	char root_src[PLAN_URL];    /* device spec, path in the initramfs, or URL */
	bool torrent;               /* root=live:torrent://: fetch.url is the metainfo (fetch/torrent.h) */
	unsigned torrent_seed_s;    /* rd.live.torrent.seed: seconds the booted system seeds (0: none) */
	unsigned torrent_seed_pct;  /* and/or until uploaded = this % of the image (0: no ratio) */
	char rootfstype[32];
	char rootflags[PLAN_STR];
	bool rw;                    /* ro/rw: last one wins; default ro */
	char init[PLAN_STR];        /* init= (empty: the kernel's search order) */

	/* failure and waiting */
	unsigned retry_s;           /* rd.retry, default 180 */
	unsigned timeout_s;         /* rd.timeout, 0 = forever */
	bool shell;                 /* rd.shell */
	enum break_point brk;       /* rd.break */
	int panic_s;                /* panic=: <0 reboot now, 0 halt, >0 reboot after N s */
	enum emergency_action emergency; /* rd.emergency= */

	/* verbosity: 0 quiet, 1 normal, 2 rd.info, 3 rd.debug */
	int verbosity;

	/* the network: ip=, nameserver=, rd.neednet, BOOTIF=, ... (net/ipconf.h) */
	struct net_plan net;
	bool net_required;          /* a failed bring-up is fatal: rd.neednet=1 or a root that needs the network
	                             * (dracut's rule); otherwise (only ip=) a warning and the boot goes on */

	/* live images (dracut dmsquash-live / livenet) */
	char live_dir[PLAN_STR];        /* rd.live.dir, default LiveOS */
	char live_squashimg[PLAN_STR];  /* rd.live.squashimg, default squashfs.img */
	bool live_image;                /* rd.live.image */
	bool live_ram;                  /* rd.live.ram: copy a local live medium into RAM first */
	enum overlay_mode overlay;
	char overlay_size[32];          /* tmpfs upper size (mount option syntax), default 50% */

	/* remote block roots */
	struct nbd_spec nbd;            /* root=overlay:nbd=... / root=nbd:... / netroot=nbd:... */
	bool aoe_live;                  /* root=live:AOEINTERFACE=<target>: a live ISO on AoE */
	char overlay_write[PLAN_STR];   /* rd.root.overlay.write=<device>: persistent upper */
	bool overlay_temporary;         /* rd.root.overlay.temporary: tmpfs upper even with a write device */

	/* target-disk deployment and persistent overlays (blockdev/deploy.h) */
	char kiwi_system[PLAN_STR];     /* rd.kiwi.live.system=<disk>: the image goes onto this disk, not RAM */
	bool kiwi_reset;                /* rd.kiwi.live.reset: deploy even over a table, fs or other image */
	bool overlay_persistent;        /* rd.live.overlay.persistent: upper on the `cow` partition */
	char cowfs[16];                 /* rd.live.overlay.cowfs: its filesystem, default ext4 */
	bool overlay_readonly;          /* rd.live.overlay.readonly / rd.overlay.readonly: tmpfs over it */
	bool overlay_reset;             /* rd.live.overlay.reset / rd.overlay.reset: empty the upper */
	char overlay_dev[PLAN_STR];     /* rd.overlay=<devspec>[:<path>] / rd.live.overlay=: device */
	char overlay_path[PLAN_STR];    /* its path; "" = auto (/<rd.live.dir>/overlay-<label>-<uuid>) */

	/* downloads: URL, TLS, proxy, curl options, checksum, rd.retry deadline */
	struct fetch_opts fetch;
	bool live_dolly;                /* root=live:dolly:...: the image comes down a dolly chain (KIWI) */
	bool dolly_options_given;       /* rd.kiwi.live.dolly_options= was on the command line */
	struct dolly_opts dolly;        /* rd.kiwi.live.dolly_options: -P, -a, -r, -Y (fetch/dolly.h) */
	unsigned minmem_mib;            /* rd.minmem: RAM that must stay free after a download */
	unsigned long ramdisk_kib;      /* ramdisk_size (KiB): KIWI's /dev/ram0 download target */

	/* bootc-live (init/bootc.c) */
	char bootc_label[PLAN_STR];     /* bootclabel=: ref.name in an oci-archive; "" = latest */
	bool bootc_unsecure;            /* bootc.registry.unsecure: plain HTTP / no TLS verification */
	struct oci_mirrors bootc_mirrors; /* bootc.registry.mirror= (repeatable), before /etc/netinit/registries.conf's */
	bool bootc_rw;                  /* rw / rw=0 (last wins); ro is ignored, as in bootc-live */
	bool bootc_etc_rw;              /* bootc.live.etc.rw, default 1: tmpfs overlay over /etc */
	bool bootc_var_rw;              /* bootc.live.var.rw, default 1: tmpfs overlay over /var */
	bool bootc_erofs;               /* bootc.live.erofs: mount a reproducible EROFS image of the tree */
	char bootc_zram[32];            /* bootc.zram=<size>: unpack into an ext4 on /dev/zram0 of that size */
	bool bootc_kexec;               /* bootc.kexec: kexec the image's own kernel + initramfs */
	bool bootc_kexec_reuse;         /* bootc.kexec.reuse-image, default 1: re-pack the archive into the next initramfs */

	/* Kairos live mode (init/immucore.c): kairos_param_flags of every parameter, ORed;
	 * KAIROS_OPTIN (netboot, rd.cos.*, rd.immucore.*) turns it on, as does a Kairos image */
	unsigned kairos_flags;

	/* kernel modules: rd.driver.blacklist= and modprobe.blacklist= (aliases ignored),
	 * rd.driver.pre= (loaded before coldplug), rd.driver.post= (after it) */
	char drv_blacklist[PLAN_MAX_DRIVERS][PLAN_DRIVER_NAME];
	size_t ndrv_blacklist;
	char drv_pre[PLAN_MAX_DRIVERS][PLAN_DRIVER_NAME];
	size_t ndrv_pre;
	char drv_post[PLAN_MAX_DRIVERS][PLAN_DRIVER_NAME];
	size_t ndrv_post;

	/* "<module>.<param>=<value>" from the command line, for the module loader */
	char modparams[PLAN_MAX_MODPARAMS][PLAN_STR];
	size_t nmodparams;

	/* errors: each one line naming the key, the value and the expected form */
	char errors[PLAN_MAX_ERRORS][PLAN_STR + 64];
	size_t nerrors;
};

/* Build the plan from split parameters. Returns 0, or -EINVAL when plan->nerrors > 0.
 * The plan is self-contained: c may be freed afterwards. */
int plan_build(const struct cmdline *c, struct boot_plan *plan);

/* Print the plan (human lines, or one JSON object). */
void plan_print(const struct boot_plan *plan, FILE *out, bool json);

/* The i-th key of the parser's table (NULL past the end): what docs/cmdline.md must list. */
const char *plan_param_key(size_t i);

const char *plan_root_kind_name(enum root_kind k);

/* Which hardware the modules stage coldplugs drivers for (KMOD_CLASS_* of kmod/kmod.h): the
 * NICs when the plan uses the network, the storage controllers when it reads a local device,
 * everything else packed in the initramfs always, CPU-feature modules never (a load by name
 * or alias still gets them). The booted system's udev coldplugs the rest again. */
unsigned plan_coldplug_classes(const struct boot_plan *p);

/* The modules the plan is sure to need later (loop, squashfs, overlay for a live root, nbd,
 * aoe, the cow or root filesystem, brd, zram, 8021q, bonding): the modules stage loads them
 * in the same parallel batch as rd.driver.pre=. Writes up to max names; returns the count. */
size_t plan_boot_modules(const struct boot_plan *p, const char **names, size_t max);
const char *plan_break_name(enum break_point b);

#endif
