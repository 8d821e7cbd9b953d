/*
 * probe: tell what filesystem an image or block device holds, by the magic in
 * its superblock (never by file name), and read its label, UUID and size the
 * way blkid/udev print them, so LABEL=/UUID= match what users see on their
 * workstation.  Knows ext2/3/4, xfs, squashfs (v4), erofs, iso9660 (+Joliet),
 * udf, vfat (FAT12/16/32) and btrfs.  Reads only with pread; every offset and
 * length from the medium is bounds-checked, so hostile images are safe.
 */
#ifndef NETINIT_FS_PROBE_H
#define NETINIT_FS_PROBE_H

#include <stdint.h>

enum probe_type {
	PROBE_UNKNOWN = 0,
	PROBE_EXT4,	/* ext2, ext3 or ext4: the ext4 driver mounts all three */
	PROBE_XFS,
	PROBE_SQUASHFS,
	PROBE_EROFS,
	PROBE_ISO9660,
	PROBE_UDF,
	PROBE_VFAT,
	PROBE_BTRFS,
};

#define PROBE_LABEL_MAX 256	/* UTF-8, NUL-terminated */
#define PROBE_UUID_MAX 40	/* NUL-terminated, blkid's text form */

struct probe_info {
	enum probe_type type;
	const char *fstype;		/* name for mount(2): "ext4", "iso9660", ... */
	char label[PROBE_LABEL_MAX];	/* "" when the filesystem has none */
	char uuid[PROBE_UUID_MAX];	/* "" when the filesystem has none */
	uint64_t size;			/* filesystem size in bytes, 0 if not recorded */
};

/* Probe the content at offset 0 of fd.  0 and *out filled; -EMEDIUMTYPE when
 * no known filesystem is there (also for too-short/corrupt content); other
 * -errno on read errors. */
int probe_fd(int fd, struct probe_info *out);

/* Same for a path (file or block device), opened read-only. */
int probe_path(const char *path, struct probe_info *out);

/* "ext4", "xfs", ... for a type; "unknown" for PROBE_UNKNOWN. */
const char *probe_type_name(enum probe_type type);

#endif
