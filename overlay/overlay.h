/* overlay: assemble a root from a read-only lower layer: overlayfs with a tmpfs
 * upper (dracut's layout: lower at /run/rootfsbase, upper at /run/overlayfs), or a
 * read-only bind when no overlay is wanted. Silent; one-line detail in err. */
#ifndef NETINIT_OVERLAY_OVERLAY_H
#define NETINIT_OVERLAY_OVERLAY_H
#include <stddef.h>

#define OVERLAY_LOWER "/run/rootfsbase"
#define OVERLAY_UPPER "/run/overlayfs"
#define OVERLAY_WORK  "/run/ovlwork"
#define OVERLAY_COW   "/run/netinit/cow"   /* the tmpfs holding upper/ and work/ */

/* Mount dev (fstype) at dir (created) with MS_* flags plus mount(8)-style options
 * ("noatime,nouuid": VFS words become flags, the rest goes to the filesystem). */
int overlay_mount(const char *dev, const char *fstype, unsigned long flags, const char *opts,
		  const char *dir, char *err, size_t errlen);

/* Mount dev (fstype, options) read-only at dir (created). */
int overlay_mount_ro(const char *dev, const char *fstype, const char *flags, const char *dir,
		     char *err, size_t errlen);

/* overlayfs of lower + a tmpfs upper of tmpfs_size ("50%", "512m") at newroot. */
int overlay_assemble(const char *lower, const char *tmpfs_size, const char *newroot,
		     char *err, size_t errlen);

/* The same with the upper on a persistent device (cowdev of type cowfs, mounted at
 * OVERLAY_COW): changes survive reboots. The device keeps upper/ and work/ at its top. */
int overlay_assemble_dev(const char *lower, const char *cowdev, const char *cowfs, const char *newroot,
			 char *err, size_t errlen);

/* Read-only bind of lower at newroot (no overlay). */
int overlay_bind_ro(const char *lower, const char *newroot, char *err, size_t errlen);

#endif
