/* mount: mount a filesystem the way mount(8) reads its options, creating the mount
 * point; the one place a device or image is mounted. Silent; one-line detail in err. */
#ifndef NETINIT_FS_MOUNT_H
#define NETINIT_FS_MOUNT_H
#include <stddef.h>

/* Mount dev (fstype) at dir (created) with MS_* flags plus mount(8)-style options
 * ("noatime,nouuid": VFS words become flags, the rest goes to the filesystem). */
int fs_mount(const char *dev, const char *fstype, unsigned long flags, const char *opts,
	     const char *dir, char *err, size_t errlen);

/* Mount dev (fstype, options) read-only at dir (created). */
int fs_mount_ro(const char *dev, const char *fstype, const char *flags, const char *dir,
		char *err, size_t errlen);

#endif
