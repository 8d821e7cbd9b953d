/*
 * layer: apply one image layer (a tar, plain, gzip or zstd) read from a stream into
 * a root directory with libarchive: OCI whiteouts (".wh.<name>" removes a lower
 * entry, ".wh..wh..opq" clears the directory's lower contents wherever it sits in
 * the layer; neither is ever written), owners, modes, times, hard links, symlinks,
 * device nodes, sparse files and xattrs (security.capability too). Paths are
 * checked before anything is written: absolute, ".." and paths through a symlink
 * are refused (plus libarchive's secure-extraction flags), and so is a path longer
 * than OCI_LAYER_MAX_PATH bytes or deeper than OCI_LAYER_MAX_DEPTH components (before
 * anything is written for it). The compressed bytes are
 * hashed as they stream and checked against the descriptor's digest and size.
 * While it runs the process's working directory is the root (restored after).
 */
#ifndef NETINIT_OCI_LAYER_H
#define NETINIT_OCI_LAYER_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/manifest.h"

/* The longest path an entry may have (bytes, once "./" and "//" are folded): Linux's
 * PATH_MAX with its NUL. */
#define OCI_LAYER_MAX_PATH 4095
/* The deepest an entry may sit (components: "a/b/c" is 3). Real images stay far below
 * (a few dozen levels; a deep node_modules tree reaches about a hundred), while 4095
 * bytes would allow 2048. libarchive creates an entry's missing parents with one
 * recursive call each, so the depth bounds its stack use: 512 keeps that a small part
 * of the applier thread's stack (util/thread.h; docs/oci.md has the numbers). */
#define OCI_LAYER_MAX_DEPTH 512

/* A stream of the layer's blob: read() returns bytes read, 0 at the end, or -errno. */
struct oci_stream {
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	void *ctx;
};

struct oci_layer_stats {
	uint64_t blob_bytes;   /* compressed bytes read */
	uint64_t entries;      /* entries written */
	uint64_t whiteouts;    /* whiteouts and opaque markers applied */
	uint64_t warnings;     /* metadata not restored (e.g. an xattr the filesystem refuses) */
	char warning[256];     /* the first such warning */
};

/*
 * Apply the layer described by d (its media type picks the filter) from s into root.
 * Returns 0, or -errno with one line in err:
 *   -EPERM            an entry would land outside the root (the path is named)
 *   -EBADMSG          digest or size mismatch, or a corrupt tar / compressed stream
 *   -ENAMETOOLONG     an entry's path is longer or deeper than the limits above (named)
 *   -EPROTONOSUPPORT  a layer media type we do not apply
 *   other             the write failed (ENOSPC: the root's tmpfs is full)
 * On failure the root holds a partial result: the caller discards it.
 */
int oci_layer_apply(const char *root, const struct oci_desc *d, struct oci_stream *s,
		    struct oci_layer_stats *st, char *err, size_t errlen);

#endif
