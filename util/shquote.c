#include "util/shquote.h"

size_t sh_quote(char *out, size_t cap, const char *val)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < cap) out[n] = (c); n++; } while (0)
	PUT('\'');
	for (const char *p = val; *p; p++) {
		if (*p == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
			PUT('\'');
		} else {
			PUT(*p);
		}
	}
	PUT('\'');
#undef PUT
	if (cap)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}
