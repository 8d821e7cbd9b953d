/* archive: unpack an image from an oci-archive (an uncompressed tar of an OCI image
 * layout: oci-layout, index.json, blobs/sha256/...) in a local file. The image is the
 * index.json descriptor whose ref.name is the label (bootclabel); its blobs are read
 * in place, verified, and each layer's bytes are given back to the filesystem
 * (hole punching, on a tmpfs) once it is applied, when asked. */
#ifndef NETINIT_OCI_ARCHIVE_H
#define NETINIT_OCI_ARCHIVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/image.h"

struct oci_archive_opts {
	const char *label;      /* ref.name to pick; "latest" when the user gave none */
	bool label_default;     /* the user gave no bootclabel */
	bool punch;             /* punch each applied layer out of the file (it is ours to eat) */
	uint64_t base;          /* the tar starts here in the file and runs to its end (0: a plain archive) */
};

/* 0 or -errno with one line in err (-ENOENT: no such label, the labels are listed). */
int oci_archive_unpack(const char *path, const struct oci_archive_opts *a, const struct oci_unpack_opts *o,
		       struct oci_unpack_stats *st, char *err, size_t errlen);

#endif
