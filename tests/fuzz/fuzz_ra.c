/* libFuzzer: the RTM_NEWNDUSEROPT parser (RDNSS, DNSSL from a router advertisement)
 * on hostile bytes: either the whole netlink body, or (odd first byte) the options
 * behind a valid header for ifindex 2, so the fuzzer reaches the option code at once;
 * and the neighbour-advertisement parser (ra_parse_na) on the same bytes, raw and
 * behind a valid NA header. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "net/ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[4096];
	struct nduseroptmsg m;
	struct ra_dns d;

	struct in6_addr t;
	uint8_t mac[6];

	memset(&d, 0, sizeof(d));
	if (size < 1)
		return 0;
	ra_parse_na(data, size, &t, mac);
	if (size - 1 + 24 <= sizeof(body)) {
		memset(body, 0, 24);
		body[0] = 136;
		memcpy(body + 24, data + 1, size - 1);
		ra_parse_na(body, 24 + size - 1, &t, mac);
	}
	if (!(data[0] & 1)) {
		ra_parse_useropt(data + 1, size - 1, 2, &d);
		return 0;
	}
	if (size - 1 + sizeof(m) > sizeof(body))
		return 0;
	memset(&m, 0, sizeof(m));
	m.nduseropt_family = AF_INET6;
	m.nduseropt_opts_len = (uint16_t)(size - 1);
	m.nduseropt_ifindex = 2;
	m.nduseropt_icmp_type = 134;
	memcpy(body, &m, sizeof(m));
	memcpy(body + sizeof(m), data + 1, size - 1);
	/* twice: the second call sees the first one's state (withdrawals, duplicates) */
	ra_parse_useropt(body, sizeof(m) + size - 1, 2, &d);
	ra_parse_useropt(body, sizeof(m) + size - 1, 2, &d);
	return 0;
}
