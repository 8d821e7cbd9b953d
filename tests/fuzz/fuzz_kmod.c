/* libFuzzer target: kmod/kmod.c index parsers, alias globs and dependency resolution.
 * Input: byte 0 picks the index (dep, alias, softdep, builtin, or all four split at "\n\f\n");
 * then modules are resolved by name with a recording insert hook (nothing is loaded). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmod/kmod.h"

static int fake_insert(void *ctx, const char *path, const char *params)
{
	(void)ctx;
	return (strlen(path) + strlen(params)) % 7 == 0 ? -19 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const params[] = { "a.x=1", "b.y=two words", "c-c.z" };
	struct kmod_ctx *k;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	char name[64];
	size_t n;

	if (size < 1 || kmod_open(&k, NULL, params, 3, NULL, NULL))
		return 0;
	kmod_set_hooks(k, "/nonexistent-sysfs", fake_insert, NULL);
	if (data[0] % 5 < 4) {
		kmod_parse_index(k, (enum kmod_index)(data[0] % 5), p, (size_t)(end - p));
	} else {
		for (int i = 0; i <= KMOD_INDEX_BUILTIN && p <= end; i++) {
			const char *sep = memmem(p, (size_t)(end - p), "\n\f\n", 3);
			const char *stop = sep ? sep : end;

			kmod_parse_index(k, (enum kmod_index)i, p, (size_t)(stop - p));
			p = sep ? sep + 3 : end + 1;
		}
	}
	/* Resolve the first word of the input and a few fixed names. */
	p = (const char *)data + 1;
	for (n = 0; p + n < end && n < sizeof(name) - 1 && !strchr(" \t\n:", p[n]); n++)
		name[n] = p[n];
	name[n] = 0;
	kmod_load(k, name);
	kmod_load(k, "a");
	kmod_load(k, "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00");
	/* Glob: the data split at its first NUL into pattern and string. */
	if (memchr(data, 0, size) && data[size - 1] == 0) {
		const char *pat = (const char *)data;

		kmod_glob_match(pat, pat + strlen(pat) + 1 <= (const char *)data + size - 1 ?
					     pat + strlen(pat) + 1 : "");
	}
	kmod_close(k);
	return 0;
}
