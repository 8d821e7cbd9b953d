#include "fs/mount.h"
#include "fs/mntopts.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int fs_mount(const char *dev, const char *fstype, unsigned long flags, const char *opts,
		  const char *dir, char *err, size_t errlen)
{
	char data[512];
	int rc = fs_mkdir_p(dir, 0755);

	if (rc) {
		snprintf(err, errlen, "create %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = mntopts_split(opts, &flags, data, sizeof(data));
	if (rc) {
		snprintf(err, errlen, "mount options too long: %s", opts);
		return rc;
	}
	if (mount(dev, dir, fstype, flags, data[0] ? data : NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount %s (%s, %s%s%s) on %s: %s", dev, fstype,
			 flags & MS_RDONLY ? "ro" : "rw", opts && *opts ? ", " : "", opts ? opts : "", dir,
			 strerror(errno));
		return rc;
	}
	return 0;
}

int fs_mount_ro(const char *dev, const char *fstype, const char *flags, const char *dir,
		     char *err, size_t errlen)
{
	char opts[512];

	/* whatever the options say, a lower layer stays read-only */
	snprintf(opts, sizeof(opts), "%s%sro", flags ? flags : "", flags && *flags ? "," : "");
	return fs_mount(dev, fstype, MS_RDONLY, opts, dir, err, errlen);
}
