/*
 * Downloads of a root's image (live images, oci-archives): the one place that puts a
 * network transfer into a RAM tmpfs, /dev/ram0 or a disk, reports its progress on the
 * console, and turns a failure into a hint for the user.
 */
#ifndef NETINIT_DOWNLOAD_H
#define NETINIT_DOWNLOAD_H

#include <stdint.h>
#include "fetch/dolly.h"
#include "fetch/fetch.h"
#include "init/fatal.h"

/* Where the bytes go; it decides which hint a failure gets. */
enum dl_place {
	DL_RAM,		/* a file on a tmpfs from ram_tmpfs() */
	DL_RAMDISK,	/* /dev/ram0 (ramdisk_size=) */
	DL_DISK,	/* a disk (rd.kiwi.live.system) */
	DL_REGISTRY,	/* a registry pull (bootc-live docker://) */
};

/* The fetch event callback of every root download: progress, retries, resumes. ctx: the
 * URL (a const char *) when the event carries none. */
void download_event(const struct fetch_event *ev, void *ctx);

/* What the user can do about rc (-errno from fetch_url, oci_registry_unpack) at place. */
const char *download_hint(int rc, enum dl_place place);

/* A tmpfs capped at MemAvailable - rd.minmem, so a download can never eat the RAM the
 * system needs; refused when less than min_room would be left. */
struct ram_tmpfs {
	const char *dir;
	unsigned long mflags;	/* mount(2) flags */
	const char *opts;	/* the leading options: "mode=0700" */
	const char *flags;	/* appended after size= (a size= there wins), or "" */
	unsigned minmem_mib;	/* rd.minmem */
	uint64_t min_room;	/* bytes that must be left at least */
	const char *stage, *what; /* for a failure: the stage and what the user gave */
};

/* Mount r; *cap gets the tmpfs's size in bytes. */
int ram_tmpfs(const struct ram_tmpfs *r, uint64_t *cap, struct stage_err *e);

struct dl_target {
	const char *stage;	/* the stage a failure is reported in: "download" or "root" */
	const char *path;	/* the file on a ram_tmpfs(), /dev/ram0 or the disk */
	enum dl_place place;
	uint64_t base;		/* bytes left in front of the image (a cpio header), or 0 */
	uint64_t tail;		/* bytes at the device's end that are not for the image */
	unsigned minmem_mib;	/* DL_RAM: RAM that stays free (rd.minmem) */
	const struct dolly_opts *dolly;	/* root=live:dolly:: the bytes come down a dolly chain, not o->url */
	bool torrent;		/* root=live:torrent://: o->url is the metainfo; pieces go in at offsets */
	unsigned seed_s, seed_pct;	/* torrent: rd.live.torrent.seed (both 0: no seeder) */
};

/* Stream o->url into t, decompressing by the URL's suffix when o->decompress, checking
 * o->sum on the way; *written (may be NULL) gets the bytes written, st (may be NULL) the
 * transfer's stats. Logs the result; returns 0 or -errno with e filled. */
int download_to(const struct fetch_opts *o, const struct dl_target *t, uint64_t *written, struct fetch_stats *st,
		struct stage_err *e);

#endif
