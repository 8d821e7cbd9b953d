/* overlay: assemble a root from a read-only lower layer: overlayfs with a tmpfs
 * upper (dracut's layout: lower at /run/rootfsbase, upper at /run/overlayfs), or a
 * read-only bind when no overlay is wanted. Silent; one-line detail in err. */
#ifndef NETINIT_OVERLAY_OVERLAY_H
#define NETINIT_OVERLAY_OVERLAY_H
#include <stdbool.h>
#include <stddef.h>

#define OVERLAY_LOWER "/run/rootfsbase"
#define OVERLAY_UPPER "/run/overlayfs"
#define OVERLAY_WORK  "/run/ovlwork"
#define OVERLAY_COW   "/run/netinit/cow"   /* the tmpfs holding upper/ and work/ */

/* overlayfs of lower + a tmpfs upper of tmpfs_size ("50%", "512m") at newroot. */
int overlay_assemble(const char *lower, const char *tmpfs_size, const char *newroot,
		     char *err, size_t errlen);

/* The same with the upper on a persistent device (cowdev of type cowfs, mounted at
 * OVERLAY_COW): changes survive reboots. The device keeps upper/ and work/ at its top. */
int overlay_assemble_dev(const char *lower, const char *cowdev, const char *cowfs, const char *newroot,
			 char *err, size_t errlen);

/* Read-only bind of lower at newroot (no overlay). */
int overlay_bind_ro(const char *lower, const char *newroot, char *err, size_t errlen);

/* An overlayfs root with a persistent upper. The device is mounted at
 * OVERLAY_PERSIST_DIR; path "" keeps upper/ and work/ at its top (like
 * rd.root.overlay.write), a path P (dracut's rd.overlay=<dev>:P) puts the upper
 * at P and the work directory at P/../ovlwork. reset empties both first.
 * readonly mounts the device read-only and puts a tmpfs upper (tmpfs_size) on
 * top: the persistent upper becomes the upper of the lower layers and is shown
 * at /run/overlayfs-r, the tmpfs upper at /run/overlayfs. */
#define OVERLAY_PERSIST_DIR	"/run/initramfs/overlayfs"
#define OVERLAY_RO_UPPER_LINK	"/run/overlayfs-r"
struct overlay_persist {
	const char *lower;	/* the read-only root, e.g. /run/rootfsbase */
	const char *dev;	/* the persistent device */
	const char *fstype;	/* its filesystem */
	const char *path;	/* "" or an absolute path inside the device */
	bool reset;		/* rd.overlay.reset: empty the upper first */
	bool readonly;		/* rd.overlay.readonly: tmpfs on top, device not written */
	const char *tmpfs_size;	/* readonly: size of the tmpfs upper */
	const char *newroot;	/* where the root goes, e.g. /sysroot */
};
int overlay_persistent(const struct overlay_persist *o, char *err, size_t errlen);

#endif
