/*
 * kmod: load kernel modules from PID 1, the way modprobe would.
 *
 * Reads modules.{dep,alias,softdep,builtin} of one module directory, loads a module by name or
 * alias with its dependencies (modules.dep) and soft dependencies (softdep pre:/post:), applies
 * "<module>.<param>=<value>" parameters from the kernel command line, skips built-in and
 * already-loaded modules, and inserts with finit_module(2). Coldplug loads the modules whose
 * modules.alias patterns match the modalias of any device under /sys/devices, repeating until
 * nothing new loads, then waits for /sys/devices to settle. '-' and '_' are equivalent in names.
 * Every load is planned first and then inserted by up to kmod_set_jobs() threads at once, each
 * module after its dependencies and pre: soft dependencies (finit_module may run in parallel).
 * Modules may be compressed (.ko.zst, .ko.xz: decompressed here when the kernel cannot).
 * Silent: returns 0 or -errno; everything worth telling goes through the event callback.
 */
#ifndef NETINIT_KMOD_KMOD_H
#define NETINIT_KMOD_KMOD_H

#include <stddef.h>
#include <stdint.h>
#include "util/event.h"

struct kmod_ctx;


/*
 * Read the index files of moddir (e.g. "/lib/modules/6.1.0-9-amd64"). A missing modules.alias,
 * modules.softdep or modules.builtin is fine; a missing modules.dep is -ENOENT. moddir NULL
 * gives an empty context (feed it with kmod_parse_index). params are "mod.param=value" strings
 * (copied; others are ignored). ev may be NULL.
 */
int kmod_open(struct kmod_ctx **out, const char *moddir, const char *const *params, size_t nparams,
	      event_fn ev, void *evctx);

/*
 * Load a module by name or alias, dependencies first. 0 also when it is built in or already
 * loaded; -ENOENT when nothing by that name or alias exists; else the first hard error.
 * Soft dependencies that fail only produce a warning event. An alias that matches several
 * modules loads them all.
 */
int kmod_load(struct kmod_ctx *k, const char *name_or_alias);

/*
 * Load several names in one batch (independent modules insert concurrently). rcs (may be
 * NULL) gets each name's answer as kmod_load gives it; quiet_missing: a name nothing serves
 * is only a debug event and not counted. Returns how many names failed, or -EINVAL.
 */
int kmod_load_list(struct kmod_ctx *k, const char *const *names, size_t n, int quiet_missing, int *rcs);

/*
 * Load names (copied) like kmod_load_list with quiet_missing, in a thread of its own, and
 * return at once: for modules a later stage needs (filesystems) while the network comes up
 * and the image downloads. Every other call on k (and kmod_close) first waits for it. 0 or -errno.
 */
int kmod_load_background(struct kmod_ctx *k, const char *const *names, size_t n);

/* Threads inserting modules at once (1, the default, inserts in modprobe's order; at most 16). */
int kmod_set_jobs(struct kmod_ctx *k, unsigned jobs);

/* Hardware classes of a device modalias (kmod_modalias_class), and which of them coldplug
 * loads drivers for (kmod_set_classes; default KMOD_CLASS_ALL). Loads by name or alias are
 * never filtered. */
#define KMOD_CLASS_NET     0x1u	/* pci class 02, 0c06; virtio net; mdio PHYs; xen vif; usb CDC */
#define KMOD_CLASS_STORAGE 0x2u	/* pci class 01, 0c03 (USB host), 0c04, 0805; virtio blk/scsi; scsi; xen vbd; usb 08 */
#define KMOD_CLASS_CPU     0x4u	/* cpu:, x86cpu: (CPU-feature crypto and accelerators) */
#define KMOD_CLASS_OTHER   0x8u	/* everything else */
#define KMOD_CLASS_ALL     0xfu
unsigned kmod_modalias_class(const char *modalias);
int kmod_set_classes(struct kmod_ctx *k, unsigned classes);

/*
 * Unlink the files of modules this boot will not load: device drivers (every alias of theirs
 * is a device modalias) that are not loaded, and alias-less modules that only such drivers
 * depend on. Filesystems, block drivers, protocols and what a soft dependency names stay for
 * the later stages. A later load of a released module is -ENOENT. *nfiles and *nbytes (may
 * be NULL) get what was freed. 0 or -errno.
 */
int kmod_release_unused(struct kmod_ctx *k, unsigned *nfiles, uint64_t *nbytes);

/*
 * Load modules for every device's modalias under <sysfs>/devices (but devices/virtual), of the
 * classes kmod_set_classes allows, until a pass loads nothing new, then settle: no uevent
 * (<sysfs>/kernel/uevent_seqnum) for KMOD_SETTLE_STEP_MS, or without that file until two scans
 * KMOD_SETTLE_STEP_MS apart agree; bounded by KMOD_SETTLE_MAX_MS.
 * *nloaded (may be NULL) receives the number of modules inserted. A module that fails to load
 * is reported by an event and not retried; it does not make coldplug fail.
 */
int kmod_coldplug(struct kmod_ctx *k, unsigned *nloaded);

/*
 * Blacklist a module (rd.driver.blacklist=, modprobe.blacklist=), as modprobe's "blacklist"
 * does: its aliases are ignored, so neither coldplug nor a load by alias inserts it (an
 * info event says so once; a load by an alias nothing else serves is -EPERM). A load by its
 * name, and a load as another module's dependency, still insert it. 0, -EINVAL or -ENOMEM.
 */
int kmod_blacklist(struct kmod_ctx *k, const char *name);

void kmod_close(struct kmod_ctx *k);

#define KMOD_SETTLE_MAX_MS 1500	/* longest wait for /sys/devices to stop changing */
#define KMOD_SETTLE_STEP_MS 40	/* interval between two scans while settling */

/* ---- For tests, fuzzers and tools ------------------------------------------------------ */

enum kmod_index { KMOD_INDEX_DEP, KMOD_INDEX_ALIAS, KMOD_INDEX_SOFTDEP, KMOD_INDEX_BUILTIN };

/*
 * Add the contents of one index file (buf need not be NUL-terminated). Returns the number of
 * malformed lines skipped (each also reported as a warning event), or -errno.
 */
int kmod_parse_index(struct kmod_ctx *k, enum kmod_index which, const char *buf, size_t len);

/* fnmatch-style match of a modules.alias pattern: '*', '?', '[a-z]', '[!x]', '\\'. 1 or 0. */
int kmod_glob_match(const char *pattern, const char *str);

/*
 * Replace the system interfaces: sysfs_root (default "/sys") is where module/<name> and
 * devices/ are looked up; insert (default: open + finit_module) gets the module's full path
 * and its parameter string and returns 0 or -errno (-EEXIST counts as loaded).
 */
/* A module file as the kernel takes it: read whole, .zst and .xz decompressed (at most
 * 256 MiB). -EBADMSG for a corrupt file, -EFBIG past the limit, else -errno. */
int kmod_read_module(const char *path, unsigned char **buf, size_t *len);

typedef int (*kmod_insert_fn)(void *ctx, const char *path, const char *params);
int kmod_set_hooks(struct kmod_ctx *k, const char *sysfs_root, kmod_insert_fn insert,
		   void *insctx);

#endif
