#include "oci/pathcheck.h"

#include <errno.h>
#include <string.h>

int oci_path_clean(const char *in, char *out, size_t outlen)
{
	size_t used = 0;
	const char *p = in, *s;

	if (!in || !*in)
		return -EINVAL;
	if (outlen == 0)
		return -ENAMETOOLONG;
	if (in[0] == '/')
		return -EPERM;
	for (s = in; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return -EINVAL;
	out[0] = '\0';
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EPERM;
		if (used + (used ? 1 : 0) + n + 1 > outlen)
			return -ENAMETOOLONG;
		if (used)
			out[used++] = '/';
		memcpy(out + used, p, n);
		used += n;
		out[used] = '\0';
		p += n;
	}
	return 0;
}

int oci_path_whiteout(const char *clean, enum oci_wh *kind, char *target, size_t tlen)
{
	const char *slash = strrchr(clean, '/');
	const char *base = slash ? slash + 1 : clean;
	size_t dirlen = slash ? (size_t)(slash - clean) : 0;
	const char *name;
	size_t need;

	*kind = OCI_WH_NONE;
	if (strncmp(base, OCI_WH_PREFIX, strlen(OCI_WH_PREFIX)) != 0)
		return 0;
	if (strcmp(base, OCI_WH_OPAQUE) == 0) {
		if (dirlen + 1 > tlen)
			return -ENAMETOOLONG;
		memcpy(target, clean, dirlen);
		target[dirlen] = '\0';
		*kind = OCI_WH_OPQ;
		return 0;
	}
	name = base + strlen(OCI_WH_PREFIX);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	need = dirlen + (dirlen ? 1 : 0) + strlen(name) + 1;
	if (need > tlen)
		return -ENAMETOOLONG;
	memcpy(target, clean, dirlen);
	if (dirlen)
		target[dirlen++] = '/';
	strcpy(target + dirlen, name);
	*kind = OCI_WH_FILE;
	return 0;
}
