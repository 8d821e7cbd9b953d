/* pathcheck: turn the path of a layer entry into a clean path relative to the root,
 * or refuse it (absolute, "..", empty components are folded), and tell OCI whiteouts
 * (".wh.<name>", ".wh..wh..opq") apart from ordinary entries. Pure string work. */
#ifndef NETINIT_OCI_PATHCHECK_H
#define NETINIT_OCI_PATHCHECK_H
#include <stddef.h>

#define OCI_WH_PREFIX ".wh."         /* a whiteout's basename starts with this */
#define OCI_WH_OPAQUE ".wh..wh..opq" /* the directory's lower contents are hidden */

enum oci_wh {
	OCI_WH_NONE,   /* an ordinary entry */
	OCI_WH_FILE,   /* target = the path it removes from lower layers */
	OCI_WH_OPQ,    /* target = the directory whose lower contents go ("" = the root) */
};

/*
 * "./a//b/./c" -> "a/b/c"; "./" and "." -> "" (the root itself).
 * -EPERM for an absolute path or any ".." component, -ENAMETOOLONG if it does not
 * fit out, -EINVAL for an empty path or one with a control character.
 */
int oci_path_clean(const char *in, char *out, size_t outlen);

/* Classify a clean path. -EINVAL for a whiteout naming nothing (".wh.", ".wh..", ".wh..."). */
int oci_path_whiteout(const char *clean, enum oci_wh *kind, char *target, size_t tlen);

#endif
