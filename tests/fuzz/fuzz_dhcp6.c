/* libFuzzer: the DHCPv6 message parser and the client state table on hostile
 * bytes. The first input byte picks the mode:
 *   bit 0 clear: the rest is one whole message, parsed with its own xid;
 *   bit 0 set:   the rest is a sequence of option areas separated by "\xff\xfe",
 *                each put behind a header (Advertise or Reply by bit 2 of the
 *                first byte, then alternating) with the client's current xid
 *                and our Client Identifier and a Server Identifier, and fed to
 *                a client (stateless when bit 1 is set) with ticks in between,
 *                so the fuzzer reaches the options and every state without a
 *                seed corpus. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/dhcp6.h"
#include "net/dhcp6c.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t SRV[14] = { 0, 1, 0, 1, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01 };

static int nosend(void *ctx, const uint8_t *msg, size_t len)
{
	struct dhcp6_msg m;
	uint8_t duid[DHCP6_DUID_LL_LEN];

	(void)ctx;
	/* what we send must itself be well-formed, as a parser sees it */
	dhcp6_duid_ll(duid, sizeof(duid), MAC);
	if (len < DHCP6_HDR_LEN)
		__builtin_trap();
	dhcp6_parse(msg, len, 0, duid, sizeof(duid), dhcp6_iaid(MAC), &m);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[8192];
	uint8_t duid[DHCP6_DUID_LL_LEN];
	struct dhcp6_msg m;
	struct dhcp6c c;
	uint64_t now = 0;
	size_t pos, k;
	uint8_t type;

	if (size < 1)
		return 0;
	dhcp6_duid_ll(duid, sizeof(duid), MAC);
	if (!(data[0] & 1)) {
		if (size >= 1 + DHCP6_HDR_LEN) {
			uint32_t xid = (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];

			dhcp6_parse(data + 1, size - 1, xid, duid, sizeof(duid), dhcp6_iaid(MAC), &m);
		} else {
			dhcp6_parse(data + 1, size - 1, 0, duid, sizeof(duid), dhcp6_iaid(MAC), &m);
		}
		return 0;
	}
	memset(&c, 0, sizeof(c));
	memcpy(c.mac, MAC, 6);
	c.stateless = data[0] & 2;
	c.no_rapid_commit = data[0] & 8;
	c.timeout_ms = 600000;
	c.seed = 7;
	c.send = nosend;
	dhcp6c_start(&c, now);
	type = (data[0] & 4) ? DHCP6_REPLY : DHCP6_ADVERTISE;
	pos = 1;
	while (pos <= size) {
		size_t end = pos, n, len;

		while (end + 1 < size && !(data[end] == 0xff && data[end + 1] == 0xfe))
			end++;
		if (end + 1 >= size)
			end = size;
		n = end - pos;
		len = DHCP6_HDR_LEN + 4 + sizeof(duid) + 4 + sizeof(SRV) + n;
		if (len > sizeof(pkt))
			break;
		pkt[0] = type;
		pkt[1] = (uint8_t)(c.xid >> 16);
		pkt[2] = (uint8_t)(c.xid >> 8);
		pkt[3] = (uint8_t)c.xid;
		k = DHCP6_HDR_LEN;
		pkt[k++] = 0, pkt[k++] = DHCP6_OPT_CLIENTID, pkt[k++] = 0, pkt[k++] = sizeof(duid);
		memcpy(pkt + k, duid, sizeof(duid));
		k += sizeof(duid);
		pkt[k++] = 0, pkt[k++] = DHCP6_OPT_SERVERID, pkt[k++] = 0, pkt[k++] = sizeof(SRV);
		memcpy(pkt + k, SRV, sizeof(SRV));
		k += sizeof(SRV);
		memcpy(pkt + k, data + pos, n);
		dhcp6_parse(pkt, len, c.xid, duid, sizeof(duid), dhcp6_iaid(MAC), &m);
		dhcp6c_input(&c, pkt, len, now);
		now += 700;
		dhcp6c_tick(&c, now);
		if (dhcp6c_next_ms(&c) != UINT64_MAX && (n & 1))
			dhcp6c_tick(&c, now = dhcp6c_next_ms(&c));
		type = type == DHCP6_REPLY ? DHCP6_ADVERTISE : DHCP6_REPLY;
		pos = end + 2;
	}
	dhcp6c_tick(&c, now + 700000);
	return 0;
}
