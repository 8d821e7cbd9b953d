#include "fs/mntopts.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

static const struct {
	const char *name;
	unsigned long set, clear;
} vfs_opts[] = {
	{ "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
	{ "noatime", MS_NOATIME, 0 },     { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },   { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 }, { "lazytime", MS_LAZYTIME, 0 },
	{ "nolazytime", 0, MS_LAZYTIME }, { "nosuid", MS_NOSUID, 0 },
	{ "suid", 0, MS_NOSUID },         { "nodev", MS_NODEV, 0 },
	{ "dev", 0, MS_NODEV },           { "noexec", MS_NOEXEC, 0 },
	{ "exec", 0, MS_NOEXEC },         { "sync", MS_SYNCHRONOUS, 0 },
	{ "async", 0, MS_SYNCHRONOUS },   { "dirsync", MS_DIRSYNC, 0 },
	{ "defaults", 0, 0 },
};

int mntopts_split(const char *opts, unsigned long *flags, char *data, size_t datalen)
{
	size_t used = 0, i;
	const char *p = opts ? opts : "";

	if (datalen)
		data[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, ",");

		for (i = 0; i < sizeof(vfs_opts) / sizeof(vfs_opts[0]); i++) {
			if (strlen(vfs_opts[i].name) == n && strncmp(p, vfs_opts[i].name, n) == 0) {
				*flags = (*flags & ~vfs_opts[i].clear) | vfs_opts[i].set;
				break;
			}
		}
		if (i == sizeof(vfs_opts) / sizeof(vfs_opts[0]) && n) {
			if (used + (used ? 1 : 0) + n + 1 > datalen)
				return -ENAMETOOLONG;
			if (used)
				data[used++] = ',';
			memcpy(data + used, p, n);
			used += n;
			data[used] = '\0';
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}
