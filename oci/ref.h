/* ref: parse an image reference docker://[registry[:port]/]repo[:tag|@sha256:<hex>]
 * with Docker's conventions: no registry part means Docker Hub (API host
 * registry-1.docker.io, one-word repositories under library/), no tag means latest. */
#ifndef NETINIT_OCI_REF_H
#define NETINIT_OCI_REF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OCI_REF_SCHEME   "docker://"
#define OCI_HUB_NAME     "docker.io"
#define OCI_HUB_API      "registry-1.docker.io"

struct oci_ref {
	char registry[256];   /* host[:port] the API is on */
	char repo[256];       /* repository path, e.g. library/busybox */
	char tag[129];        /* tag, "" when by digest */
	char digest[72];      /* "sha256:<hex>", "" when by tag */
	uint8_t sha256[32];   /* the digest, binary */
};

/* 0, or -EINVAL with the offending part in err. */
int oci_ref_parse(const char *s, struct oci_ref *r, char *err, size_t errlen);

/* "registry/repo:tag" or "registry/repo@sha256:..." for messages. */
void oci_ref_describe(const struct oci_ref *r, char *out, size_t len);

#endif
