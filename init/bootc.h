/* bootc: root=bootc-live:<source>: unpack an OCI image (an oci-archive in the
 * initramfs or at a URL, or an image in a registry) into a sized tmpfs and assemble
 * it at NEWROOT as bootc-live does: a read-only bind (rw: writable) with tmpfs
 * overlays over /etc and /var. On failure it discards the partial root and takes
 * the fatal path. */
#ifndef NETINIT_BOOTC_H
#define NETINIT_BOOTC_H
#include "kmod/kmod.h"
#include "init/plan.h"

#define BOOTC_DIR     "/run/netinit/oci"     /* the tmpfs holding the unpacked tree */
#define BOOTC_TREE    BOOTC_DIR "/root"     /* the unpacked image */
#define BOOTC_RW_DIR  "/run/netinit/oci-rw" /* tmpfs with the /etc and /var uppers */

void bootc_root(const struct boot_plan *plan, struct kmod_ctx *kmod);

#endif
