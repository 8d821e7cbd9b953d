/* dhcpstr: which bytes a DHCP (v4 or v6) server may put in the strings netinit
 * keeps (host names, domains, boot file names and URLs). Header only. */
#ifndef NETINIT_NET_DHCPSTR_H
#define NETINIT_NET_DHCPSTR_H
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A host-name / DNS label character (and '.'). */
__attribute__((unused))
static bool host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

/* Printable, and harmless in KEY=value files and shell-free consumers. */
__attribute__((unused))
static bool path_char(uint8_t c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\' && c != '`' && c != '$';
}

/* Copy an option string into dst (cap bytes, NUL-terminated): trailing NULs are allowed
 * (some servers add one); an empty string, one that does not fit or any other byte outside
 * ok() makes the packet malformed (-EBADMSG). */
__attribute__((unused))
static int dhcp_opt_str(char *dst, size_t cap, const uint8_t *d, size_t len, bool (*ok)(uint8_t))
{
	size_t i;

	while (len && d[len - 1] == '\0')
		len--;
	if (len == 0 || len >= cap)
		return -EBADMSG;
	for (i = 0; i < len; i++)
		if (!ok(d[i]))
			return -EBADMSG;
	memcpy(dst, d, len);
	dst[len] = '\0';
	return 0;
}

#endif
