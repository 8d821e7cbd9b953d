/*
 * loop: attach a file (an image in the initramfs or on a tmpfs) to a free
 * loop block device, read-only or read-write, and detach it again.  Uses
 * LOOP_CTL_GET_FREE + LOOP_CONFIGURE (Linux >= 5.8) and falls back to
 * LOOP_SET_FD + LOOP_SET_STATUS64; retries when another process grabs the
 * same free device first.
 */
#ifndef NETINIT_BLOCKDEV_LOOP_H
#define NETINIT_BLOCKDEV_LOOP_H

#include <stdbool.h>
#include <stddef.h>

/* Attach file; the device path ("/dev/loop3") goes to dev_out.  The device
 * stays bound until loop_detach() (or until the system goes down): use this
 * for the root image that outlives us.  0 or -errno. */
int loop_attach(const char *file, bool read_only, char *dev_out, size_t devlen);

/* Attach with LO_FLAGS_AUTOCLEAR and hand back the open loop fd in *loop_fd:
 * mount the device, then close(*loop_fd); the loop then frees itself when the
 * last user (the mount) goes away.  Closing the fd without mounting frees it
 * at once.  0 or -errno. */
int loop_attach_autoclear(const char *file, bool read_only, char *dev_out, size_t devlen,
			  int *loop_fd);

/* Detach dev.  If it is still in use (mounted), the kernel detaches it when
 * the last user goes.  0, -ENXIO if nothing is attached, or -errno. */
int loop_detach(const char *dev);

/* Tests only: skip LOOP_CONFIGURE and use the pre-5.8 ioctls. */
extern bool loop_no_configure;

#endif
