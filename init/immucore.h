/* immucore: Kairos live mode for a Kairos image netinit booted (kairos/kairos.h does the
 * work): the boot state sentinel /run/cos/<state>, then the image's rootfs and initramfs
 * stages run by its own tool inside the new root, as Kairos's initramfs (immucore) does on
 * its live-media path before switch_root. Only when the command line has netboot, rd.cos.*
 * or rd.immucore.*, or the new root is a Kairos image. Logs what it did; nothing here is
 * fatal (immucore ignores stage errors too). */
#ifndef NETINIT_INIT_IMMUCORE_H
#define NETINIT_INIT_IMMUCORE_H
#include "init/plan.h"

void immucore_live(const struct boot_plan *plan, const char *newroot);

#endif
