/* archwrite: write an image as an oci-archive (an uncompressed tar of an OCI image layout:
 * oci-layout, index.json naming the image by org.opencontainers.image.ref.name,
 * blobs/sha256/<manifest, config, layers>) into a file at a base offset while it streams.
 * The whole tar layout follows from the manifest (every blob size is known before a layer
 * byte arrives), so the headers, oci-layout, index.json and the manifest are written at
 * once and each blob's bytes are pwritten at their place as they come: retries, Range
 * resumes and parallel downloads write the same bytes to the same offsets. */
#ifndef NETINIT_OCI_ARCHWRITE_H
#define NETINIT_OCI_ARCHWRITE_H
#include <stddef.h>
#include <stdint.h>

#include "oci/manifest.h"

#define OCI_LAYOUT_JSON "{\"imageLayoutVersion\":\"1.0.0\"}"

struct oci_aw_blob {
	uint8_t sha256[32];
	uint64_t off;            /* of the data, in the file (base included) */
	uint64_t size;
};

struct oci_archive_writer {
	int fd;                  /* the file, not owned */
	uint64_t base;           /* where the tar starts in it */
	uint64_t total;          /* bytes of the tar (end-of-archive blocks included) */
	struct oci_aw_blob *b;   /* manifest, config, layers: each digest once */
	size_t n;
};

/*
 * Lay out the archive of manifest md (mbuf: its mlen bytes, m: it parsed) labelled
 * ref_name, write the tar headers, oci-layout, index.json, the manifest and the
 * end-of-archive blocks at w->base in fd, and size the file to base + total (the blob
 * ranges stay holes until written). 0 or -errno with one line in err.
 */
int oci_aw_start(struct oci_archive_writer *w, int fd, uint64_t base, const struct oci_desc *md, const char *mbuf,
		 size_t mlen, const struct oci_manifest *m, const char *ref_name, char *err, size_t errlen);

/* The blob with this digest, or NULL when the archive has none. */
const struct oci_aw_blob *oci_aw_find(const struct oci_archive_writer *w, const uint8_t sha256[32]);

/* len bytes of blob b at pos inside it: 0, -ERANGE past its size, or -errno of pwrite. */
int oci_aw_write(const struct oci_archive_writer *w, const struct oci_aw_blob *b, uint64_t pos, const void *buf,
		 size_t len);

void oci_aw_free(struct oci_archive_writer *w);

#endif
