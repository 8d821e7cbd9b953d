/* hex: the value of one hexadecimal digit (either case), or -1. Header only. */
#ifndef NETINIT_UTIL_HEX_H
#define NETINIT_UTIL_HEX_H

__attribute__((unused))
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
