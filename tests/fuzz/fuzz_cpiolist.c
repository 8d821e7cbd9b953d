/* libFuzzer target: tools/cpiolist.c must reject or accept any list without crashing. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tools/cpiolist.h"

static const char *env(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] == 'X' ? NULL : "/expanded/value";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_list l = { 0 };
	char err[256];
	size_t i;

	cpiolist_parse(&l, (const char *)data, size, env, NULL, err, sizeof(err));
	for (i = 0; i < l.n; i++) {
		const struct cpio_entry *e = &l.e[i];

		/* Invariants the packer relies on. */
		if (!e->name || !e->name[0] || e->mode > CPIOLIST_MAX_MODE)
			__builtin_trap();
		if ((e->kind == CPIO_FILE || e->kind == CPIO_SLINK) && (!e->source || !e->source[0]))
			__builtin_trap();
		if (e->kind == CPIO_NOD && e->devtype != 'b' && e->devtype != 'c')
			__builtin_trap();
	}
	cpiolist_free(&l);
	return 0;
}
