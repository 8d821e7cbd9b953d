/* root: obtain the root the plan names and assemble it at NEWROOT: a local block
 * device mounted directly, or a live image (a file in the initramfs or a device)
 * opened layer by layer (ISO > squashfs > rootfs.img) and topped with an overlay.
 * On failure it takes the fatal path itself, naming the step. */
#ifndef NETINIT_ROOT_H
#define NETINIT_ROOT_H
#include "kmod/kmod.h"
#include "init/plan.h"

#define NEWROOT "/sysroot"

/* network_up: the network stage brought the network up (a disk deployment that must download
 * brings it up itself otherwise). */
void root_assemble(const struct boot_plan *plan, struct kmod_ctx *kmod, bool network_up);

/* fetch_event_fn for downloads: progress on the console, resume/retry/summary lines;
 * ctx is the URL shown. */
struct fetch_event;
void root_fetch_event(const struct fetch_event *ev, void *ctx);

#endif
