/* shquote: the one quoting rule for values netinit writes into files that sh
 * sources (/run/netinit/net/<iface>.env): the value in single quotes, each '
 * written as '\''. Whatever bytes the value holds ($(...), backquotes, quotes,
 * newlines, blanks), `. file` gives back exactly those bytes and runs nothing. */
#ifndef NETINIT_UTIL_SHQUOTE_H
#define NETINIT_UTIL_SHQUOTE_H
#include <stddef.h>

/* Write val quoted into out (cap bytes, NUL-terminated) when it fits; returns the
 * length of the quoted text either way (so cap <= the return value means "too small"). */
size_t sh_quote(char *out, size_t cap, const char *val);

#endif
