/* bootc: root=bootc-live:<source>: unpack an OCI image (an oci-archive in the
 * initramfs or at a URL, or an image in a registry) into a sized tmpfs and assemble
 * it at NEWROOT as bootc-live does: a read-only bind (rw: writable) with tmpfs
 * overlays over /etc and /var. On failure it discards the partial root and takes
 * the fatal path. */
#ifndef NETINIT_BOOTC_H
#define NETINIT_BOOTC_H
#include "init/root.h"

#define BOOTC_DIR     "/run/netinit/oci"     /* the tmpfs holding the unpacked tree */
#define BOOTC_TREE    BOOTC_DIR "/root"     /* the unpacked image */
#define BOOTC_RW_DIR  "/run/netinit/oci-rw" /* tmpfs with the /etc and /var uppers */

/* root=bootc-live:...: the image unpacked into RAM and assembled at NEWROOT (or kexec'd
 * into with bootc.kexec); 0 or -errno with c->e filled. */
int bootc_root(struct root_ctx *c);

#endif
