/* mounts: the early filesystems PID 1 needs (/proc /sys /dev /dev/pts /run) and a
 * working stdin/stdout/stderr on /dev/console, even when the initramfs has no
 * /dev/console or /dev/null node. Returns the name of the first mount that failed. */
#ifndef NETINIT_MOUNTS_H
#define NETINIT_MOUNTS_H

/* 0, or -errno with *failed naming the mount point. */
int mounts_early(const char **failed);
/* Point fds 0, 1, 2 at /dev/console (or /dev/null) where they are not open. */
void console_setup(void);
/* mkdir -p (util/fsutil.h) */
#include "util/fsutil.h"
#define mkdir_p(path, mode) fs_mkdir_p(path, mode)

#endif
