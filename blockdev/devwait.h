/*
 * devwait: find a block device named the way root= names it -- /dev/x,
 * LABEL=, UUID=, PARTUUID=, PARTLABEL=, CDLABEL= (or /dev/disk/by-*) -- without
 * udev: scan /sys/class/block, read superblocks (fs/probe) and partition
 * tables ourselves, and poll until it appears or a timeout passes.
 */
#ifndef NETINIT_BLOCKDEV_DEVWAIT_H
#define NETINIT_BLOCKDEV_DEVWAIT_H

#include <stddef.h>

enum devspec_kind {
	DEVSPEC_PATH,		/* /dev/sda1: wait for the node */
	DEVSPEC_LABEL,		/* LABEL=: filesystem label */
	DEVSPEC_UUID,		/* UUID=: filesystem UUID (case-insensitive) */
	DEVSPEC_PARTUUID,	/* PARTUUID=: GPT partition GUID or MBR "%08x-%02x" */
	DEVSPEC_PARTLABEL,	/* PARTLABEL=: GPT partition name */
	DEVSPEC_CDLABEL,	/* CDLABEL=: ISO 9660/UDF volume id (any fs label matches) */
};

#define DEVSPEC_VALUE_MAX 256

struct devspec {
	enum devspec_kind kind;
	char value[DEVSPEC_VALUE_MAX];	/* path, or label/UUID with \xHH escapes decoded */
};

/* Where sysfs and devtmpfs are; tests point these at a fake tree of files. */
struct devwait_roots {
	const char *sys;	/* default "/sys" */
	const char *dev;	/* default "/dev" */
};
extern struct devwait_roots devwait_roots;

/* Parse "/dev/x", "LABEL=x", "UUID=x", "PARTUUID=x", "PARTLABEL=x", "CDLABEL=x"
 * or "/dev/disk/by-{label,uuid,partuuid,partlabel}/x".  Labels may use udev's
 * \x2f-style escapes.  0, or -EINVAL/-ENAMETOOLONG/-ENOTSUP with one line in err. */
int devspec_parse(const char *s, struct devspec *out, char *err, size_t errlen);

/* "LABEL=x" etc. for messages (escapes not re-applied).  0 or -ENOSPC. */
int devspec_format(const struct devspec *s, char *buf, size_t len);

/* Look once: 0 and the device node path in dev_out, -ENOENT if not there now
 * (-ENOSPC if dev_out is too small). */
int devspec_find(const struct devspec *s, char *dev_out, size_t len);

/* Called about once a second while waiting; elapsed_s counts from the start.
 * Return 0 to go on waiting, or a negative errno to stop (devspec_wait
 * returns it). */
typedef int (*devwait_tick_fn)(void *ctx, const struct devspec *s, unsigned elapsed_s);

#define DEVWAIT_FOREVER 0xffffffffu	/* timeout_ms: never give up */

/* Poll devspec_find every 100 ms until found (0) or timeout_ms passed
 * (-ETIMEDOUT).  tick may be NULL. */
int devspec_wait(const struct devspec *s, unsigned timeout_ms, char *dev_out, size_t len,
		 devwait_tick_fn tick, void *ctx);

#endif
