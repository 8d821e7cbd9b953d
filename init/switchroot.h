/* switchroot: hand the machine to the new root. Moves /dev /proc /sys /run into it,
 * deletes the initramfs contents (only after busybox's safety checks: the old root
 * is a ramfs/tmpfs, the new root is a mount point, the new init exists and is
 * executable), chroots and execs init= or /sbin/init, /etc/init, /bin/init, /bin/sh.
 * Returns only on failure, with the name of the failed step (errno is set);
 * before the point of no return the initramfs is intact. */
#ifndef NETINIT_SWITCHROOT_H
#define NETINIT_SWITCHROOT_H

/* Find the init to run inside newroot (init: init= or NULL). 0 and path, or -ENOENT. */
int switchroot_find_init(const char *newroot, const char *init, char *path, unsigned len);

const char *switch_root(const char *newroot, const char *init, char *const argv[]);

#endif
