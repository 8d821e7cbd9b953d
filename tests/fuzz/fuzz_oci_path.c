/* libFuzzer target: the layer path checks. Whatever a layer entry is called, a clean
 * path is relative, has no "." or ".." component and no empty one, and a whiteout's
 * target is a clean path inside the same directory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/pathcheck.h"

static void check_clean(const char *p)
{
	const char *c = p;

	if (p[0] == '/' || strstr(p, "//") || (*p && p[strlen(p) - 1] == '/'))
		abort();
	while (*c) {
		size_t n = strcspn(c, "/");

		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		c += n;
		if (*c == '/')
			c++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), out[512], target[512];
	enum oci_wh kind;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (oci_path_clean(in, out, sizeof(out)) == 0) {
		check_clean(out);
		if (oci_path_whiteout(out, &kind, target, sizeof(target)) == 0 && kind != OCI_WH_NONE) {
			check_clean(target);
			if (kind == OCI_WH_FILE && !*target)
				abort();
		}
	}
	free(in);
	return 0;
}
