/* Unit tests: net/dhcp.c (build, parse, IPv4/UDP framing) and net/dhcpc.c
 * (the client's states, retransmission and timeout), with hand-made packets:
 * good replies, truncated packets, options running past the end, zero-length
 * and oversize options, overload, wrong magic cookie, wrong xid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/dhcp.h"
#include "net/dhcpc.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define XID 0x11223344u

/* A reply: the fixed header, then the given option bytes (not terminated). */
struct pkt {
	uint8_t b[2048];
	size_t len;
};

static void reply(struct pkt *p, uint32_t xid, const char *yiaddr, const uint8_t *opts, size_t olen)
{
	struct dhcp_hdr h;

	memset(p, 0, sizeof(*p));
	memset(&h, 0, sizeof(h));
	h.op = DHCP_OP_REPLY;
	h.htype = DHCP_HTYPE_ETHER;
	h.hlen = 6;
	h.xid = htonl(xid);
	inet_pton(AF_INET, yiaddr, &h.yiaddr);
	inet_pton(AF_INET, "10.0.0.1", &h.siaddr);
	memcpy(h.chaddr, MAC, 6);
	h.magic = htonl(DHCP_MAGIC);
	memcpy(p->b, &h, sizeof(h));
	memcpy(p->b + sizeof(h), opts, olen);
	p->len = sizeof(h) + olen;
}

#define O(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define ACK_HEAD 53, 1, DHCP_ACK, 54, 4, 10, 0, 0, 1
#define OFFER_HEAD 53, 1, DHCP_OFFER, 54, 4, 10, 0, 0, 1

static const char *ip4(struct in_addr a)
{
	static char b[4][INET_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return inet_ntop(AF_INET, &a, b[k], sizeof(b[k]));
}

/* ---- parse: table of option sets and what comes out ---- */
struct prow {
	int at;
	const uint8_t *opts;
	size_t olen;
	int rc;
	const char *field, *want;
};
#define P(rc, f, w, ...) { __LINE__, O(__VA_ARGS__), rc, f, w }

static void pfield(const struct dhcp_msg *m, const char *f, char *out, size_t len)
{
	if (!strcmp(f, "type")) snprintf(out, len, "%u", m->type);
	else if (!strcmp(f, "prefix")) snprintf(out, len, "%d/%u", m->has_netmask, m->prefix);
	else if (!strcmp(f, "routers")) snprintf(out, len, "%u:%s", m->n_routers, ip4(m->routers[0]));
	else if (!strcmp(f, "dns")) snprintf(out, len, "%u:%s,%s", m->n_dns, ip4(m->dns[0]), ip4(m->dns[1]));
	else if (!strcmp(f, "hostname")) snprintf(out, len, "%s", m->hostname);
	else if (!strcmp(f, "domain")) snprintf(out, len, "%s", m->domain);
	else if (!strcmp(f, "search")) snprintf(out, len, "%s", m->search);
	else if (!strcmp(f, "mtu")) snprintf(out, len, "%u", m->mtu);
	else if (!strcmp(f, "lease")) snprintf(out, len, "%u", m->lease);
	else if (!strcmp(f, "server")) snprintf(out, len, "%s", ip4(m->server_id));
	else if (!strcmp(f, "yiaddr")) snprintf(out, len, "%s", ip4(m->yiaddr));
	else if (!strcmp(f, "siaddr")) snprintf(out, len, "%s", ip4(m->siaddr));
	else if (!strcmp(f, "tftp")) snprintf(out, len, "%s", m->tftp_server);
	else if (!strcmp(f, "file")) snprintf(out, len, "%s", m->bootfile);
	else if (!strcmp(f, "routes")) {
		size_t n = (size_t)snprintf(out, len, "%d:%u", m->has_classless, m->n_routes);

		for (int i = 0; i < m->n_routes && n < len; i++)
			n += (size_t)snprintf(out + n, len - n, " %s/%u>%s", ip4(m->routes[i].dst),
					      m->routes[i].prefix, ip4(m->routes[i].gw));
	} else snprintf(out, len, "?%s", f);
}

static const struct prow prows[] = {
	P(0, "type", "5", ACK_HEAD, 255),
	P(0, "server", "10.0.0.1", ACK_HEAD, 255),
	P(0, "yiaddr", "10.0.0.50", ACK_HEAD, 255),
	P(0, "siaddr", "10.0.0.1", ACK_HEAD, 255),
	P(0, "prefix", "1/24", ACK_HEAD, 1, 4, 255, 255, 255, 0, 255),
	P(0, "prefix", "1/0", ACK_HEAD, 1, 4, 0, 0, 0, 0, 255),
	P(0, "routers", "2:10.0.0.254", ACK_HEAD, 3, 8, 10, 0, 0, 254, 10, 0, 0, 253, 255),
	P(0, "dns", "2:10.0.0.53,10.0.0.54", ACK_HEAD, 6, 8, 10, 0, 0, 53, 10, 0, 0, 54, 255),
	P(0, "dns", "4:10.0.0.1,10.0.0.2", ACK_HEAD, 6, 20, 10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4, 10, 0, 0, 5, 255),
	P(0, "hostname", "node1", ACK_HEAD, 12, 5, 'n', 'o', 'd', 'e', '1', 255),
	P(0, "hostname", "node1", ACK_HEAD, 12, 6, 'n', 'o', 'd', 'e', '1', 0, 255),	/* trailing NUL */
	P(0, "domain", "ex.test", ACK_HEAD, 15, 7, 'e', 'x', '.', 't', 'e', 's', 't', 255),
	P(0, "mtu", "1400", ACK_HEAD, 26, 2, 0x05, 0x78, 255),
	P(0, "lease", "3600", ACK_HEAD, 51, 4, 0, 0, 0x0e, 0x10, 255),
	P(0, "tftp", "boot.ex", ACK_HEAD, 66, 7, 'b', 'o', 'o', 't', '.', 'e', 'x', 255),
	P(0, "file", "pxelinux.0", ACK_HEAD, 67, 10, 'p', 'x', 'e', 'l', 'i', 'n', 'u', 'x', '.', '0', 255),
	P(0, "type", "5", ACK_HEAD, 0, 0, 0, 255),			/* pads */
	P(0, "type", "5", ACK_HEAD),					/* no END: runs to the end */
	P(0, "type", "5", ACK_HEAD, 255, 1, 200, 7),			/* garbage after END is ignored */
	P(0, "type", "5", ACK_HEAD, 200, 0, 255),			/* unknown zero-length option */
	/* RFC 3442 classless routes */
	P(0, "routes", "1:3 10.20.0.0/16>10.0.0.254 0.0.0.0/0>10.0.0.1 192.168.1.128/25>0.0.0.0", ACK_HEAD,
	  121, 21, 16, 10, 20, 10, 0, 0, 254, 0, 10, 0, 0, 1, 25, 192, 168, 1, 128, 0, 0, 0, 0, 255),
	P(0, "routes", "1:1 10.240.0.0/12>10.0.0.1", ACK_HEAD, 121, 7, 12, 10, 0xff /* bits past /12 masked */, 10, 0, 0, 1, 255),
	P(0, "routes", "1:1 10.1.2.3/32>10.0.0.1", ACK_HEAD, 121, 9, 32, 10, 1, 2, 3, 10, 0, 0, 1, 255),
	/* RFC 3396: split option concatenated */
	P(0, "routes", "1:1 10.20.0.0/16>10.0.0.254", ACK_HEAD, 121, 3, 16, 10, 20, 121, 4, 10, 0, 0, 254, 255),
	/* RFC 3397 search list, with a compression pointer */
	P(0, "search", "a.example b.example", ACK_HEAD, 119, 15, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	  1, 'b', 0xc0, 0x02, 255),
	P(0, "search", "eng.x", ACK_HEAD, 119, 7, 3, 'e', 'n', 'g', 1, 'x', 0, 255),
	/* option overload (52): options continue in the file field */
	P(0, "type", "5", 53, 1, DHCP_ACK, 54, 4, 10, 0, 0, 1, 52, 1, 3, 255),
	/* malformed: refused */
	P(-EBADMSG, "", "", ACK_HEAD, 1, 4, 255, 0, 255, 0, 255),		/* non-contiguous mask */
	P(-EBADMSG, "", "", ACK_HEAD, 1, 3, 255, 255, 255, 255),		/* netmask length 3 */
	P(-EBADMSG, "", "", ACK_HEAD, 1, 5, 255, 255, 255, 0, 0, 255),	/* netmask length 5 */
	P(-EBADMSG, "", "", ACK_HEAD, 3, 0, 255),				/* zero-length routers */
	P(-EBADMSG, "", "", ACK_HEAD, 3, 6, 10, 0, 0, 1, 10, 0, 255),	/* routers not *4 */
	P(-EBADMSG, "", "", ACK_HEAD, 6, 9, 1, 1, 1, 1, 2, 2, 2, 2, 3, 255),
	P(-EBADMSG, "", "", ACK_HEAD, 12, 0, 255),				/* zero-length host name */
	P(-EBADMSG, "", "", ACK_HEAD, 12, 3, 'a', '\n', 'b', 255),		/* newline in a name */
	P(-EBADMSG, "", "", ACK_HEAD, 15, 3, 'a', ' ', 'b', 255),
	P(-EBADMSG, "", "", ACK_HEAD, 67, 4, 'a', '$', 'b', 'c', 255),	/* shell metacharacter */
	P(-EBADMSG, "", "", ACK_HEAD, 26, 2, 0, 20, 255),			/* MTU below 68 */
	P(-EBADMSG, "", "", ACK_HEAD, 26, 4, 0, 0, 5, 220, 255),		/* MTU length 4 */
	P(-EBADMSG, "", "", ACK_HEAD, 51, 2, 0, 1, 255),
	P(-EBADMSG, "", "", ACK_HEAD, 54, 5, 10, 0, 0, 1, 1, 255),
	P(-EBADMSG, "", "", 53, 0, 255),					/* zero-length type */
	P(-EBADMSG, "", "", 53, 2, 5, 5, 255),
	P(-EBADMSG, "", "", 53, 1, 9, 255),					/* unknown type */
	P(-EBADMSG, "", "", 255),						/* no type at all (BOOTP) */
	P(-EBADMSG, "", "", ACK_HEAD, 3, 200, 10, 0, 0, 1),			/* length past the end */
	P(-EBADMSG, "", "", ACK_HEAD, 3),					/* no length byte */
	P(-EBADMSG, "", "", ACK_HEAD, 52, 1, 4, 255),			/* bad overload value */
	P(-EBADMSG, "", "", ACK_HEAD, 121, 5, 33, 10, 0, 0, 1, 255),		/* width > 32 */
	P(-EBADMSG, "", "", ACK_HEAD, 121, 6, 16, 10, 20, 10, 0, 0, 255),	/* router cut short */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 4, 2, 'a', 'b', 3, 255),		/* label past the end */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 2, 0xc0, 0x00, 255),		/* pointer to itself */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 5, 1, 'a', 0xc0, 0x04, 0, 255),	/* pointer forward */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 3, 1, 'a', 0xc0, 255),		/* pointer cut short */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 4, 0x40, 'a', 'b', 0, 255),	/* reserved label type */
	P(-EBADMSG, "", "", ACK_HEAD, 119, 4, 2, 'a', '.', 0, 255),		/* dot inside a label */
};

static void check_prow(const struct prow *r, const char *file)
{
	struct pkt p;
	struct dhcp_msg m;
	char got[512];
	int rc;

	reply(&p, XID, "10.0.0.50", r->opts, r->olen);
	rc = dhcp_parse(p.b, p.len, XID, MAC, &m);
	if (rc != r->rc) {
		print_error("%s:%d: rc %d, want %d\n", file, r->at, rc, r->rc);
		_fail(file, r->at);
	}
	if (rc)
		return;
	pfield(&m, r->field, got, sizeof(got));
	if (strcmp(got, r->want)) {
		print_error("%s:%d: %s is '%s', want '%s'\n", file, r->at, r->field, got, r->want);
		_fail(file, r->at);
	}
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prows) / sizeof(prows[0]); i++)
		check_prow(&prows[i], __FILE__);
}

static void test_parse_envelope(void **state)
{
	struct pkt p;
	struct dhcp_msg m;
	struct dhcp_hdr *h = (struct dhcp_hdr *)p.b;

	(void)state;
	reply(&p, XID, "10.0.0.50", O(ACK_HEAD, 255));
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	/* wrong xid, wrong chaddr, a request instead of a reply: not for us */
	assert_int_equal(dhcp_parse(p.b, p.len, XID + 1, MAC, &m), -ENOMSG);
	assert_int_equal(dhcp_parse(p.b, p.len, XID, (const uint8_t[]){ 1, 2, 3, 4, 5, 6 }, &m), -ENOMSG);
	h->op = DHCP_OP_REQUEST;
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -ENOMSG);
	h->op = DHCP_OP_REPLY;
	h->hlen = 16;
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -ENOMSG);
	h->hlen = 6;
	/* wrong magic cookie: malformed */
	h->magic = htonl(0x63825364);
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -EBADMSG);
	h->magic = htonl(DHCP_MAGIC);
	/* truncated anywhere in the header, and inside an option */
	for (size_t n = 0; n < sizeof(struct dhcp_hdr); n++)
		assert_int_equal(dhcp_parse(p.b, n, XID, MAC, &m), -EBADMSG);
	assert_int_equal(dhcp_parse(p.b, sizeof(struct dhcp_hdr) + 5, XID, MAC, &m), -EBADMSG);
	/* an OFFER/ACK without an address is useless */
	reply(&p, XID, "0.0.0.0", O(ACK_HEAD, 255));
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -EBADMSG);
	reply(&p, XID, "255.255.255.255", O(OFFER_HEAD, 255));
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -EBADMSG);
	/* a NAK carries no address: fine */
	reply(&p, XID, "0.0.0.0", O(53, 1, DHCP_NAK, 54, 4, 10, 0, 0, 1, 56, 3, 'n', 'o', 0x07, 255));
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	assert_string_equal(m.message, "no?");	/* control bytes sanitised */
	/* oversize packet */
	assert_int_equal(dhcp_parse(p.b, sizeof(p.b), XID, MAC, &m), -EBADMSG);
}

static void test_overload_and_file(void **state)
{
	struct pkt p;
	struct dhcp_msg m;
	struct dhcp_hdr *h = (struct dhcp_hdr *)p.b;

	(void)state;
	/* boot file from the header's file field */
	reply(&p, XID, "10.0.0.50", O(ACK_HEAD, 255));
	memcpy(h->file, "boot/x.efi", 11);
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	assert_string_equal(m.bootfile, "boot/x.efi");
	/* option 67 wins over the file field */
	reply(&p, XID, "10.0.0.50", O(ACK_HEAD, 67, 3, 'a', '.', 'b', 255));
	memcpy(h->file, "boot/x.efi", 11);
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	assert_string_equal(m.bootfile, "a.b");
	/* a file field without NUL uses all 128 bytes */
	reply(&p, XID, "10.0.0.50", O(ACK_HEAD, 255));
	memset(h->file, 'f', sizeof(h->file));
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	assert_int_equal(strlen(m.bootfile), 128);
	/* overload 1: options in the file field (DNS), overload 3: also sname */
	reply(&p, XID, "10.0.0.50", O(53, 1, DHCP_ACK, 54, 4, 10, 0, 0, 1, 52, 1, 3, 255));
	memcpy(h->file, (const uint8_t[]){ 6, 4, 10, 0, 0, 53, 255 }, 7);
	memcpy(h->sname, (const uint8_t[]){ 26, 2, 0x05, 0xdc, 255 }, 5);
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), 0);
	assert_int_equal(m.n_dns, 1);
	assert_int_equal(m.mtu, 1500);
	assert_string_equal(m.bootfile, "");
	/* an option in the file field that runs past the field's end */
	reply(&p, XID, "10.0.0.50", O(53, 1, DHCP_ACK, 54, 4, 10, 0, 0, 1, 52, 1, 1, 255));
	memset(h->file, 0, sizeof(h->file));
	h->file[120] = 6;
	h->file[121] = 12;
	assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -EBADMSG);
	/* a long option spread over many instances beyond the collection buffer */
	{
		uint8_t o[1400];
		size_t n = 0;

		memcpy(o, (const uint8_t[]){ ACK_HEAD }, 9);
		n = 9;
		while (n + 257 < sizeof(o)) {
			o[n++] = 119;
			o[n++] = 255;
			memset(o + n, 1, 255);
			n += 255;
		}
		o[n++] = 255;
		reply(&p, XID, "10.0.0.50", o, n);
		assert_int_equal(dhcp_parse(p.b, p.len, XID, MAC, &m), -EBADMSG);
	}
}

static void test_build(void **state)
{
	uint8_t buf[600];
	struct dhcp_req r;
	const struct dhcp_hdr *h = (const struct dhcp_hdr *)buf;
	int n;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.type = DHCP_REQUEST;
	r.xid = XID;
	r.secs = 3;
	memcpy(r.mac, MAC, 6);
	inet_pton(AF_INET, "10.0.0.50", &r.requested);
	inet_pton(AF_INET, "10.0.0.1", &r.server_id);
	r.hostname = "node1";
	r.vendor_class = "netinit";
	n = dhcp_build(buf, sizeof(buf), &r);
	assert_true(n >= DHCP_MIN_LEN && n < 400);
	assert_int_equal(h->op, DHCP_OP_REQUEST);
	assert_int_equal(ntohl(h->xid), XID);
	assert_int_equal(ntohs(h->secs), 3);
	assert_int_equal(ntohs(h->flags), DHCP_FLAG_BROADCAST);
	assert_memory_equal(h->chaddr, MAC, 6);
	assert_int_equal(ntohl(h->magic), DHCP_MAGIC);
	/* walk our own options: every one we promise is there */
	{
		const uint8_t *o = buf + sizeof(*h), *end = buf + n;
		int seen[256] = { 0 };

		while (o < end && *o != 255) {
			if (*o == 0) {
				o++;
				continue;
			}
			assert_true(o + 2 + o[1] <= end);
			seen[o[0]]++;
			if (o[0] == DHCP_OPT_CLIENT_ID) {
				assert_int_equal(o[1], 7);
				assert_int_equal(o[2], DHCP_HTYPE_ETHER);
				assert_memory_equal(o + 3, MAC, 6);
			}
			if (o[0] == DHCP_OPT_HOSTNAME)
				assert_memory_equal(o + 2, "node1", 5);
			o += 2 + o[1];
		}
		assert_true(o < end);
		for (int c = 0; c < 256; c++)
			if (c == 53 || c == 61 || c == 50 || c == 54 || c == 55 || c == 57 || c == 60 || c == 12)
				assert_int_equal(seen[c], 1);
	}
	/* a server reply parser must not take our request for a reply */
	{
		struct dhcp_msg m;

		assert_int_equal(dhcp_parse(buf, (size_t)n, XID, MAC, &m), -ENOMSG);
	}
	assert_int_equal(dhcp_build(buf, 100, &r), -ENOSPC);
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		r.hostname = longname;
		assert_int_equal(dhcp_build(buf, sizeof(buf), &r), -ENOSPC);	/* > 255: refused, not cut */
	}
}

static void test_frame(void **state)
{
	uint8_t msg[300], frame[400];
	const uint8_t *pl;
	size_t plen;
	int n;

	(void)state;
	memset(msg, 0xab, sizeof(msg));
	n = dhcp_frame(frame, sizeof(frame), msg, sizeof(msg));
	assert_int_equal(n, 20 + 8 + 300);
	assert_int_equal(frame[0], 0x45);
	/* our frame is to port 67: unframe (client side, port 68) ignores it */
	assert_int_equal(dhcp_unframe(frame, (size_t)n, &pl, &plen), -ENOMSG);
	/* turn it into a server->client frame */
	frame[20 + 2] = 0;
	frame[20 + 3] = 68;
	assert_int_equal(dhcp_unframe(frame, (size_t)n, &pl, &plen), 0);
	assert_int_equal(plen, 300);
	assert_ptr_equal(pl, frame + 28);
	/* truncated, bad header checksum, bad lengths, fragments, other protocols */
	for (size_t k = 0; k < 28; k++)
		assert_int_not_equal(dhcp_unframe(frame, k, &pl, &plen), 0);
	assert_int_equal(dhcp_unframe(frame, (size_t)n - 1, &pl, &plen), -EBADMSG);	/* tot_len > len */
	frame[8] ^= 1;	/* ttl: checksum now wrong */
	assert_int_equal(dhcp_unframe(frame, (size_t)n, &pl, &plen), -EBADMSG);
	frame[8] ^= 1;
	frame[20 + 4] = 0xff;	/* UDP length larger than the IP payload */
	assert_int_equal(dhcp_unframe(frame, (size_t)n, &pl, &plen), -EBADMSG);
	assert_int_equal(dhcp_frame(frame, 10, msg, sizeof(msg)), -ENOSPC);
}

/* ---- the client: a fake network that records what it sends ---- */
struct net {
	int sent;
	uint8_t last[600];
	size_t last_len;
};

static int fake_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct net *n = ctx;

	n->sent++;
	memcpy(n->last, msg, len < sizeof(n->last) ? len : sizeof(n->last));
	n->last_len = len;
	return 0;
}

static uint8_t last_type(const struct net *n)
{
	const uint8_t *o = n->last + sizeof(struct dhcp_hdr);

	return o[0] == DHCP_OPT_MSG_TYPE ? o[2] : 0;
}

static uint32_t last_xid(const struct net *n)
{
	return ntohl(((const struct dhcp_hdr *)n->last)->xid);
}

static void client(struct dhcpc *c, struct net *n)
{
	memset(c, 0, sizeof(*c));
	memset(n, 0, sizeof(*n));
	memcpy(c->mac, MAC, 6);
	c->timeout_ms = 30000;
	c->seed = 42;
	c->send = fake_send;
	c->ctx = n;
}

static void deliver(struct dhcpc *c, uint64_t t, const char *yiaddr, const uint8_t *opts, size_t olen, int want)
{
	struct pkt p;

	reply(&p, c->xid, yiaddr, opts, olen);
	assert_int_equal(dhcpc_input(c, p.b, p.len, t), want);
}

static void test_client_normal(void **state)
{
	struct dhcpc c;
	struct net n;

	(void)state;
	client(&c, &n);
	dhcpc_start(&c, 1000);
	assert_int_equal(c.state, DHCPC_SELECTING);
	assert_int_equal(n.sent, 1);
	assert_int_equal(last_type(&n), DHCP_DISCOVER);
	/* an ACK while selecting is ignored */
	deliver(&c, 1001, "10.0.0.50", O(ACK_HEAD, 255), 0);
	assert_int_equal(c.state, DHCPC_SELECTING);
	/* garbage is counted, not trusted */
	deliver(&c, 1002, "10.0.0.50", O(ACK_HEAD, 3, 200), 0);
	assert_int_equal(c.malformed, 1);
	deliver(&c, 1003, "10.0.0.50", O(OFFER_HEAD, 255), 0);
	assert_int_equal(c.state, DHCPC_REQUESTING);
	assert_int_equal(last_type(&n), DHCP_REQUEST);
	/* another server's late offer and a mismatching ACK are ignored */
	deliver(&c, 1004, "10.0.0.99", O(53, 1, DHCP_OFFER, 54, 4, 10, 0, 0, 2, 255), 0);
	deliver(&c, 1005, "10.0.0.51", O(ACK_HEAD, 255), 0);
	assert_int_equal(c.state, DHCPC_REQUESTING);
	deliver(&c, 1006, "10.0.0.50", O(ACK_HEAD, 1, 4, 255, 255, 255, 0, 255), 1);
	assert_int_equal(c.state, DHCPC_BOUND);
	assert_string_equal(ip4(c.lease.yiaddr), "10.0.0.50");
	assert_int_equal(dhcpc_next_ms(&c), UINT64_MAX);
	assert_int_equal(dhcpc_tick(&c, 999999), 0);
}

static void test_client_nak(void **state)
{
	struct dhcpc c;
	struct net n;
	uint32_t xid1;

	(void)state;
	client(&c, &n);
	dhcpc_start(&c, 0);
	deliver(&c, 10, "10.0.0.50", O(OFFER_HEAD, 255), 0);
	xid1 = c.xid;
	/* a NAK from a server we did not ask is ignored (n-dhcp4 lesson) */
	deliver(&c, 20, "0.0.0.0", O(53, 1, DHCP_NAK, 54, 4, 10, 0, 0, 9, 255), 0);
	assert_int_equal(c.state, DHCPC_REQUESTING);
	deliver(&c, 30, "0.0.0.0", O(53, 1, DHCP_NAK, 54, 4, 10, 0, 0, 1, 255), 0);
	assert_int_equal(c.state, DHCPC_SELECTING);
	assert_int_equal(c.naks, 1);
	assert_int_equal(last_type(&n), DHCP_DISCOVER);	/* first NAK: discover at once */
	assert_int_not_equal(c.xid, xid1);
	assert_int_equal(last_xid(&n), c.xid);
	deliver(&c, 40, "10.0.0.60", O(OFFER_HEAD, 255), 0);
	deliver(&c, 50, "10.0.0.60", O(ACK_HEAD, 255), 1);
	assert_int_equal(c.state, DHCPC_BOUND);
}

static void test_client_reboot(void **state)
{
	struct dhcpc c;
	struct net n;

	(void)state;
	client(&c, &n);
	inet_pton(AF_INET, "10.0.0.77", &c.requested);
	dhcpc_start(&c, 0);
	assert_int_equal(c.state, DHCPC_REBOOTING);
	assert_int_equal(last_type(&n), DHCP_REQUEST);
	/* unanswered: falls back to DISCOVER after two tries */
	assert_int_equal(dhcpc_tick(&c, dhcpc_next_ms(&c)), 0);
	assert_int_equal(c.state, DHCPC_REBOOTING);
	assert_int_equal(dhcpc_tick(&c, dhcpc_next_ms(&c)), 0);
	assert_int_equal(c.state, DHCPC_SELECTING);
	assert_int_equal(last_type(&n), DHCP_DISCOVER);
	/* and the NAK path */
	client(&c, &n);
	inet_pton(AF_INET, "10.0.0.77", &c.requested);
	dhcpc_start(&c, 0);
	deliver(&c, 5, "0.0.0.0", O(53, 1, DHCP_NAK, 54, 4, 10, 0, 0, 1, 255), 0);
	assert_int_equal(c.state, DHCPC_SELECTING);
	/* and the ACK path */
	client(&c, &n);
	inet_pton(AF_INET, "10.0.0.77", &c.requested);
	dhcpc_start(&c, 0);
	deliver(&c, 5, "10.0.0.77", O(ACK_HEAD, 255), 1);
}

static void test_client_backoff_timeout(void **state)
{
	struct dhcpc c;
	struct net n;
	uint64_t t = 0, prev = 0;
	static const uint64_t base[] = { 1000, 2000, 4000, 8000, 8000, 8000 };

	(void)state;
	client(&c, &n);
	c.timeout_ms = 20000;
	dhcpc_start(&c, 0);
	for (int i = 0; i < 4; i++) {
		uint64_t next = dhcpc_next_ms(&c), gap = next - prev;

		/* each wait is the base +-25 % */
		assert_true(gap >= base[i] - base[i] / 4 && gap <= base[i] + base[i] / 4);
		assert_int_equal(dhcpc_tick(&c, next - 1), 0);	/* not yet */
		assert_int_equal(n.sent, i + 1);
		t = next;
		assert_int_equal(dhcpc_tick(&c, t), 0);
		assert_int_equal(n.sent, i + 2);
		assert_int_equal(last_type(&n), DHCP_DISCOVER);
		prev = t;
	}
	assert_true(dhcpc_next_ms(&c) <= 20000);
	assert_int_equal(dhcpc_tick(&c, 20000), -ETIMEDOUT);
	assert_int_equal(c.state, DHCPC_FAILED);
	assert_int_equal(dhcpc_tick(&c, 20001), -ETIMEDOUT);
	assert_string_equal(dhcpc_state_name(c.state), "failed");
}

static void test_client_request_retries(void **state)
{
	struct dhcpc c;
	struct net n;

	(void)state;
	client(&c, &n);
	dhcpc_start(&c, 0);
	deliver(&c, 1, "10.0.0.50", O(OFFER_HEAD, 255), 0);
	for (int i = 0; i < 3; i++) {
		dhcpc_tick(&c, dhcpc_next_ms(&c));
		assert_int_equal(c.state, DHCPC_REQUESTING);
		assert_int_equal(last_type(&n), DHCP_REQUEST);
	}
	dhcpc_tick(&c, dhcpc_next_ms(&c));	/* server went quiet: start over */
	assert_int_equal(c.state, DHCPC_SELECTING);
	assert_int_equal(last_type(&n), DHCP_DISCOVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_envelope),
		cmocka_unit_test(test_overload_and_file),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_client_normal),
		cmocka_unit_test(test_client_nak),
		cmocka_unit_test(test_client_reboot),
		cmocka_unit_test(test_client_backoff_timeout),
		cmocka_unit_test(test_client_request_retries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
