#include "overlay/overlay.h"
#include "overlay/mntopts.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int overlay_mount(const char *dev, const char *fstype, unsigned long flags, const char *opts,
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

int overlay_mount_ro(const char *dev, const char *fstype, const char *flags, const char *dir,
		     char *err, size_t errlen)
{
	char opts[512];

	/* whatever the options say, a lower layer stays read-only */
	snprintf(opts, sizeof(opts), "%s%sro", flags ? flags : "", flags && *flags ? "," : "");
	return overlay_mount(dev, fstype, MS_RDONLY, opts, dir, err, errlen);
}

/* The cow filesystem is mounted at OVERLAY_COW: make upper/ and work/, show the upper
 * at OVERLAY_UPPER, and mount the overlay at newroot. */
static int assemble_on_cow(const char *lower, const char *newroot, char *err, size_t errlen)
{
	char opts[1024];
	int rc;

	if ((rc = fs_mkdir_p(OVERLAY_COW "/upper", 0755)) || (rc = fs_mkdir_p(OVERLAY_COW "/work", 0755)) ||
	    (rc = fs_mkdir_p(OVERLAY_UPPER, 0755))) {
		snprintf(err, errlen, "create the upper and work directories: %s", strerror(-rc));
		return rc;
	}
	/* the upper layer where dracut shows it */
	if (mount(OVERLAY_COW "/upper", OVERLAY_UPPER, NULL, MS_BIND, NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "bind %s/upper on %s: %s", OVERLAY_COW, OVERLAY_UPPER, strerror(errno));
		return rc;
	}
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", lower, OVERLAY_COW,
		 OVERLAY_COW);
	if (mount("overlay", newroot, "overlay", 0, opts) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount overlayfs (%s) on %s: %s", opts, newroot, strerror(errno));
		return rc;
	}
	return 0;
}

int overlay_assemble(const char *lower, const char *tmpfs_size, const char *newroot,
		     char *err, size_t errlen)
{
	char opts[128];
	int rc;

	if ((rc = fs_mkdir_p(OVERLAY_COW, 0755)) || (rc = fs_mkdir_p(newroot, 0755))) {
		snprintf(err, errlen, "create %s and %s: %s", OVERLAY_COW, newroot, strerror(-rc));
		return rc;
	}
	snprintf(opts, sizeof(opts), "mode=0755,size=%s", tmpfs_size);
	if (mount("tmpfs", OVERLAY_COW, "tmpfs", 0, opts) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount the tmpfs upper layer (%s) on %s: %s", opts, OVERLAY_COW,
			 strerror(errno));
		return rc;
	}
	return assemble_on_cow(lower, newroot, err, errlen);
}

int overlay_assemble_dev(const char *lower, const char *cowdev, const char *cowfs, const char *newroot,
			 char *err, size_t errlen)
{
	int rc;

	if ((rc = fs_mkdir_p(OVERLAY_COW, 0755)) || (rc = fs_mkdir_p(newroot, 0755))) {
		snprintf(err, errlen, "create %s and %s: %s", OVERLAY_COW, newroot, strerror(-rc));
		return rc;
	}
	if (mount(cowdev, OVERLAY_COW, cowfs, MS_NOATIME, NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount the write device %s (%s) on %s: %s", cowdev, cowfs, OVERLAY_COW,
			 strerror(errno));
		return rc;
	}
	return assemble_on_cow(lower, newroot, err, errlen);
}

int overlay_bind_ro(const char *lower, const char *newroot, char *err, size_t errlen)
{
	int rc = fs_mkdir_p(newroot, 0755);

	if (rc) {
		snprintf(err, errlen, "create %s: %s", newroot, strerror(-rc));
		return rc;
	}
	if (mount(lower, newroot, NULL, MS_BIND, NULL) < 0 ||
	    mount(NULL, newroot, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "bind %s read-only on %s: %s", lower, newroot, strerror(errno));
		return rc;
	}
	return 0;
}
