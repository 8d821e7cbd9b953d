/* errbuf: the one helper every library uses to fill a caller's one-line error buffer
 * (char *err, size_t errlen; either may be NULL/0). Header only. */
#ifndef NETINIT_UTIL_ERRBUF_H
#define NETINIT_UTIL_ERRBUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4), unused))
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* What a server or an image said, made safe for one console line: control characters
 * (CR, LF, ESC, DEL...) become '?'. */
__attribute__((unused))
static void text_scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

#endif
