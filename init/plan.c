#include "init/plan.h"
#include "kmod/kmod.h"
#include "fetch/checksum.h"
#include "fetch/curlopts.h"
#include "kairos/kairos.h"
#include "fetch/torrent.h"

#include <ctype.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- helpers ------------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static void plan_error(struct boot_plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nerrors >= PLAN_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(p->errors[p->nerrors++], sizeof(p->errors[0]), fmt, ap);
	va_end(ap);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Copy v into dst; an error if it does not fit. */
static int set_str(struct boot_plan *p, const char *key, char *dst, size_t len, const char *v)
{
	if (strlen(v) >= len) {
		plan_error(p, "%s: value is %zu characters long, expected at most %zu", key, strlen(v),
			   len - 1);
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

/* dracut's boolean: bare flag = true. We accept the usual spellings and refuse the rest. */
static int parse_bool(struct boot_plan *p, const char *key, const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true", "y" };
	static const char *const no[] = { "0", "no", "off", "false", "n" };
	size_t i;

	if (!v) {
		*out = true;
		return 0;
	}
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	plan_error(p, "%s=%s: expected a boolean (1/0, yes/no, on/off) or the bare flag", key, v);
	return -EINVAL;
}

static int parse_uint(struct boot_plan *p, const char *key, const char *v, unsigned max,
		      unsigned *out)
{
	unsigned long n;
	char *end;

	if (!v || !*v || !isdigit((unsigned char)*v))
		goto err;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > max)
		goto err;
	*out = (unsigned)n;
	return 0;
err:
	plan_error(p, "%s=%s: expected a whole number of seconds from 0 to %u", key, v ? v : "", max);
	return -EINVAL;
}

static bool is_url(const char *s)
{
	return starts(s, "http://") || starts(s, "https://") || starts(s, "ftp://") ||
	       starts(s, "tftp://") || starts(s, "file://") || torrent_is_url(s);
}

static bool is_devspec(const char *s)
{
	return starts(s, "/dev/") || starts(s, "LABEL=") || starts(s, "UUID=") ||
	       starts(s, "PARTUUID=") || starts(s, "PARTLABEL=");
}

/* ---- parameter parsers -------------------------------------------------- */

typedef int (*param_fn)(struct boot_plan *p, const char *key, const char *v);

/* Transports dracut or KIWI have and netinit does not (yet): each gets its own words
 * instead of the generic "expected" line. Returns true when it reported one. */
static bool refused_scheme(struct boot_plan *p, const char *key, const char *v, const char *rest)
{
	static const struct {
		const char *prefix, *why;
	} refused[] = {
		{ "nfs:", "NFS is not supported by netinit (no NFS client in the initramfs)" },
		{ "nfs4:", "NFS is not supported by netinit (no NFS client in the initramfs)" },
		{ "net:dolly:", "live:net:dolly: is what KIWI's generator rewrites root=live:dolly: into, not a form "
				"KIWI reads; write root=live:dolly:" },
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (starts(rest, refused[i].prefix)) {
			plan_error(p, "%s=%s: %s; serve the image over http, https, ftp or tftp (or file://)", key, v,
				   refused[i].why);
			return true;
		}
	}
	return false;
}

static int p_root_live(struct boot_plan *p, const char *key, const char *v, const char *rest)
{
	if (refused_scheme(p, key, v, rest))
		return -EINVAL;
	p->live_dolly = false;
	if (starts(rest, "dolly:")) {
		/* KIWI: anything after "dolly" names nothing (its client learns all from the server);
		 * only a .xz (netinit: also .zst, .gz) suffix means "decompress" */
		p->root_kind = ROOT_LIVE_URL;
		p->live_dolly = true;
	} else if (is_url(rest))
		p->root_kind = ROOT_LIVE_URL;
	else if (is_devspec(rest) || starts(rest, "CDLABEL="))
		p->root_kind = ROOT_LIVE_DEV;
	else if (starts(rest, "AOEINTERFACE=")) {
		p->root_kind = ROOT_AOE;
		p->aoe_live = true;
		rest += strlen("AOEINTERFACE=");
		if (!*rest) {
			plan_error(p, "%s=%s: expected live:AOEINTERFACE=<target such as e0.1, or interface>", key, v);
			return -EINVAL;
		}
	}
	else if (rest[0] == '/')
		p->root_kind = ROOT_LIVE_FILE;
	else {
		plan_error(p, "%s=%s: expected live:<URL> (http, https, ftp, tftp, file, torrent), live:/path/in/initramfs, "
			   "live:CDLABEL=<label>, live:LABEL=<label> or live:/dev/<device>", key, v);
		return -EINVAL;
	}
	return set_str(p, key, p->root_src, sizeof(p->root_src), rest);
}

static int parse_nbd(struct boot_plan *p, const char *key, const char *v, const char *form, const char *spec)
{
	char err[PLAN_STR];

	if (nbd_spec_parse(form, spec, &p->nbd, err, sizeof(err)) < 0) {
		plan_error(p, "%s=%s: %s", key, v, err);
		return -EINVAL;
	}
	return set_str(p, key, p->root_src, sizeof(p->root_src), spec);
}

static int p_root(struct boot_plan *p, const char *key, const char *v)
{
	const char *rest;

	p->root_given = true;
	if (!v || !*v) {
		plan_error(p, "%s: expected a value, e.g. root=/dev/vda or root=live:http://server/image.squashfs", key);
		return -EINVAL;
	}
	if (set_str(p, key, p->root_arg, sizeof(p->root_arg), v))
		return -EINVAL;
	p->root_kind = ROOT_NONE;
	p->root_src[0] = '\0';
	if (starts(v, "live:"))
		return p_root_live(p, key, v, v + 5);
	if (is_url(v))
		return p_root_live(p, key, v, v);
	if (starts(v, "overlay:")) {
		rest = v + 8;
		if (starts(rest, "nbd=")) {
			p->root_kind = ROOT_NBD;
			return parse_nbd(p, key, v, "kiwi", rest + 4);
		} else if (starts(rest, "aoe=")) {
			p->root_kind = ROOT_AOE;
			rest += 4;
			if (!*rest) {
				plan_error(p, "%s=%s: expected overlay:aoe=<target such as e0.1, or interface>", key, v);
				return -EINVAL;
			}
		}
		else if (is_devspec(rest))
			p->root_kind = ROOT_OVERLAY_DEV;
		else if (starts(rest, "MAPPER=")) {
			plan_error(p, "%s=%s: KIWI's overlay:MAPPER= (a device-mapper device: LVM, LUKS) is not supported: "
				   "netinit activates no device-mapper targets; name a plain device with "
				   "overlay:{LABEL,UUID,PARTUUID,PARTLABEL}= or overlay:/dev/<x>", key, v);
			return -EINVAL;
		} else if (starts(rest, "UNIXNODE=")) {
			plan_error(p, "%s=%s: KIWI's overlay:UNIXNODE= is not supported by that name; write the node as "
				   "root=overlay:/dev/<node>", key, v);
			return -EINVAL;
		} else {
			plan_error(p, "%s=%s: expected overlay:nbd=<server>[:<port>]:<export>, overlay:aoe=<e0.1|iface> "
				   "or overlay:{LABEL,UUID,PARTUUID,PARTLABEL}=<value>", key, v);
			return -EINVAL;
		}
		return set_str(p, key, p->root_src, sizeof(p->root_src), rest);
	}
	if (starts(v, "nbd:")) {
		p->root_kind = ROOT_NBD;
		return parse_nbd(p, key, v, "dracut", v + 4);
	}
	if (starts(v, "bootc-live:")) {
		p->root_kind = ROOT_BOOTC;
		return set_str(p, key, p->root_src, sizeof(p->root_src), v + 11);
	}
	if (strcmp(v, "/dev/nfs") == 0 || starts(v, "nfs:") || starts(v, "nfs4:")) {
		plan_error(p, "%s=%s: NFS roots are not supported by netinit; expected a block device, "
			   "live:<URL>, overlay:nbd=, overlay:aoe= or bootc-live:", key, v);
		return -EINVAL;
	}
	if (refused_scheme(p, key, v, v))
		return -EINVAL;
	if (starts(v, "block:"))
		v += 6;
	if (is_devspec(v)) {
		p->root_kind = ROOT_BLOCK;
		return set_str(p, key, p->root_src, sizeof(p->root_src), v);
	}
	plan_error(p, "%s=%s: expected /dev/<device>, LABEL=, UUID=, PARTUUID=, PARTLABEL=, live:<source>, "
		   "overlay:<source>, nbd:<server>:<export> or bootc-live:<source>", key, v);
	return -EINVAL;
}

/* dracut's netroot=nbd:... is root=nbd:... */
static int p_netroot(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || !starts(v, "nbd:")) {
		plan_error(p, "%s=%s: expected netroot=nbd:<server>:<port|export>[:<fstype>[:<rootflags>[:<nbdopts>]]] "
			   "(NFS and iSCSI roots are not supported)", key, v ? v : "");
		return -EINVAL;
	}
	return p_root(p, "root", v);
}

static int p_overlay_write(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || !*v) {
		plan_error(p, "%s: expected a device: /dev/x, LABEL=, UUID=, PARTUUID= or PARTLABEL=", key);
		return -EINVAL;
	}
	if (starts(v, "/dev/") || starts(v, "LABEL=") || starts(v, "UUID=") || starts(v, "PARTUUID=") ||
	    starts(v, "PARTLABEL="))
		return set_str(p, key, p->overlay_write, sizeof(p->overlay_write), v);
	plan_error(p, "%s=%s: expected a device: /dev/x, LABEL=, UUID=, PARTUUID= or PARTLABEL=", key, v);
	return -EINVAL;
}

static int p_overlay_temporary(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->overlay_temporary);
}

static int p_rootfstype(struct boot_plan *p, const char *key, const char *v)
{
	size_t i;

	if (!v || !*v)
		goto err;
	for (i = 0; v[i]; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '.')
			goto err;
	return set_str(p, key, p->rootfstype, sizeof(p->rootfstype), v);
err:
	plan_error(p, "%s=%s: expected a filesystem type such as ext4, xfs, squashfs, erofs", key, v ? v : "");
	return -EINVAL;
}

static int p_rootflags(struct boot_plan *p, const char *key, const char *v)
{
	return set_str(p, key, p->rootflags, sizeof(p->rootflags), v ? v : "");
}

static int p_ro(struct boot_plan *p, const char *key, const char *v)
{
	p->rw = false;
	return 0;
}

static int p_rw(struct boot_plan *p, const char *key, const char *v)
{
	bool b;

	/* rw=0 undoes an earlier rw (bootc-live); bare rw is the kernel's */
	if (parse_bool(p, key, v, &b))
		return -EINVAL;
	p->rw = b;
	p->bootc_rw = b; /* bootc-live ignores ro: only rw and rw=0 count */
	return 0;
}

static int p_bootclabel(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || !*v) {
		plan_error(p, "%s: expected the name of an image in the archive (its org.opencontainers.image.ref.name)", key);
		return -EINVAL;
	}
	return set_str(p, key, p->bootc_label, sizeof(p->bootc_label), v);
}

static int p_bootc_unsecure(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_unsecure);
}

/* bootc.registry.mirror=<upstream>=<mirror-host[:port]>[,insecure][,resolve-tags], repeatable */
static int p_bootc_mirror(struct boot_plan *p, const char *key, const char *v)
{
	char e[400];
	int rc;

	if (!v || !*v) {
		plan_error(p, "%s: expected <upstream>=<mirror-host[:port]>[,insecure][,resolve-tags]", key);
		return -EINVAL;
	}
	rc = oci_mirrors_add(&p->bootc_mirrors, v, e, sizeof(e));
	if (rc < 0)
		plan_error(p, "%s: %s", key, e);
	return rc;
}

static int p_bootc_etc_rw(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_etc_rw);
}

static int p_bootc_var_rw(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_var_rw);
}

static int p_init(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || v[0] != '/') {
		plan_error(p, "%s=%s: expected an absolute path such as /sbin/init", key, v ? v : "");
		return -EINVAL;
	}
	return set_str(p, key, p->init, sizeof(p->init), v);
}

static int p_retry(struct boot_plan *p, const char *key, const char *v)
{
	return parse_uint(p, key, v, 86400, &p->retry_s);
}

static int p_timeout(struct boot_plan *p, const char *key, const char *v)
{
	return parse_uint(p, key, v, 86400, &p->timeout_s);
}

static int p_shell(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->shell);
}

static const struct {
	const char *name;
	enum break_point point;
} break_names[] = {
	{ "cmdline", BREAK_CMDLINE },     { "pre-udev", BREAK_PRE_UDEV },
	{ "pre-trigger", BREAK_PRE_UDEV }, { "initqueue", BREAK_INITQUEUE },
	{ "pre-mount", BREAK_PRE_MOUNT }, { "mount", BREAK_MOUNT },
	{ "pre-pivot", BREAK_PRE_PIVOT }, { "cleanup", BREAK_PRE_PIVOT },
};

static int p_break(struct boot_plan *p, const char *key, const char *v)
{
	size_t i;

	if (!v || !*v) {
		p->brk = BREAK_PRE_PIVOT;
		return 0;
	}
	for (i = 0; i < sizeof(break_names) / sizeof(break_names[0]); i++) {
		if (strcmp(v, break_names[i].name) == 0) {
			p->brk = break_names[i].point;
			return 0;
		}
	}
	plan_error(p, "%s=%s: expected one of cmdline, pre-udev, pre-trigger, initqueue, pre-mount, mount, "
		   "pre-pivot, cleanup (or the bare rd.break)", key, v);
	return -EINVAL;
}

static int p_panic(struct boot_plan *p, const char *key, const char *v)
{
	long n;
	char *end;

	if (!v || !*v)
		goto err;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < -1000000 || n > 1000000)
		goto err;
	p->panic_s = (int)n;
	return 0;
err:
	plan_error(p, "%s=%s: expected a whole number of seconds (negative: reboot at once, 0: halt)", key,
		   v ? v : "");
	return -EINVAL;
}

static int p_quiet(struct boot_plan *p, const char *key, const char *v)
{
	if (p->verbosity == 1)
		p->verbosity = 0;
	return 0;
}

static int p_info(struct boot_plan *p, const char *key, const char *v)
{
	bool b;

	if (parse_bool(p, key, v, &b))
		return -EINVAL;
	if (b && p->verbosity < 2)
		p->verbosity = 2;
	return 0;
}

static int p_debug(struct boot_plan *p, const char *key, const char *v)
{
	bool b;

	if (parse_bool(p, key, v, &b))
		return -EINVAL;
	if (b)
		p->verbosity = 3;
	return 0;
}

static int p_live_image(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->live_image);
}

static int p_path_component(struct boot_plan *p, const char *key, const char *v, char *dst, size_t len)
{
	if (!v || !*v || strstr(v, "..")) {
		plan_error(p, "%s=%s: expected a path inside the image, without '..'", key, v ? v : "");
		return -EINVAL;
	}
	while (*v == '/')
		v++;
	return set_str(p, key, dst, len, v);
}

static int p_live_dir(struct boot_plan *p, const char *key, const char *v)
{
	return p_path_component(p, key, v, p->live_dir, sizeof(p->live_dir));
}

static int p_live_squashimg(struct boot_plan *p, const char *key, const char *v)
{
	return p_path_component(p, key, v, p->live_squashimg, sizeof(p->live_squashimg));
}

/* A tmpfs size: N (MiB, dracut's rd.live.overlay.size), N%, or N[kKmMgG]. */
static int set_size(struct boot_plan *p, const char *key, const char *shown, const char *v)
{
	char *end;
	unsigned long n;

	if (!v || !isdigit((unsigned char)*v))
		goto err;
	n = strtoul(v, &end, 10);
	if (*end == '\0') {
		snprintf(p->overlay_size, sizeof(p->overlay_size), "%lum", n);
		return 0;
	}
	if (end[1] == '\0' && (*end == '%' ? n >= 1 && n <= 100 : strchr("kKmMgG", *end) != NULL) && n > 0)
		return set_str(p, key, p->overlay_size, sizeof(p->overlay_size), v);
err:
	plan_error(p, "%s=%s: expected a size: <MiB>, <N>%% of RAM, or <N>k/m/g", key, shown ? shown : "");
	return -EINVAL;
}

static int p_overlay_size(struct boot_plan *p, const char *key, const char *v)
{
	return set_size(p, key, v, v);
}

/* rd.overlay=<devspec>[:<path>|:auto] (dracut): a persistent upper on an existing device. */
static int p_overlay_device(struct boot_plan *p, const char *key, const char *v)
{
	const char *colon = strstr(v, ":/");
	size_t n = colon ? (size_t)(colon - v) : strlen(v);

	if (!colon && n > 5 && strcmp(v + n - 5, ":auto") == 0)
		n -= 5;
	if (n >= sizeof(p->overlay_dev) || (colon && strlen(colon + 1) >= sizeof(p->overlay_path))) {
		plan_error(p, "%s=%s: value too long, expected at most %zu characters", key, v, sizeof(p->overlay_dev) - 1);
		return -EINVAL;
	}
	if (colon && strstr(colon, "/..")) {
		plan_error(p, "%s=%s: expected <device>[:<absolute path without '..'>]", key, v);
		return -EINVAL;
	}
	memcpy(p->overlay_dev, v, n);
	p->overlay_dev[n] = '\0';
	strcpy(p->overlay_path, colon ? colon + 1 : "");
	return 0;
}

/* rd.overlay=tmpfs[:size=X] (dracut >= 110), rd.overlay=<devspec>[:<path>] (persistent). */
static int p_rd_overlay(struct boot_plan *p, const char *key, const char *v)
{
	bool b;

	if (v && (strcmp(v, "tmpfs") == 0 || strcmp(v, "none") == 0)) {
		p->overlay_dev[0] = '\0';
		return 0;
	}
	if (v && is_devspec(v))
		return p_overlay_device(p, key, v);
	if (v && starts(v, "tmpfs:size="))
		return set_size(p, key, v, v + 11);
	if (!v || parse_bool(p, key, v, &b) == 0)
		return 0; /* rd.live.overlay=1 style flags: tmpfs overlay, our default */
	p->nerrors--; /* parse_bool's message is not the useful one here */
	plan_error(p, "%s=%s: expected tmpfs, tmpfs:size=<size>, or a device (/dev/x, LABEL=, UUID=, PARTUUID=, "
		   "PARTLABEL=) with an optional :<path>", key, v);
	return -EINVAL;
}

static int p_root_overlay_readonly(struct boot_plan *p, const char *key, const char *v)
{
	bool b;

	if (parse_bool(p, key, v, &b))
		return -EINVAL;
	p->overlay = b ? OVERLAY_NONE : OVERLAY_TMPFS;
	return 0;
}

static int p_noverifyssl(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->fetch.insecure);
}

static int p_live_ram(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->live_ram);
}

/* The fetch library's parsers report into err; carry their line into the plan. */
#define FETCH_PARSE(call)                                                                          \
	do {                                                                                       \
		char err_[PLAN_STR];                                                               \
		if ((call) < 0) {                                                                  \
			plan_error(p, "%s=%s: %s", key, v ? v : "", err_);                         \
			return -EINVAL;                                                            \
		}                                                                                  \
	} while (0)

static int p_proxy(struct boot_plan *p, const char *key, const char *v)
{
	FETCH_PARSE(fetch_set_proxy(&p->fetch, v ? v : "", err_, sizeof(err_)));
	return 0;
}

static int p_curl_options(struct boot_plan *p, const char *key, const char *v)
{
	FETCH_PARSE(curlopts_parse(v ? v : "", &p->fetch, err_, sizeof(err_)));
	return 0;
}

static int p_mirror(struct boot_plan *p, const char *key, const char *v)
{
	FETCH_PARSE(fetch_add_mirror(&p->fetch, v ? v : "", err_, sizeof(err_)));
	return 0;
}

static int p_start_delay(struct boot_plan *p, const char *key, const char *v)
{
	unsigned s = 0;

	if (parse_uint(p, key, v, 3600, &s) < 0)
		return -EINVAL;
	p->fetch.start_delay_ms = s * 1000;
	return 0;
}

static int p_torrent_seed(struct boot_plan *p, const char *key, const char *v)
{
	if (torrent_seed_parse(v ? v : "", &p->torrent_seed_s, &p->torrent_seed_pct) < 0) {
		plan_error(p, "%s=%s: expected <seconds>, <ratio>x (e.g. 1.5x), both (600,2x: whichever comes "
			   "first) or 0", key, v ? v : "");
		return -EINVAL;
	}
	return 0;
}

static int p_sha256(struct boot_plan *p, const char *key, const char *v)
{
	FETCH_PARSE(checksum_parse_sha256(v ? v : "", &p->fetch.sum, err_, sizeof(err_)));
	return 0;
}

static int p_checksum(struct boot_plan *p, const char *key, const char *v)
{
	FETCH_PARSE(checksum_parse_spec(v ? v : "", &p->fetch.sum, err_, sizeof(err_)));
	return 0;
}

static int p_minmem(struct boot_plan *p, const char *key, const char *v)
{
	unsigned n;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 7) {
		plan_error(p, "%s=%s: expected a whole number of MiB", key, v ? v : "");
		return -EINVAL;
	}
	n = (unsigned)strtoul(v, NULL, 10);
	p->minmem_mib = n;
	return 0;
}

static int p_ramdisk_size(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 12 || strtoul(v, NULL, 10) == 0) {
		plan_error(p, "%s=%s: expected the /dev/ram0 size in KiB (e.g. 2097152 for 2 GiB)", key, v ? v : "");
		return -EINVAL;
	}
	p->ramdisk_kib = strtoul(v, NULL, 10);
	return 0;
}

static int p_kiwi_system(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || !is_devspec(v)) {
		plan_error(p, "%s=%s: expected a disk: /dev/x, LABEL=, UUID=, PARTUUID= or PARTLABEL=", key, v ? v : "");
		return -EINVAL;
	}
	return set_str(p, key, p->kiwi_system, sizeof(p->kiwi_system), v);
}

static int p_kiwi_reset(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->kiwi_reset);
}

static int p_overlay_persistent(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->overlay_persistent);
}

static int p_cowfs(struct boot_plan *p, const char *key, const char *v)
{
	if (!v || (strcmp(v, "ext4") && strcmp(v, "xfs") && strcmp(v, "btrfs"))) {
		plan_error(p, "%s=%s: expected ext4, xfs or btrfs", key, v ? v : "");
		return -EINVAL;
	}
	return set_str(p, key, p->cowfs, sizeof(p->cowfs), v);
}

static int p_overlay_readonly(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->overlay_readonly);
}

static int p_overlay_reset(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->overlay_reset);
}

/* zram's disksize syntax: digits with an optional K, M, G (or T) suffix. */
static int p_bootc_zram(struct boot_plan *p, const char *key, const char *v)
{
	size_t n = v ? strspn(v, "0123456789") : 0;

	if (!v || n == 0 || n > 15 || (v[n] && (!strchr("KkMmGgTt", v[n]) || v[n + 1])) || strtoull(v, NULL, 10) == 0) {
		plan_error(p, "%s=%s: expected a size such as 2G or 512M (a compressed RAM disk for the unpacked image)",
			   key, v ? v : "");
		return -EINVAL;
	}
	return set_str(p, key, p->bootc_zram, sizeof(p->bootc_zram), v);
}

static int p_bootc_erofs(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_erofs);
}

static int p_bootc_kexec(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_kexec);
}

static int p_bootc_kexec_reuse(struct boot_plan *p, const char *key, const char *v)
{
	return parse_bool(p, key, v, &p->bootc_kexec_reuse);
}

/* rd.emergency=reboot|poweroff|halt (dracut) */
static int p_emergency(struct boot_plan *p, const char *key, const char *v)
{
	if (v && strcmp(v, "reboot") == 0)
		p->emergency = EMERGENCY_REBOOT;
	else if (v && strcmp(v, "poweroff") == 0)
		p->emergency = EMERGENCY_POWEROFF;
	else if (v && strcmp(v, "halt") == 0)
		p->emergency = EMERGENCY_HALT;
	else {
		plan_error(p, "%s=%s: expected reboot, poweroff or halt", key, v ? v : "");
		return -EINVAL;
	}
	return 0;
}

/* A comma list of module names, appended (the key may be repeated, as in dracut). */
static int add_drivers(struct boot_plan *p, const char *key, const char *v, char (*list)[PLAN_DRIVER_NAME],
		       size_t *n)
{
	const char *s = v, *e;

	if (!v || !*v) {
		plan_error(p, "%s: expected a module name or a comma list of them, e.g. %s=virtio_net", key, key);
		return -EINVAL;
	}
	for (; *s; s = *e ? e + 1 : e) {
		size_t len, i;

		e = s + strcspn(s, ",");
		len = (size_t)(e - s);
		if (len == 0)
			continue;
		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
				break;
		if (i < len || len >= PLAN_DRIVER_NAME) {
			plan_error(p, "%s=%s: '%.*s' is not a module name (letters, digits, '_' and '-', at most %d)", key,
				   v, (int)(len > 80 ? 80 : len), s, PLAN_DRIVER_NAME - 1);
			return -EINVAL;
		}
		if (*n >= PLAN_MAX_DRIVERS) {
			plan_error(p, "%s=%s: more than %d modules", key, v, PLAN_MAX_DRIVERS);
			return -EINVAL;
		}
		memcpy(list[*n], s, len);
		list[*n][len] = '\0';
		for (i = 0; i < len; i++)
			if (list[*n][i] == '-')
				list[*n][i] = '_';
		(*n)++;
	}
	return 0;
}

static int p_drv_blacklist(struct boot_plan *p, const char *key, const char *v)
{
	return add_drivers(p, key, v, p->drv_blacklist, &p->ndrv_blacklist);
}

static int p_drv_pre(struct boot_plan *p, const char *key, const char *v)
{
	return add_drivers(p, key, v, p->drv_pre, &p->ndrv_pre);
}

static int p_drv_post(struct boot_plan *p, const char *key, const char *v)
{
	return add_drivers(p, key, v, p->drv_post, &p->ndrv_post);
}

static int p_accept(struct boot_plan *p, const char *key, const char *v)
{
	return 0; /* known and meaningless for netinit (e.g. rd.live.overlay.overlayfs: always overlayfs) */
}

static int p_dolly_options(struct boot_plan *p, const char *key, const char *v)
{
	p->dolly_options_given = true;
	FETCH_PARSE(dolly_options_parse(v ? v : "", &p->dolly, err_, sizeof(err_)));
	return 0;
}

/* Keys of dracut and KIWI that netinit refuses by name, each with the reason and what to
 * use instead: booting without the feature would give the user something else than asked
 * for (a plaintext overlay for an encrypted one, a tmpfs for a cow file). */
static const struct refusal {
	const char *key, *why;
} refusals[] = {
	{ "rd.live.encrypt", "KIWI's LUKS-encrypted persistent overlay is not supported (netinit has no LUKS/dm-crypt "
			     "code): without it the cow partition would be plaintext; drop the key for a plaintext "
			     "rd.live.overlay.persistent, or keep secrets off the overlay" },
	{ "rd.live.cowfile.path", "KIWI's cow file (a loop-mounted file as the persistent upper) is not supported; "
				  "netinit puts the upper on a `cow` partition (rd.live.overlay.persistent) or on "
				  "rd.overlay=<device>[:<path>]" },
	{ "rd.live.check", "the media check (checkisomd5's MD5 implanted in the ISO) is not implemented; "
			   "verify the image with rd.live.sha256=<hex> or rd.live.sha256=auto (SHA-256 while it streams, "
			   "before it is used)" },
	{ "rd.writable.fsimg", "a fully writable root copied to RAM (dracut's rootfs.tgz/rootfs.img) is not implemented; "
			       "the live root is writable through its overlay (rd.live.overlay.size=, "
			       "rd.overlay=<device>), or boot the image as root=/dev/<x> rw" },
	{ "rd.kiwi.install.pxe", "KIWI's PXE install (kiwi-dump: a disk image written onto the target disk, then "
				 "booted) is not implemented; the nearest netinit flow is root=live:<URL> "
				 "rd.kiwi.live.system=<disk> rd.live.sha256=auto (a live ISO streamed onto the disk, verified, "
				 "booted from it)" },
	{ "rd.kiwi.install.image", "KIWI's PXE install (kiwi-dump: a disk image written onto the target disk, then "
				   "booted) is not implemented; the nearest netinit flow is root=live:<URL> "
				   "rd.kiwi.live.system=<disk> rd.live.sha256=auto (a live ISO streamed onto the disk, verified, "
				   "booted from it)" },
	{ "rd.live.cowfile.mbsize", "KIWI's cow file (a loop-mounted file as the persistent upper) is not supported, so "
				    "its size means nothing; netinit puts the upper on a `cow` partition "
				    "(rd.live.overlay.persistent) or on rd.overlay=<device>[:<path>]" },
};

static int p_refused(struct boot_plan *p, const char *key, const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (strcmp(refusals[i].key, key) == 0)
			break;
	if (starts(key, "rd.kiwi.install."))
		p->root_given = true; /* it names the root: no second "no root=" error */
	plan_error(p, "%s%s%s: %s", key, v ? "=" : "", v ? v : "",
		   i < sizeof(refusals) / sizeof(refusals[0]) ? refusals[i].why : "not supported by netinit");
	return -EINVAL;
}

static const struct param {
	const char *key;
	param_fn fn;
} params[] = {
	{ "root", p_root },
	{ "rootfstype", p_rootfstype },
	{ "rootflags", p_rootflags },
	{ "ro", p_ro },
	{ "rw", p_rw },
	{ "init", p_init },
	{ "rd.retry", p_retry },
	{ "rd.timeout", p_timeout },
	{ "rd.shell", p_shell },
	{ "rd.break", p_break },
	{ "panic", p_panic },
	{ "rd.emergency", p_emergency },
	{ "rd.driver.blacklist", p_drv_blacklist },
	{ "modprobe.blacklist", p_drv_blacklist },
	{ "rd.driver.pre", p_drv_pre },
	{ "rd.driver.post", p_drv_post },
	{ "quiet", p_quiet },
	{ "rd.info", p_info },
	{ "rd.debug", p_debug },
	{ "rd.live.image", p_live_image },
	{ "rd.live.dir", p_live_dir },
	{ "rd.live.squashimg", p_live_squashimg },
	{ "rd.live.overlay.size", p_overlay_size },
	{ "rd.root.overlay.size", p_overlay_size },
	{ "rd.overlay", p_rd_overlay },
	{ "rd.live.overlay", p_rd_overlay },
	{ "rd.live.overlay.overlayfs", p_accept },
	{ "rd.live.overlay.nouserconfirmprompt", p_accept },
	{ "rd.root.overlay.temporary", p_overlay_temporary },
	{ "rd.root.overlay.write", p_overlay_write },
	{ "netroot", p_netroot },
	{ "rd.root.overlay.readonly", p_root_overlay_readonly },
	{ "rd.live.ram", p_live_ram },
	{ "rd.noverifyssl", p_noverifyssl },
	{ "proxy", p_proxy },
	{ "rd.kiwi.live.curl_options", p_curl_options },
	{ "rd.live.sha256", p_sha256 },
	{ "rd.live.mirror", p_mirror },
	{ "rd.live.start-delay", p_start_delay },
	{ "rd.live.torrent.seed", p_torrent_seed },
	{ "rd.live.checksum", p_checksum },
	{ "rd.minmem", p_minmem },
	{ "ramdisk_size", p_ramdisk_size },
	{ "rd.kiwi.live.system", p_kiwi_system },
	{ "rd.kiwi.live.reset", p_kiwi_reset },
	{ "rd.live.overlay.persistent", p_overlay_persistent },
	{ "rd.live.overlay.cowfs", p_cowfs },
	{ "rd.live.overlay.readonly", p_overlay_readonly },
	{ "rd.overlay.readonly", p_overlay_readonly },
	{ "rd.live.overlay.reset", p_overlay_reset },
	{ "rd.overlay.reset", p_overlay_reset },
	/* recognised parameters whose features have not landed yet: refusing them is
	 * better than silently booting something other than what was asked for */
	{ "rd.live.check", p_refused },
	{ "rd.writable.fsimg", p_refused },
	{ "rd.kiwi.live.dolly_options", p_dolly_options },
	{ "rd.live.encrypt", p_refused },
	{ "rd.live.cowfile.path", p_refused },
	{ "rd.live.cowfile.mbsize", p_refused },
	{ "rd.kiwi.install.pxe", p_refused },
	{ "rd.kiwi.install.image", p_refused },
	{ "bootc.live.erofs", p_bootc_erofs },
	{ "bootc.zram", p_bootc_zram },
	{ "bootc.kexec", p_bootc_kexec },
	{ "bootc.kexec.reuse-image", p_bootc_kexec_reuse },
	{ "bootclabel", p_bootclabel },
	{ "bootc.registry.unsecure", p_bootc_unsecure },
	{ "bootc.registry.mirror", p_bootc_mirror },
	{ "bootc.live.etc.rw", p_bootc_etc_rw },
	{ "bootc.live.var.rw", p_bootc_var_rw },
};

const char *plan_param_key(size_t i)
{
	return i < sizeof(params) / sizeof(params[0]) ? params[i].key : NULL;
}

/* "<module>.<param>=<value>": a module name, a dot, a parameter name. */
static bool is_modparam(const char *key, const char *v)
{
	const char *dot = strchr(key, '.');
	const char *s;

	if (!v || !dot || dot == key || !dot[1])
		return false;
	/* keys with a dot that belong to the booted system (udev, systemd, its tools), not to a
	 * module netinit loads: net.ifnames=, net.naming-scheme=, udev.log_level=, ... */
	static const char *const booted[] = { "rd.", "bootc.", "systemd.", "netinit.", "net.", "udev.",
					      "vconsole.", "locale.", "luks.", "plymouth.", "fsck.", "mount.",
					      "modprobe.", "root.", "rootflags.", "resume.", "selinux.", "kiwi." };
	size_t i;

	for (i = 0; i < sizeof(booted) / sizeof(booted[0]); i++)
		if (starts(key, booted[i]))
			return false;
	for (s = key; s < dot; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static const char *const root_kind_names[] = {
	[ROOT_NONE] = "none",         [ROOT_BLOCK] = "block",         [ROOT_LIVE_FILE] = "live-file",
	[ROOT_LIVE_DEV] = "live-dev", [ROOT_LIVE_URL] = "live-url",   [ROOT_OVERLAY_DEV] = "overlay-dev",
	[ROOT_NBD] = "nbd",           [ROOT_AOE] = "aoe",             [ROOT_BOOTC] = "bootc",
};

const char *plan_root_kind_name(enum root_kind k)
{
	return k < sizeof(root_kind_names) / sizeof(root_kind_names[0]) ? root_kind_names[k] : "?";
}

const char *plan_break_name(enum break_point b)
{
	static const char *const names[] = { "none", "cmdline", "pre-udev", "initqueue", "pre-mount", "mount",
					     "pre-pivot" };

	return b < sizeof(names) / sizeof(names[0]) ? names[b] : "?";
}

static void plan_defaults(struct boot_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->retry_s = 180;
	p->verbosity = 1;
	strcpy(p->live_dir, "LiveOS");
	strcpy(p->live_squashimg, "squashfs.img");
	strcpy(p->overlay_size, PLAN_OVERLAY_SIZE_DEFAULT);
	strcpy(p->cowfs, "ext4");
	p->overlay = OVERLAY_TMPFS;
	net_plan_init(&p->net);
	fetch_opts_init(&p->fetch);
	p->bootc_kexec_reuse = true;
	p->minmem_mib = PLAN_MINMEM_DEFAULT_MIB;
	p->bootc_etc_rw = true;
	p->bootc_var_rw = true;
}

/* The root itself needs the network (a deployment to a disk decides at boot: blockdev/deploy.h). */
static bool root_needs_net(const struct boot_plan *p)
{
	return (p->root_kind == ROOT_LIVE_URL && !p->kiwi_system[0]) || p->root_kind == ROOT_NBD ||
	       p->root_kind == ROOT_AOE || (p->root_kind == ROOT_BOOTC && strstr(p->root_src, "://"));
}

/* The suffixes a download decompresses by (fetch/sink.c sink_codec_for_url; that module
 * links the codecs, the plan does not). */
static bool compressed_name(const char *s)
{
	size_t n = strlen(s);

	return (n > 3 && (!strcasecmp(s + n - 3, ".xz") || !strcasecmp(s + n - 3, ".gz"))) ||
	       (n > 4 && !strcasecmp(s + n - 4, ".zst"));
}

/* Cross-parameter rules, after every parameter was seen. */
static void plan_finish(struct boot_plan *p)
{
	if (p->live_image && (p->root_kind == ROOT_BLOCK))
		p->root_kind = ROOT_LIVE_DEV;
	switch (p->root_kind) {
	case ROOT_NONE:
		if (p->root_given)
			break; /* a malformed root= already said what is wrong with it */
		plan_error(p, "root: no root= on the command line; expected e.g. root=live:http://server/image.squashfs "
			   "or root=/dev/vda");
		break;
	case ROOT_LIVE_URL: {
		char err[PLAN_STR], meta[PLAN_URL];

		p->torrent = !p->live_dolly && torrent_is_url(p->root_src);
		if (p->live_dolly) {
			/* no URL to check: it names the image in messages and picks the decompressor */
			snprintf(p->fetch.url, sizeof(p->fetch.url), "%s", p->root_src);
			if (p->fetch.sum.is_auto)
				plan_error(p, "rd.live.sha256=auto: a dolly chain has no <URL>.sha256 beside the image; "
					   "give the digest (rd.live.sha256=<64 hex digits>)");
			if (p->fetch.nmirrors)
				plan_error(p, "rd.live.mirror=%s: mirrors are other HTTP sources of the same URL; "
					   "root=live:dolly: has none (the server decides the stream)", p->fetch.mirrors[0]);
		} else if (p->torrent && torrent_meta_url(p->root_src, meta, sizeof(meta)) < 0) {
			plan_error(p, "root=%s: expected torrent://<host>/<path>.torrent or torrent+https://<host>/<path>.torrent",
				   p->root_arg);
		} else if (fetch_set_url(&p->fetch, p->torrent ? meta : p->root_src, err, sizeof(err)) < 0) {
			plan_error(p, "root=%s: %s", p->root_arg, err);
		}
		break;
	}
	case ROOT_BOOTC: {
		char err[PLAN_STR];

		if (p->torrent_seed_s || p->torrent_seed_pct)
			plan_error(p, "rd.live.torrent.seed: bootc-live unpacks the archive and frees it as it goes; "
				   "nothing is left to seed after boot (it seeds with root=live:torrent://)");

		if (starts(p->root_src, "docker://")) {
			if (!p->root_src[9])
				plan_error(p, "root=%s: expected docker://[registry/]repository[:tag|@sha256:<digest>]",
					   p->root_arg);
		} else if (torrent_is_url(p->root_src)) {
			/* as root=live:torrent://: the metainfo's URL; the archive comes in pieces */
			char meta[PLAN_URL], name[PLAN_URL];
			size_t n;

			p->torrent = true;
			snprintf(name, sizeof(name), "%s", p->root_src);
			n = strlen(name);
			if (n > 8 && !strcasecmp(name + n - 8, ".torrent"))
				name[n - 8] = '\0';
			if (torrent_meta_url(p->root_src, meta, sizeof(meta)) < 0)
				plan_error(p, "root=%s: expected torrent://<host>/<path>.torrent or "
					   "torrent+https://<host>/<path>.torrent", p->root_arg);
			else if (compressed_name(name))
				plan_error(p, "root=%s: an archive by BitTorrent is not decompressed on the way (its pieces "
					   "arrive out of order); make the torrent of the uncompressed oci-archive", p->root_arg);
			else if (fetch_set_url(&p->fetch, meta, err, sizeof(err)) < 0)
				plan_error(p, "root=%s: %s", p->root_arg, err);
		} else if (is_url(p->root_src) && !starts(p->root_src, "file://")) {
			if (fetch_set_url(&p->fetch, p->root_src, err, sizeof(err)) < 0)
				plan_error(p, "root=%s: %s", p->root_arg, err);
		} else if (p->root_src[0] != '/') {
			plan_error(p, "root=%s: expected bootc-live:/path/in/initramfs.oci, bootc-live:<http|https|ftp|tftp URL> "
				   "or bootc-live:docker://[registry/]repository[:tag|@sha256:<digest>]", p->root_arg);
		}
		break;
	}
	default:
		break;
	}
	/* the cross-checks against root= only mean something when root= itself was understood */
	if (p->root_kind != ROOT_NONE && p->kiwi_system[0] && p->root_kind != ROOT_LIVE_URL)
		plan_error(p, "rd.kiwi.live.system=%s: expected together with root=live:<URL> (the image to deploy)",
			   p->kiwi_system);
	if (p->root_kind != ROOT_NONE && p->overlay_persistent && !p->kiwi_system[0] && p->root_kind != ROOT_LIVE_DEV)
		plan_error(p, "rd.live.overlay.persistent: expected rd.kiwi.live.system=<disk> or root=live:<disk> "
			   "(the cow partition goes on the disk that holds the image)");
	if (p->root_kind != ROOT_NONE && p->dolly_options_given && !p->live_dolly)
		plan_error(p, "rd.kiwi.live.dolly_options: expected together with root=live:dolly: (KIWI itself "
			   "never applies it to dolly: roots, and for other URLs runs 'dolly <options> -f <URL>', "
			   "which fails)");
	if (p->overlay_persistent && p->overlay_dev[0])
		plan_error(p, "rd.live.overlay.persistent and rd.overlay=%s: expected one persistent overlay, not both",
			   p->overlay_dev);
	p->fetch.retry_deadline_s = p->retry_s;
	/* bond=: netinit creates the bonds itself, with their options; the module's own bond0 would
	 * be a balance-rr bond nobody asked for (one it made anyway is reconfigured: net/net.c) */
	if (p->net.n_bond && p->nmodparams < PLAN_MAX_MODPARAMS)
		snprintf(p->modparams[p->nmodparams++], PLAN_STR, "bonding.max_bonds=0");
	if (p->ramdisk_kib && p->nmodparams < PLAN_MAX_MODPARAMS)
		snprintf(p->modparams[p->nmodparams++], PLAN_STR, "brd.rd_size=%lu", p->ramdisk_kib);
	/* a deployment to a disk decides at boot whether it needs the network (blockdev/deploy.h) */
	p->net_required = p->net.neednet; /* rd.neednet=1 */
	if (root_needs_net(p)) {
		net_plan_require(&p->net);
		p->net_required = true;
	}
	{
		char err[PLAN_STR];

		if (net_plan_finish(&p->net, err, sizeof(err)) < 0)
			plan_error(p, "%s", err);
	}
}

int plan_build(const struct cmdline *c, struct boot_plan *p)
{
	size_t i, j;

	plan_defaults(p);
	for (i = 0; i < c->n; i++) {
		const char *key = c->v[i].key, *v = c->v[i].value;
		char err[PLAN_STR];
		int rc;

		p->kairos_flags |= kairos_param_flags(key, v);	/* what Kairos's tools read: any parameter */
		for (j = 0; j < sizeof(params) / sizeof(params[0]); j++) {
			if (strcmp(key, params[j].key) == 0) {
				params[j].fn(p, key, v);
				break;
			}
		}
		if (j < sizeof(params) / sizeof(params[0]))
			continue;
		rc = net_plan_arg(&p->net, key, v, err, sizeof(err));
		if (rc < 0)
			plan_error(p, "%s", err);
		if (rc != 0)
			continue;
		if (is_modparam(key, v)) {
			if (p->nmodparams < PLAN_MAX_MODPARAMS &&
			    snprintf(p->modparams[p->nmodparams], PLAN_STR, "%s=%s", key, v) < PLAN_STR)
				p->nmodparams++;
			else
				plan_error(p, "%s=%s: module parameter too long or too many (at most %d of %d characters)",
					   key, v, PLAN_MAX_MODPARAMS, PLAN_STR - 1);
			continue;
		}
		/* anything else belongs to the booted system */
	}
	plan_finish(p);
	return p->nerrors ? -EINVAL : 0;
}

/* ---- printing ----------------------------------------------------------- */

/* The plan as one JSON object (cJSON), for `init --plan --json`. */
static cJSON *json_strings(const char *const *v, size_t n, size_t stride)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString((const char *)v + i * stride));
	return a;
}

#define JSON_ARRAY(v, n) json_strings((const char *const *)(const void *)(v), (n), sizeof((v)[0]))

/* net_plan_print()'s JSON object, as a cJSON item (NULL if it does not parse). */
static cJSON *net_json(const struct net_plan *np)
{
	char *buf = NULL;
	size_t len = 0;
	cJSON *j = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	net_plan_print(np, f, true);
	if (fclose(f) == 0)
		j = cJSON_ParseWithLength(buf, len);
	free(buf);
	return j;
}

static cJSON *plan_json(const struct boot_plan *p)
{
	static const char *const verb[] = { "quiet", "normal", "info", "debug" };
	static const char *const emerg[] = { "default", "reboot", "poweroff", "halt" };
	char hex[CHECKSUM_SHA256_HEX + 1] = "";
	cJSON *j = cJSON_CreateObject(), *o, *a, *m;
	size_t i;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "root_kind", plan_root_kind_name(p->root_kind));
	cJSON_AddStringToObject(j, "root", p->root_arg);
	cJSON_AddStringToObject(j, "root_source", p->root_src);
	cJSON_AddStringToObject(j, "rootfstype", p->rootfstype);
	cJSON_AddStringToObject(j, "rootflags", p->rootflags);
	cJSON_AddBoolToObject(j, "rw", p->rw);
	cJSON_AddStringToObject(j, "init", p->init);
	cJSON_AddNumberToObject(j, "retry_s", p->retry_s);
	cJSON_AddNumberToObject(j, "timeout_s", p->timeout_s);
	cJSON_AddBoolToObject(j, "shell", p->shell);
	cJSON_AddStringToObject(j, "break", plan_break_name(p->brk));
	cJSON_AddNumberToObject(j, "panic_s", p->panic_s);
	cJSON_AddBoolToObject(j, "network_required", p->net_required);
	cJSON_AddStringToObject(j, "emergency", emerg[p->emergency & 3]);
	cJSON_AddItemToObject(j, "driver_blacklist", JSON_ARRAY(p->drv_blacklist, p->ndrv_blacklist));
	cJSON_AddItemToObject(j, "driver_pre", JSON_ARRAY(p->drv_pre, p->ndrv_pre));
	cJSON_AddItemToObject(j, "driver_post", JSON_ARRAY(p->drv_post, p->ndrv_post));
	cJSON_AddStringToObject(j, "verbosity", verb[p->verbosity & 3]);
	cJSON_AddItemToObject(j, "network", net_json(&p->net));
	cJSON_AddStringToObject(j, "live_dir", p->live_dir);
	cJSON_AddStringToObject(j, "live_squashimg", p->live_squashimg);
	cJSON_AddStringToObject(j, "overlay", p->overlay == OVERLAY_NONE ? "none" : "tmpfs");
	cJSON_AddStringToObject(j, "overlay_size", p->overlay_size);

	o = cJSON_AddObjectToObject(j, "deploy");
	cJSON_AddStringToObject(o, "disk", p->kiwi_system);
	cJSON_AddBoolToObject(o, "reset", p->kiwi_reset);
	cJSON_AddBoolToObject(o, "persistent", p->overlay_persistent);
	cJSON_AddStringToObject(o, "cowfs", p->cowfs);
	cJSON_AddStringToObject(o, "overlay_device", p->overlay_dev);
	cJSON_AddStringToObject(o, "overlay_path", p->overlay_path);
	cJSON_AddBoolToObject(o, "overlay_readonly", p->overlay_readonly);
	cJSON_AddBoolToObject(o, "overlay_reset", p->overlay_reset);

	if (p->fetch.sum.set && !p->fetch.sum.is_auto)
		checksum_hex_encode(p->fetch.sum.sha256, hex);
	o = cJSON_AddObjectToObject(j, "fetch");
	cJSON_AddStringToObject(o, "url", p->fetch.url);
	cJSON_AddStringToObject(o, "transport", p->root_kind != ROOT_LIVE_URL ? "" : p->live_dolly ? "dolly" :
				p->torrent ? "torrent" : "url");
	if (p->live_dolly) {
		cJSON *d = cJSON_AddObjectToObject(o, "dolly");

		cJSON_AddBoolToObject(d, "password", p->dolly.password_set);
		cJSON_AddNumberToObject(d, "timeout_s", p->dolly.timeout_s ? p->dolly.timeout_s : p->fetch.retry_deadline_s);
		cJSON_AddNumberToObject(d, "retries", p->dolly.retries ? p->dolly.retries : DOLLY_RETRIES_DEFAULT);
		cJSON_AddBoolToObject(d, "hyphen_normal", p->dolly.hyphen_normal);
	}
	cJSON_AddBoolToObject(o, "verify_tls", !p->fetch.insecure);
	cJSON_AddStringToObject(o, "sha256", p->fetch.sum.is_auto ? "auto" : hex);
	cJSON_AddStringToObject(o, "proxy", p->fetch.proxy);
	cJSON_AddItemToObject(o, "mirrors", JSON_ARRAY(p->fetch.mirrors, p->fetch.nmirrors));
	cJSON_AddNumberToObject(o, "start_delay_s", p->fetch.start_delay_ms / 1000);
	if (p->torrent) {
		cJSON *t = cJSON_AddObjectToObject(o, "torrent_seed");

		cJSON_AddNumberToObject(t, "seconds", p->torrent_seed_s);
		cJSON_AddNumberToObject(t, "ratio_pct", p->torrent_seed_pct);
	}
	cJSON_AddNumberToObject(o, "retry_s", p->fetch.retry_deadline_s);
	cJSON_AddNumberToObject(o, "minmem_mib", p->minmem_mib);
	cJSON_AddNumberToObject(o, "ramdisk_kib", (double)p->ramdisk_kib);
	cJSON_AddBoolToObject(o, "live_ram", p->live_ram);

	o = cJSON_AddObjectToObject(j, "bootc");
	cJSON_AddStringToObject(o, "label", p->bootc_label[0] ? p->bootc_label : "latest");
	cJSON_AddStringToObject(o, "zram", p->bootc_zram);
	cJSON_AddBoolToObject(o, "rw", p->bootc_rw);
	cJSON_AddBoolToObject(o, "etc_rw", p->bootc_etc_rw);
	cJSON_AddBoolToObject(o, "var_rw", p->bootc_var_rw);
	cJSON_AddBoolToObject(o, "erofs", p->bootc_erofs);
	cJSON_AddBoolToObject(o, "kexec", p->bootc_kexec);
	cJSON_AddBoolToObject(o, "kexec_reuse_image", p->bootc_kexec_reuse);
	cJSON_AddBoolToObject(o, "registry_unsecure", p->bootc_unsecure);
	a = cJSON_AddArrayToObject(o, "registry_mirrors");
	for (i = 0; a && i < p->bootc_mirrors.n; i++) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "upstream", p->bootc_mirrors.m[i].upstream);
		cJSON_AddStringToObject(m, "mirror", p->bootc_mirrors.m[i].host);
		cJSON_AddBoolToObject(m, "insecure", p->bootc_mirrors.m[i].insecure);
		cJSON_AddBoolToObject(m, "resolve_tags", p->bootc_mirrors.m[i].resolve_tags);
		cJSON_AddItemToArray(a, m);
	}
	o = cJSON_AddObjectToObject(j, "kairos");
	cJSON_AddBoolToObject(o, "cmdline", (p->kairos_flags & KAIROS_OPTIN) != 0);
	cJSON_AddStringToObject(o, "state", kairos_state_name(p->kairos_flags));
	cJSON_AddItemToObject(j, "module_params", JSON_ARRAY(p->modparams, p->nmodparams));
	cJSON_AddItemToObject(j, "errors", JSON_ARRAY(p->errors, p->nerrors));
	return j;
}

/* The text form, for people: what the boot will do, in its order. */
static void plan_text(const struct boot_plan *p, FILE *out)
{
	static const char *const verb[] = { "quiet", "normal", "info", "debug" };
	size_t i;

	fprintf(out, "boot plan:\n");
	fprintf(out, "  root: %s (%s)%s%s\n", p->root_arg[0] ? p->root_arg : "(none)", plan_root_kind_name(p->root_kind),
		p->root_src[0] ? " source " : "", p->root_src);
	if (p->rootfstype[0] || p->rootflags[0])
		fprintf(out, "  rootfstype: %s  rootflags: %s\n", p->rootfstype[0] ? p->rootfstype : "(detect)",
			p->rootflags[0] ? p->rootflags : "(none)");
	if (p->root_kind == ROOT_BOOTC) {
		/* what init/bootc.c assemble() mounts: an EROFS root is read-only whatever rw says and
		 * gets the /etc, /var overlays; a rw bind root is writable as a whole and gets none
		 * (bootc.live.*.rw=0 cannot make them read-only); a ro bind root gets the overlays */
		const char *src = !strncmp(p->root_src, "docker://", 9) ? "registry pull" : p->root_src[0] == '/' ?
				  "oci-archive in the initramfs" : "oci-archive download";

		if (p->bootc_rw && !p->bootc_erofs)
			fprintf(out, "  bootc-live: %s, root read-write (rw; ro ignored), /etc and /var writable with it "
				"(no overlays%s)\n", src, !p->bootc_etc_rw || !p->bootc_var_rw ?
				"; bootc.live.etc.rw=0 / bootc.live.var.rw=0 have no effect on a read-write root" : "");
		else
			fprintf(out, "  bootc-live: %s, root read-only%s, /etc %s, /var %s\n", src,
				p->bootc_erofs ? (p->bootc_rw ? " (EROFS image; rw has no effect)" : " (EROFS image)") :
				" (ro ignored; rw makes it writable)",
				p->bootc_etc_rw ? "writable (tmpfs overlay)" : "read-only",
				p->bootc_var_rw ? "writable (tmpfs overlay)" : "read-only");
		if (strncmp(p->root_src, "docker://", 9))
			fprintf(out, "    image in the archive: bootclabel=%s\n", p->bootc_label[0] ? p->bootc_label : "latest");
		if (p->torrent)
			fprintf(out, "    BitTorrent: the archive from %s (metainfo), its pieces from the trackers' peers "
				"and web seeds, each SHA-1-checked, served to peers while downloading; no seeding after "
				"boot (the archive is consumed while it is unpacked)\n", p->fetch.url);
		if (!strncmp(p->root_src, "docker://", 9)) {
			for (i = 0; i < p->bootc_mirrors.n; i++) {
				char d[600];

				oci_mirror_describe(&p->bootc_mirrors.m[i], d, sizeof(d));
				fprintf(out, "    registry mirror %zu for %s: %s (%s)\n", i + 1, p->bootc_mirrors.m[i].upstream, d,
					p->bootc_mirrors.m[i].resolve_tags ? "content and tags" : "content by digest only");
			}
			fprintf(out, "    %s%s, then the registry itself\n", p->bootc_mirrors.n ? "then the mirrors of " :
				"registry mirrors: those of ", OCI_MIRRORS_FILE " at boot, if any");
		}
		if (p->bootc_erofs && p->bootc_kexec)
			fprintf(out, "    bootc.live.erofs: for the kexec'd stage (it stays on the next command line)\n");
		else if (p->bootc_erofs)
			fprintf(out, "    then written as an EROFS image (null UUID, timestamps at the epoch) and mounted "
				"read-only from it (bootc.live.erofs; rw has no effect)\n");
		if (p->bootc_zram[0])
			fprintf(out, "    unpacked into an ext4 on /dev/zram0 of %s (bootc.zram)\n", p->bootc_zram);
		if (p->bootc_kexec && p->bootc_kexec_reuse)
			fprintf(out, "    then kexec the image's kernel with a new initramfs: the %s as /root.oci (newc cpio) followed "
				"by the image's initramfs.img; command line without bootc.kexec*, root= and netroot=, plus "
				"bootc.kexec.reuse-image=0 root=bootc-live:/root.oci%s (no second download; "
				"bootc.kexec.reuse-image=0 fetches again instead)\n",
				!strncmp(p->root_src, "docker://", 9) ? "pulled image kept as an oci-archive" :
				"oci-archive kept (not consumed while unpacking)",
				!strncmp(p->root_src, "docker://", 9) ? " bootclabel=<tag>" : "");
		else if (p->bootc_kexec)
			fprintf(out, "    then kexec the image's kernel and initramfs (bootc.kexec, bootc.kexec.reuse-image=0: the "
				"archive is not kept, the next initramfs fetches the image again), command line without "
				"bootc.kexec*\n");
		if (p->bootc_unsecure)
			fprintf(out, "    registry: TLS verification OFF, plain HTTP allowed (bootc.registry.unsecure)\n");
	} else
		fprintf(out, "  mount: %s\n", p->rw ? "read-write" : "read-only");
	if (p->root_kind == ROOT_LIVE_FILE || p->root_kind == ROOT_LIVE_DEV || p->root_kind == ROOT_LIVE_URL ||
	    p->root_kind == ROOT_OVERLAY_DEV || p->root_kind == ROOT_NBD || p->root_kind == ROOT_AOE) {
		bool live = p->root_kind == ROOT_LIVE_FILE || p->root_kind == ROOT_LIVE_DEV ||
			    p->root_kind == ROOT_LIVE_URL || p->aoe_live;

		if (live)
			fprintf(out, "  live image: an ISO's /%s/%s, or the image itself; then LiveOS/rootfs.img if present\n",
				p->live_dir, p->live_squashimg);
		if (p->root_kind == ROOT_NBD) {
			char d[300];

			nbd_spec_describe(&p->nbd, d, sizeof(d));
			fprintf(out, "  nbd: %s (%s form%s)\n", d, p->nbd.form == NBD_FORM_KIWI ? "KIWI" : "dracut",
				p->nbd.persist ? ", reconnect supervisor" : "");
		}
		if (p->root_kind == ROOT_NBD && p->nbd.form == NBD_FORM_DRACUT)
			fprintf(out, "  overlay: none (the export is the root)\n");
		else if (p->overlay == OVERLAY_NONE)
			fprintf(out, "  overlay: none (read-only root)\n");
		else if (p->overlay_persistent || p->overlay_dev[0]) {
			if (p->overlay_dev[0])
				fprintf(out, "  overlay: persistent upper on %s, path %s", p->overlay_dev,
					p->overlay_path[0] ? p->overlay_path : "auto");
			else
				fprintf(out, "  overlay: persistent upper on the cow partition (%s, created once)", p->cowfs);
			fprintf(out, "%s%s\n", p->overlay_readonly ? ", read-only under a tmpfs" : "",
				p->overlay_reset ? ", emptied at boot" : "");
		}
		else if (p->overlay_write[0] && !p->overlay_temporary)
			fprintf(out, "  overlay: persistent upper on %s\n", p->overlay_write);
		else
			fprintf(out, "  overlay: tmpfs upper, size %s\n", p->overlay_size);
	}
	if (p->root_kind == ROOT_LIVE_URL) {
		char hex[CHECKSUM_SHA256_HEX + 1] = "none";

		if (p->fetch.sum.is_auto)
			strcpy(hex, "auto (<URL>.sha256)");
		else if (p->fetch.sum.set)
			checksum_hex_encode(p->fetch.sum.sha256, hex);
		if (p->live_dolly)
			fprintf(out, "  transport: dolly chain (KIWI): wait on TCP %u/%u for the server or the previous host, "
				"find this machine in its host list, forward the stream to the next host while writing "
				"it; password challenge %s; give up after %u s without progress%s\n", DOLLY_CTRL_PORT,
				DOLLY_DATA_PORT, p->dolly.password_set ? "on (-P)" : "off",
				p->dolly.timeout_s ? p->dolly.timeout_s : p->fetch.retry_deadline_s,
				p->dolly.timeout_s ? " (-a)" : " (rd.retry)");
		if (p->kiwi_system[0])
			fprintf(out, "  download: %s\n    onto the disk %s (rd.kiwi.live.system)%s; the network only when "
				"the disk does not hold this image yet\n", p->fetch.url, p->kiwi_system,
				p->kiwi_reset ? ", replacing what it holds (rd.kiwi.live.reset)" : "");
		else
			fprintf(out, "  download: %s\n    into %s, keep %u MiB RAM free (rd.minmem)\n", p->fetch.url,
				p->ramdisk_kib ? "/dev/ram0 (ramdisk_size)" : "RAM (a tmpfs file)", p->minmem_mib);
		if (p->torrent) {
			fprintf(out, "    BitTorrent: that is the metainfo; the image's pieces from its trackers' peers and "
				"web seeds (url-list), each SHA-1-checked, written at their offsets; pieces served to "
				"peers while downloading\n");
			if (p->torrent_seed_s || p->torrent_seed_pct) {
				char lim[80] = "";

				if (p->torrent_seed_s)
					snprintf(lim, sizeof(lim), "%u s", p->torrent_seed_s);
				if (p->torrent_seed_pct)
					snprintf(lim + strlen(lim), sizeof(lim) - strlen(lim), "%sratio %u.%02u",
						 p->torrent_seed_s ? " or " : "", p->torrent_seed_pct / 100,
						 p->torrent_seed_pct % 100);
				fprintf(out, "    seeding after switch_root: process netinit-seed serves the verified image "
					"(read-only) for %s, whichever first, or until the booted system's shutdown "
					"(SIGTERM); then `stopped` to the trackers (rd.live.torrent.seed)\n", lim);
			} else {
				fprintf(out, "    no seeding once the image is complete, as dracut (rd.live.torrent.seed=0)\n");
			}
		}
		for (unsigned m = 0; m < p->fetch.nmirrors; m++)
			fprintf(out, "    mirror %u: %s (rd.live.mirror)\n", m + 1, p->fetch.mirrors[m]);
		if (p->fetch.start_delay_ms)
			fprintf(out, "    first request after a random 0-%u s, per machine (rd.live.start-delay)\n",
				p->fetch.start_delay_ms / 1000);
		if (p->live_dolly)
			fprintf(out, "    sha256 %s\n", hex);
		else
			fprintf(out, "    TLS verification %s, sha256 %s%s%s, give up after %u s\n",
			p->fetch.insecure ? "OFF" : "on", hex, p->fetch.proxy[0] ? ", proxy " : "", p->fetch.proxy,
			p->fetch.retry_deadline_s);
	}
	fprintf(out, "  init: %s\n", p->init[0] ? p->init : "/sbin/init, /etc/init, /bin/init, /bin/sh");
	fprintf(out, "  wait: rd.retry=%u s", p->retry_s);
	if (p->timeout_s)
		fprintf(out, "; rd.timeout=%u s accepted, not used (every wait is bounded by rd.retry or rd.net.timeout.*)",
			p->timeout_s);
	fputc('\n', out);
	fprintf(out, "  on failure: %s, then %s\n", p->shell ? "shell (rd.shell)" : "no shell",
		p->emergency == EMERGENCY_POWEROFF ? "power off (rd.emergency=poweroff)" :
		p->emergency == EMERGENCY_HALT ? "halt (rd.emergency=halt)" :
		p->emergency == EMERGENCY_REBOOT ? (p->panic_s > 0 ? "reboot after panic= seconds (rd.emergency=reboot)" :
						   "reboot at once (rd.emergency=reboot)") :
		p->panic_s < 0 ? "reboot at once" :
		p->panic_s > 0 ? "reboot after panic= seconds" : "halt");
	for (i = 0; i < p->ndrv_blacklist; i++)
		fprintf(out, "  module blacklisted: %s (not loaded for a device or an alias)\n", p->drv_blacklist[i]);
	for (i = 0; i < p->ndrv_pre; i++)
		fprintf(out, "  module before coldplug: %s (rd.driver.pre)\n", p->drv_pre[i]);
	for (i = 0; i < p->ndrv_post; i++)
		fprintf(out, "  module after coldplug: %s (rd.driver.post)\n", p->drv_post[i]);
	if (p->brk != BREAK_NONE)
		fprintf(out, "  break: %s (rd.break)\n", plan_break_name(p->brk));
	net_plan_print(&p->net, out, false);
	if (net_plan_wanted(&p->net))
		fprintf(out, "  network failure: %s\n", p->net_required ?
			(root_needs_net(p) ? "fatal (the root needs the network)" : "fatal (rd.neednet=1)") :
			p->kiwi_system[0] ? "a warning, the boot goes on (the network is brought up again if the image "
					    "must be downloaded onto the disk)" :
			"a warning, the boot goes on (the root does not need it; rd.neednet=1 makes it fatal)");
	if (p->kairos_flags & KAIROS_OPTIN)
		fprintf(out, "  kairos: live mode (netboot, rd.cos.*, rd.immucore.*): /run/cos/%s, then the image's rootfs "
			"and initramfs stages (its kairos-agent or elemental run-stage, chrooted) before switch_root\n",
			kairos_state_name(p->kairos_flags));
	fprintf(out, "  verbosity: %s\n", verb[p->verbosity & 3]);
	/* mkfs.<fs> is not in the default initramfs: with it the image outgrows 4 MiB (docs/cmdline.md) */
	if (p->overlay_persistent)
		fprintf(out, "  needs mkfs.%s: rd.live.overlay.persistent%s%s creates the cow partition with it; not in the "
			"default initramfs (it would outgrow 4 MiB): build with make initramfs MKFS=%s\n", p->cowfs,
			strcmp(p->cowfs, "ext4") ? " with rd.live.overlay.cowfs=" : " (rd.live.overlay.cowfs default ext4)",
			strcmp(p->cowfs, "ext4") ? p->cowfs : "", p->cowfs);
	if (p->root_kind == ROOT_BOOTC && p->bootc_zram[0])
		fprintf(out, "  needs mkfs.ext4: bootc.zram=%s formats /dev/zram0 with it; not in the default initramfs (it "
			"would outgrow 4 MiB): build with make initramfs MKFS=ext4\n", p->bootc_zram);
	for (i = 0; i < p->nmodparams; i++)
		fprintf(out, "  module parameter: %s\n", p->modparams[i]);
	for (i = 0; i < p->nerrors; i++)
		fprintf(out, "  error: %s\n", p->errors[i]);
}

void plan_print(const struct boot_plan *p, FILE *out, bool json)
{
	cJSON *j;
	char *text;

	if (!json) {
		plan_text(p, out);
		return;
	}
	j = plan_json(p);
	text = j ? cJSON_PrintUnformatted(j) : NULL;
	fprintf(out, "%s\n", text ? text : "{\"errors\": [\"out of memory printing the plan\"]}");
	cJSON_free(text);
	cJSON_Delete(j);
}

/* ---- what the modules stage loads ---------------------------------------------------- */

unsigned plan_coldplug_classes(const struct boot_plan *p)
{
	unsigned c = KMOD_CLASS_OTHER;
	bool storage, net;

	switch (p->root_kind) {
	case ROOT_LIVE_URL:
	case ROOT_NBD:
	case ROOT_AOE:
	case ROOT_BOOTC:
		storage = false;
		break;
	default:	/* a local device, a file in the initramfs (with maybe a local overlay), or no root= */
		storage = p->root_kind != ROOT_LIVE_FILE;
		break;
	}
	if (p->overlay_write[0] || p->overlay_dev[0] || p->kiwi_system[0] || p->overlay_persistent)
		storage = true;
	net = net_plan_wanted(&p->net) || p->net_required || p->kiwi_system[0] ||
	      p->root_kind == ROOT_LIVE_URL || p->root_kind == ROOT_NBD || p->root_kind == ROOT_AOE ||
	      p->root_kind == ROOT_BOOTC || p->root_kind == ROOT_NONE;
	if (storage)
		c |= KMOD_CLASS_STORAGE;
	if (net)
		c |= KMOD_CLASS_NET;
	return c;
}

size_t plan_boot_modules(const struct boot_plan *p, const char **names, size_t max)
{
	size_t n = 0;
	bool no_overlay = p->root_kind == ROOT_BLOCK || p->root_kind == ROOT_NONE || p->overlay == OVERLAY_NONE;
#define ADD(x) do { if (n < max) names[n++] = (x); } while (0)
	switch (p->root_kind) {
	case ROOT_LIVE_URL:
		if (p->ramdisk_kib)
			ADD("brd");
		else if (!p->kiwi_system[0])
			ADD("loop");
		ADD("squashfs");
		break;
	case ROOT_LIVE_FILE:
		ADD("loop");
		ADD("squashfs");
		break;
	case ROOT_LIVE_DEV:
		ADD("isofs");
		ADD("loop");
		ADD("squashfs");
		break;
	case ROOT_NBD:
		ADD("nbd");
		if (p->nbd.form == NBD_FORM_DRACUT) {
			if (p->rootfstype[0] || p->nbd.fstype[0])
				ADD(p->rootfstype[0] ? p->rootfstype : p->nbd.fstype);
			no_overlay = true;	/* the export is the root itself */
		}
		break;
	case ROOT_AOE:
		ADD("aoe");
		break;
	case ROOT_BOOTC:
		if (p->bootc_erofs) {
			ADD("erofs");
			ADD("loop");
		}
		if (p->bootc_zram[0]) {
			ADD("zram");
			ADD("ext4");
		}
		break;
	case ROOT_BLOCK:
		if (p->rootfstype[0] && strcmp(p->rootfstype, "auto"))
			ADD(p->rootfstype);
		break;
	default:
		break;
	}
	if (!no_overlay)
		ADD("overlay");
	if (p->overlay_persistent && p->cowfs[0])
		ADD(p->cowfs);
	if (p->net.n_vlan > 0)
		ADD("8021q");
	if (p->net.n_bond > 0)
		ADD("bonding");
#undef ADD
	return n;
}
