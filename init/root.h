/*
 * The root stage: whatever root= names (a disk, a live image from a URL or a device, an
 * NBD or AoE export, a bootc/OCI image) assembled at NEWROOT, with its overlay.
 */
#ifndef NETINIT_ROOT_H
#define NETINIT_ROOT_H
#include "kmod/kmod.h"
#include "init/fatal.h"
#include "init/plan.h"
#include "fetch/sink.h"
#include "fs/probe.h"

#define NEWROOT "/sysroot"

/* What the root stage's steps share; nothing of it lives in file statics. */
struct root_ctx {
	const struct boot_plan *plan;
	struct kmod_ctx *kmod;		/* may be NULL: nothing is loaded */
	bool net_is_up;			/* the network stage brought the network up */
	char cow_dev[256];		/* the cow partition (rd.live.overlay.persistent), once known */
	struct probe_info live_top;	/* the outermost live image, for rd.overlay's auto path */
	struct stage_err *e;		/* what failed, for the one fatal() */
};

/* Assemble the root at NEWROOT; 0, or -errno with c->e filled. */
int root_run(struct root_ctx *c);

/* root_run(), and on failure the fatal path with what the failing step recorded. */
void root_assemble(const struct boot_plan *plan, struct kmod_ctx *kmod, bool network_up);

/* The name a downloaded image gets on the tmpfs: the URL's last path element, without a
 * compression suffix when codec is not SINK_CODEC_NONE (the bytes are decompressed on the
 * way in); "image" when the URL has none. */
void root_image_name(const char *url, enum sink_codec codec, char *out, size_t len);

#endif
