/* libFuzzer target: the registry mirrors parser (bootc.registry.mirror= values and the lines
 * of /etc/netinit/registries.conf). Whatever the text, at most OCI_MIRRORS_MAX entries come
 * out, each with a non-empty upstream and host of host characters only (no scheme, path,
 * user or space, so nothing can be smuggled into a URL), and each entry written back as
 * "<upstream>=<describe>" parses to the same entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/mirrors.h"

static void check_host(const char *h)
{
	if (!*h || strlen(h) >= OCI_MIRROR_HOST || strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-_:[]") != strlen(h))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_mirrors ms = { .n = 0 };
	char *text = malloc(size + 1), err[512], d[OCI_MIRROR_HOST + 32], spec[2 * OCI_MIRROR_HOST + 40];
	unsigned i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (oci_mirrors_parse_file(&ms, text, "f", err, sizeof(err)) < 0 && !err[0])
		abort(); /* an error always says why */
	if (ms.n > OCI_MIRRORS_MAX)
		abort();
	for (i = 0; i < ms.n; i++) {
		struct oci_mirrors again = { .n = 0 };

		check_host(ms.m[i].upstream);
		check_host(ms.m[i].host);
		oci_mirror_describe(&ms.m[i], d, sizeof(d));
		snprintf(spec, sizeof(spec), "%s=%s", ms.m[i].upstream, d);
		if (oci_mirrors_add(&again, spec, err, sizeof(err)) != 0 || again.n != 1 ||
		    memcmp(&again.m[0], &ms.m[i], sizeof(again.m[0])) != 0)
			abort();
	}
	free(text);
	return 0;
}
