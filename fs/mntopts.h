/* mntopts: split a mount option string as mount(8) would ("noatime,nouuid") into
 * the mount(2) flags the kernel's VFS takes (ro, noatime, nosuid, ...) and the data
 * string the filesystem takes (nouuid, errors=..., ...). Pure. */
#ifndef NETINIT_FS_MNTOPTS_H
#define NETINIT_FS_MNTOPTS_H
#include <stddef.h>

/* *flags gets MS_* bits ORed in (and cleared for rw, atime, suid...); data gets the rest,
 * comma-separated. 0, or -ENAMETOOLONG if data is too small. */
int mntopts_split(const char *opts, unsigned long *flags, char *data, size_t datalen);

#endif
