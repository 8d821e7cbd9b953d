/* rand: xorshift32, the small non-cryptographic generator the DHCP clients draw their
 * transaction ids and retransmission jitter from (they only need to differ between
 * clients). A state of 0 is replaced by a fixed odd constant. Header only. */
#ifndef NETINIT_UTIL_RAND_H
#define NETINIT_UTIL_RAND_H
#include <stdint.h>

__attribute__((unused))
static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

#endif
