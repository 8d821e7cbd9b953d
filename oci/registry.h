/*
 * registry: pull an image from a registry over the OCI distribution API (v2) with
 * libcurl and unpack it while it streams: manifest with OCI and Docker Accept types,
 * an index resolved to linux/<arch>, blobs with redirects followed (Authorization is
 * never sent to another host), anonymous access, HTTP Basic, and the Bearer token
 * flow from WWW-Authenticate; credentials from a file (format in docs/oci.md, never
 * echoed). Layers go network -> sha256 -> decompress -> extract through a socket
 * pair into an applier thread: no blob is stored, unless the caller asks for an oci-archive
 * of the image (archive_path), whose blobs are then written in place as they stream. The next layer downloads while one
 * is applied, its bytes held in bounded socket buffers. Cut transfers resume with Range.
 */
#ifndef NETINIT_OCI_REGISTRY_H
#define NETINIT_OCI_REGISTRY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/image.h"
#include "oci/mirrors.h"
#include "oci/ref.h"

#define OCI_AUTH_FILE "/etc/netinit/registry-auth" /* default credentials file */

struct oci_registry_opts {
	bool insecure;          /* bootc.registry.unsecure: HTTPS without verification, then plain HTTP */
	const char *auth_file;  /* NULL = OCI_AUTH_FILE; a missing file means anonymous */
	const char *cacert;     /* NULL/"" = libcurl's bundle */
	const char *proxy;      /* NULL/"" = none */
	unsigned retry_s;       /* keep retrying refused connections and 5xx this long */
	/* Also keep the image: write it as an oci-archive (oci/archwrite.h) into this file
	 * (created if missing), the tar starting at archive_base (room for a header in front),
	 * labelled archive_ref (NULL = "latest"). Only the compressed blobs are stored, once. */
	const char *archive_path;
	uint64_t archive_base;
	const char *archive_ref;
	/* Registry mirrors (bootc.registry.mirror=), tried before the registry, then those of
	 * mirrors_file (NULL = OCI_MIRRORS_FILE; a missing file means none). Entries for
	 * other registries are ignored. */
	const struct oci_mirrors *mirrors;
	const char *mirrors_file;
};

/*
 * Pull ref and unpack it into o->root. 0, or -errno with one line in err:
 *   -ENOENT   404 (the registry's error code and message are quoted)
 *   -EACCES   401/403 after the token flow (names the credentials file)
 *   -EBADMSG  a digest or size mismatch
 *   -EIO      5xx or a broken connection after the retries
 *   -EINVAL   a bad line in the mirrors file
 * Mirrors: each request goes to the mirrors in order, then the registry; a tag only to a
 * mirror marked resolve-tags. Anything but a good answer from a mirror moves on (a dead one
 * is not asked again); every blob is verified, and a mirror whose bytes fail is not used
 * again (if they already reached the root, it is emptied and the image unpacked again).
 * st->sources names how many blobs each source served.
 */
int oci_registry_unpack(const struct oci_ref *ref, const struct oci_registry_opts *r,
			const struct oci_unpack_opts *o, struct oci_unpack_stats *st, char *err, size_t errlen);

#endif
