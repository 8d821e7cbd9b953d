/* mirrors: registry mirrors for a pull (containers-registries.conf [[registry.mirror]],
 * containerd hosts.toml): "<upstream>=<mirror-host[:port]>[,<option>...]", from
 * bootc.registry.mirror= (repeatable) and from the lines of OCI_MIRRORS_FILE ('#' comments,
 * blank lines). Options: insecure (TLS without verification, then plain HTTP, for that
 * mirror), resolve-tags (the mirror may answer a tag; otherwise it is asked only for
 * content by digest). Pure: no I/O. */
#ifndef NETINIT_OCI_MIRRORS_H
#define NETINIT_OCI_MIRRORS_H
#include <stdbool.h>
#include <stddef.h>

#define OCI_MIRRORS_FILE "/etc/netinit/registries.conf" /* beside OCI_AUTH_FILE */
#define OCI_MIRRORS_MAX  8   /* mirrors in all (command line and file) */
#define OCI_MIRROR_HOST  256 /* host[:port] with its NUL */

struct oci_mirror {
	char upstream[OCI_MIRROR_HOST]; /* the registry it mirrors, as in a reference: host[:port] */
	char host[OCI_MIRROR_HOST];     /* the mirror's host[:port] */
	bool insecure;
	bool resolve_tags;
};

struct oci_mirrors {
	struct oci_mirror m[OCI_MIRRORS_MAX];
	unsigned n;
};

/* One entry; 0 or -EINVAL (-ENOSPC: the list is full) with the offending part in err. */
int oci_mirrors_add(struct oci_mirrors *ms, const char *spec, char *err, size_t errlen);

/* The lines of a file's text; where names the file in messages. 0, or the first error
 * as oci_mirrors_add with "where:LINE: " in front (entries before it stay added). */
int oci_mirrors_parse_file(struct oci_mirrors *ms, const char *text, const char *where, char *err, size_t errlen);

/* Does entry m mirror the registry API host registry (docker.io matches Docker Hub's
 * API host registry-1.docker.io)? */
bool oci_mirror_matches(const struct oci_mirror *m, const char *registry);

/* "host[,insecure][,resolve-tags]" for messages and the plan. */
void oci_mirror_describe(const struct oci_mirror *m, char *out, size_t len);

#endif
