/* image: unpack one image into a root directory from a blob store (an oci-archive or
 * a registry): follow an index to the linux/<arch> manifest, fetch and verify the
 * manifest and config, and apply the layers in order. Blobs other than layers are
 * small and read whole; every blob is checked against its descriptor's digest. */
#ifndef NETINIT_OCI_IMAGE_H
#define NETINIT_OCI_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/layer.h"
#include "oci/manifest.h"
#include "util/event.h"


/* Where blobs come from. */
struct oci_store {
	/* The whole blob d (at most OCI_JSON_MAX), verified; *buf is malloc'd (+1 NUL byte). */
	int (*get_blob)(void *ctx, const struct oci_desc *d, char **buf, size_t *len, char *err, size_t errlen);
	/* Apply layer d into root; last_use: no later layer of this image is the same blob. */
	int (*apply_layer)(void *ctx, const struct oci_desc *d, const char *root, bool last_use,
			   struct oci_layer_stats *st, char *err, size_t errlen);
	/* May start fetching d, the layer after the one about to be applied; NULL = no. */
	void (*prefetch)(void *ctx, const struct oci_desc *d);
	void *ctx;
	/* The manifest md that will be unpacked (its bytes and parsed form), before its config
	 * and layers are fetched; NULL = not wanted. An error stops the unpack. */
	int (*manifest)(void *ctx, const struct oci_desc *md, const char *buf, size_t len,
			const struct oci_manifest *m, char *err, size_t errlen);
};

struct oci_unpack_opts {
	const char *root;        /* an existing empty directory (on a tmpfs) */
	const char *os, *arch;   /* platform for an index: "linux", oci_arch_from_machine() */
	event_fn ev;         /* may be NULL */
	void *ev_ctx;
};

struct oci_unpack_stats {
	unsigned layers;
	uint64_t blob_bytes;     /* compressed layer bytes */
	uint64_t entries, whiteouts;
	char manifest_digest[8 + OCI_DIGEST_HEX];
	char sources[400];       /* registry pulls, blobs per source: "3 from mirror m:5000, 1 from registry r" */
};

/* Unpack the image top (an index or a manifest) from s. 0 or -errno, one line in err. */
int oci_image_unpack(const struct oci_store *s, const struct oci_desc *top, const struct oci_unpack_opts *o,
		     struct oci_unpack_stats *st, char *err, size_t errlen);

/* Check len bytes against d (size and sha256); -EBADMSG with both digests in err. */
int oci_blob_verify(const struct oci_desc *d, const void *buf, size_t len, char *err, size_t errlen);

/* printf into an event. */
void oci_emit(event_fn ev, void *ctx, int level, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
