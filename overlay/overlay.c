#include "overlay/overlay.h"
#include "fs/mount.h"
#include "util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---- persistent upper (rd.root.overlay.*, rd.overlay=) --------------------- */

static int bind_dir(const char *src, const char *dst, char *err, size_t errlen)
{
	int rc = fs_mkdir_p(dst, 0755);

	if (rc == 0 && mount(src, dst, NULL, MS_BIND, NULL) < 0)
		rc = -errno;
	if (rc < 0)
		snprintf(err, errlen, "bind %s on %s: %s", src, dst, strerror(-rc));
	return rc;
}

/* The tmpfs that takes the writes over a read-only persistent layer. */
static int tmpfs_upper(const char *size, char *err, size_t errlen)
{
	char opts[64];
	int rc = fs_mkdir_p(OVERLAY_COW, 0755);

	snprintf(opts, sizeof(opts), "mode=0755,size=%s", size && *size ? size : "50%");
	if (rc == 0 && mount("tmpfs", OVERLAY_COW, "tmpfs", 0, opts) < 0)
		rc = -errno;
	if (rc == 0 && ((rc = fs_mkdir_p(OVERLAY_COW "/upper", 0755)) == 0))
		rc = fs_mkdir_p(OVERLAY_COW "/work", 0755);
	if (rc < 0)
		snprintf(err, errlen, "tmpfs upper (%s) on %s: %s", opts, OVERLAY_COW, strerror(-rc));
	return rc;
}

int overlay_persistent(const struct overlay_persist *o, char *err, size_t errlen)
{
	char upper[512], work[512], opts[1536], *slash;
	bool upper_exists;
	struct stat st;
	int rc;

	if (o->path[0] && (o->path[0] != '/' || strstr(o->path, ".."))) {
		snprintf(err, errlen, "overlay path %s: expected an absolute path without '..'", o->path);
		return -EINVAL;
	}
	if (o->path[0]) {
		snprintf(upper, sizeof(upper), "%s%s", OVERLAY_PERSIST_DIR, o->path);
		while (strlen(upper) > 1 && upper[strlen(upper) - 1] == '/')
			upper[strlen(upper) - 1] = '\0';
		if (strcmp(upper, OVERLAY_PERSIST_DIR) == 0) {
			snprintf(err, errlen, "overlay path %s: expected a directory below the device's root "
				 "(its work directory goes next to it)", o->path);
			return -EINVAL;
		}
		snprintf(work, sizeof(work), "%s", upper);
		slash = strrchr(work, '/');
		snprintf(slash + 1, sizeof(work) - (size_t)(slash + 1 - work), "ovlwork");
	} else {
		snprintf(upper, sizeof(upper), "%s/upper", OVERLAY_PERSIST_DIR);
		snprintf(work, sizeof(work), "%s/work", OVERLAY_PERSIST_DIR);
	}
	if ((rc = fs_mkdir_p(OVERLAY_PERSIST_DIR, 0755)) < 0 || (rc = fs_mkdir_p(o->newroot, 0755)) < 0) {
		snprintf(err, errlen, "create %s and %s: %s", OVERLAY_PERSIST_DIR, o->newroot, strerror(-rc));
		return rc;
	}
	/* read-only only when nothing is to be written: a reset needs the device writable */
	if (mount(o->dev, OVERLAY_PERSIST_DIR, o->fstype, MS_NOATIME | (o->readonly && !o->reset ? MS_RDONLY : 0),
		  NULL) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount the overlay device %s (%s) on %s: %s", o->dev, o->fstype,
			 OVERLAY_PERSIST_DIR, strerror(errno));
		return rc;
	}
	if (o->reset && ((rc = fs_empty_dir(upper)) < 0 || (rc = fs_empty_dir(work)) < 0)) {
		snprintf(err, errlen, "reset the overlay: empty %s and %s: %s", upper, work, strerror(-rc));
		return rc;
	}
	if (!o->readonly) {
		if ((rc = fs_mkdir_p(upper, 0755)) < 0 || (rc = fs_mkdir_p(work, 0755)) < 0) {
			snprintf(err, errlen, "create %s and %s on %s: %s", upper, work, o->dev, strerror(-rc));
			return rc;
		}
		if ((rc = bind_dir(upper, OVERLAY_UPPER, err, errlen)) < 0)
			return rc;
		snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", o->lower, upper, work);
	} else {
		if (o->reset && mount(NULL, OVERLAY_PERSIST_DIR, NULL, MS_REMOUNT | MS_RDONLY | MS_NOATIME, NULL) < 0) {
			rc = -errno;
			snprintf(err, errlen, "remount %s read-only: %s", OVERLAY_PERSIST_DIR, strerror(errno));
			return rc;
		}
		upper_exists = stat(upper, &st) == 0 && S_ISDIR(st.st_mode);
		if ((rc = tmpfs_upper(o->tmpfs_size, err, errlen)) < 0)
			return rc;
		if (upper_exists && (rc = bind_dir(upper, OVERLAY_RO_UPPER_LINK, err, errlen)) < 0)
			return rc;
		if ((rc = bind_dir(OVERLAY_COW "/upper", OVERLAY_UPPER, err, errlen)) < 0)
			return rc;
		snprintf(opts, sizeof(opts), "lowerdir=%s%s%s,upperdir=%s/upper,workdir=%s/work",
			 upper_exists ? upper : "", upper_exists ? ":" : "", o->lower, OVERLAY_COW, OVERLAY_COW);
	}
	if (mount("overlay", o->newroot, "overlay", 0, opts) < 0) {
		rc = -errno;
		snprintf(err, errlen, "mount overlayfs (%s) on %s: %s", opts, o->newroot, strerror(errno));
		return rc;
	}
	return 0;
}
