/* libFuzzer: the DHCP reply parser, the IPv4/UDP unframer and the client
 * state machine on hostile bytes. The first input byte picks the mode:
 * even: the bytes are a whole frame/packet; odd: they are the options area
 * (and, for overload, the file/sname fields) behind a valid header whose
 * xid and chaddr match, so the fuzzer reaches the option code quickly
 * without a seed corpus. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/dhcp.h"
#include "net/dhcpc.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static int nosend(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[4096];
	struct dhcp_msg m;
	struct dhcpc c;
	const uint8_t *pl;
	size_t plen, n;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct dhcp_hdr h;
		size_t rest = size - 1;

		memset(&h, 0, sizeof(h));
		h.op = DHCP_OP_REPLY;
		h.htype = DHCP_HTYPE_ETHER;
		h.hlen = 6;
		h.xid = htonl(0x01020304);
		h.yiaddr = htonl(0x0a000032);
		memcpy(h.chaddr, MAC, 6);
		h.magic = htonl(DHCP_MAGIC);
		/* bytes 1..192: file + sname (for overload), the rest: options */
		n = rest < sizeof(h.file) + sizeof(h.sname) ? rest : sizeof(h.file) + sizeof(h.sname);
		if (data[0] & 2) {
			memcpy(h.file, data + 1, n < sizeof(h.file) ? n : sizeof(h.file));
			if (n > sizeof(h.file))
				memcpy(h.sname, data + 1 + sizeof(h.file), n - sizeof(h.file));
		} else {
			n = 0;
		}
		if (sizeof(h) + rest - n > sizeof(pkt))
			return 0;
		memcpy(pkt, &h, sizeof(h));
		memcpy(pkt + sizeof(h), data + 1 + n, rest - n);
		dhcp_parse(pkt, sizeof(h) + rest - n, 0x01020304, MAC, &m);

		/* the same reply through a client waiting for an offer, then an ack */
		memset(&c, 0, sizeof(c));
		memcpy(c.mac, MAC, 6);
		c.timeout_ms = 1000;
		c.seed = 7;
		c.send = nosend;
		dhcpc_start(&c, 0);
		((struct dhcp_hdr *)pkt)->xid = htonl(c.xid);
		dhcpc_input(&c, pkt, sizeof(h) + rest - n, 1);
		((struct dhcp_hdr *)pkt)->xid = htonl(c.xid);
		dhcpc_input(&c, pkt, sizeof(h) + rest - n, 2);
		dhcpc_tick(&c, 3);
		dhcpc_tick(&c, 5000);
		return 0;
	}
	if (dhcp_unframe(data + 1, size - 1, &pl, &plen) == 0)
		dhcp_parse(pl, plen, 0x01020304, MAC, &m);
	if (size - 1 >= sizeof(struct dhcp_hdr)) {
		uint32_t xid;

		memcpy(&xid, data + 1 + 4, 4);
		dhcp_parse(data + 1, size - 1, ntohl(xid), data + 1 + 28, &m);
	}
	return 0;
}
