/* Unit tests: net/dhcp6.c (build, parse), net/dhcp6c.c (the client's states,
 * RFC 8415 retransmission, rapid commit, best Advertise, timeout) and
 * dhcp6_ll_state of net/dhcp6run.c, with hand-made messages: good Advertises
 * and Replies, truncated messages, options overrunning the packet or their
 * IA_NA / IAADDR, wrong transaction id, wrong client, status codes at each
 * level, search-list edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/dhcp6.h"
#include "net/dhcp6c.h"
#include "net/dhcp6run.h"

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t DUID[10] = { 0, 3, 0, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define IAID 0x00123456u
#define XID 0xabcdefu
#define SRV1 0, 1, 0, 1, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01
#define SRV2 0, 1, 0, 1, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x02

/* ---- a server message builder: header, then options, nested by begin/end ---- */
struct pkt {
	uint8_t b[2048];
	size_t len;
	size_t stack[4];
	int depth;
};

static void start(struct pkt *p, uint8_t type, uint32_t xid)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = type;
	p->b[1] = (uint8_t)(xid >> 16);
	p->b[2] = (uint8_t)(xid >> 8);
	p->b[3] = (uint8_t)xid;
	p->len = 4;
}

static void raw(struct pkt *p, const uint8_t *d, size_t n)
{
	if (n)
		memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void begin(struct pkt *p, uint16_t code)
{
	p->b[p->len] = (uint8_t)(code >> 8);
	p->b[p->len + 1] = (uint8_t)code;
	p->stack[p->depth++] = p->len;
	p->len += 4;
}

static void end(struct pkt *p)
{
	size_t at = p->stack[--p->depth], n = p->len - at - 4;

	p->b[at + 2] = (uint8_t)(n >> 8);
	p->b[at + 3] = (uint8_t)n;
}

static void opt(struct pkt *p, uint16_t code, const uint8_t *d, size_t n)
{
	begin(p, code);
	raw(p, d, n);
	end(p);
}

#define B(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })
#define U32(v) (uint8_t)((v) >> 24), (uint8_t)((v) >> 16), (uint8_t)((v) >> 8), (uint8_t)(v)
#define A6_100 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00
#define A6_101 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01
#define A6_LL 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define A6_DNS 0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53

static void ids(struct pkt *p, int server)
{
	opt(p, DHCP6_OPT_CLIENTID, DUID, sizeof(DUID));
	if (server == 1)
		opt(p, DHCP6_OPT_SERVERID, B(SRV1));
	else if (server == 2)
		opt(p, DHCP6_OPT_SERVERID, B(SRV2));
}

/* IA_NA(IAID, T1 1800, T2 3150) with IAADDR 2001:db8:9::100 (3600/7200) */
static void ia(struct pkt *p)
{
	begin(p, DHCP6_OPT_IA_NA);
	raw(p, B(U32(IAID), U32(1800), U32(3150)));
	begin(p, DHCP6_OPT_IAADDR);
	raw(p, B(A6_100, U32(3600), U32(7200)));
	end(p);
	end(p);
}

static int parse(const struct pkt *p, struct dhcp6_msg *m)
{
	return dhcp6_parse(p->b, p->len, XID, DUID, sizeof(DUID), IAID, m);
}

static const char *ip6(const struct in6_addr *a)
{
	static char b[4][INET6_ADDRSTRLEN];
	static int k;

	k = (k + 1) % 4;
	return inet_ntop(AF_INET6, a, b[k], sizeof(b[k]));
}

/* ---- parse ---------------------------------------------------------------- */

static void test_parse_full(void **state)
{
	struct pkt p;
	struct dhcp6_msg m;

	(void)state;
	start(&p, DHCP6_ADVERTISE, XID);
	ids(&p, 1);
	ia(&p);
	opt(&p, DHCP6_OPT_PREFERENCE, B(200));
	opt(&p, DHCP6_OPT_DNS_SERVERS, B(A6_DNS, A6_100));
	opt(&p, DHCP6_OPT_DOMAIN_LIST, B(1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 1, 'b', 0));
	opt(&p, DHCP6_OPT_BOOTFILE_URL, B('h', 't', 't', 'p', ':', '/', '/', '[', ':', ':', '1', ']', '/', 'x'));
	opt(&p, DHCP6_OPT_BOOTFILE_PARAM, B(0, 2, 'a', '=', 0, 1, 'b'));
	opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 0, 'o', 'k'));
	opt(&p, DHCP6_OPT_SOL_MAX_RT, B(U32(120)));
	opt(&p, 0x1234, B(1, 2, 3));	/* unknown: skipped */
	assert_int_equal(parse(&p, &m), 0);
	assert_int_equal(m.type, DHCP6_ADVERTISE);
	assert_int_equal(m.xid, XID);
	assert_int_equal(m.server_id_len, 14);
	assert_memory_equal(m.server_id, ((const uint8_t[]){ SRV1 }), 14);
	assert_true(m.has_ia_na);
	assert_int_equal(m.iaid, IAID);
	assert_int_equal(m.t1, 1800);
	assert_int_equal(m.t2, 3150);
	assert_int_equal(m.n_addrs, 1);
	assert_string_equal(ip6(&m.addrs[0].addr), "2001:db8:9::100");
	assert_int_equal(m.addrs[0].preferred, 3600);
	assert_int_equal(m.addrs[0].valid, 7200);
	assert_true(m.has_preference);
	assert_int_equal(m.preference, 200);
	assert_int_equal(m.n_dns, 2);
	assert_string_equal(ip6(&m.dns[0]), "2001:db8:9::53");
	assert_string_equal(m.search, "a.example b");
	assert_string_equal(m.bootfile_url, "http://[::1]/x");
	assert_string_equal(m.bootfile_param, "a= b");
	assert_true(m.has_status);
	assert_int_equal(m.status, DHCP6_SUCCESS);
	assert_string_equal(m.status_msg, "ok");
	assert_int_equal(m.sol_max_rt, 120);
	assert_false(m.rapid_commit);
}

static void test_parse_envelope(void **state)
{
	struct pkt p;
	struct dhcp6_msg m;
	static const uint8_t other[10] = { 0, 3, 0, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

	(void)state;
	start(&p, DHCP6_REPLY, XID);
	ids(&p, 1);
	opt(&p, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	assert_int_equal(parse(&p, &m), 0);
	assert_true(m.rapid_commit);
	assert_false(m.has_ia_na);
	/* truncated: inside the header, inside an option header, inside an option */
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(dhcp6_parse(p.b, n, XID, DUID, 10, IAID, &m), -EBADMSG);
	assert_int_equal(dhcp6_parse(p.b, 6, XID, DUID, 10, IAID, &m), -EBADMSG);
	assert_int_equal(dhcp6_parse(p.b, 4 + 4 + 5, XID, DUID, 10, IAID, &m), -EBADMSG);
	/* wrong transaction id (only 24 bits count), another client: not for us */
	assert_int_equal(dhcp6_parse(p.b, p.len, XID + 1, DUID, 10, IAID, &m), -ENOMSG);
	assert_int_equal(dhcp6_parse(p.b, p.len, XID | 0x7f000000u, DUID, 10, IAID, &m), 0);
	assert_int_equal(dhcp6_parse(p.b, p.len, XID, other, 10, IAID, &m), -ENOMSG);
	assert_int_equal(dhcp6_parse(p.b, p.len, XID, DUID, 9, IAID, &m), -ENOMSG);
	/* client messages, Reconfigure, relay messages: not for us */
	for (uint8_t t = 1; t < 20; t++) {
		if (t == DHCP6_ADVERTISE || t == DHCP6_REPLY)
			continue;
		p.b[0] = t;
		assert_int_equal(parse(&p, &m), -ENOMSG);
	}
	/* no Client Identifier: for nobody */
	start(&p, DHCP6_REPLY, XID);
	opt(&p, DHCP6_OPT_SERVERID, B(SRV1));
	assert_int_equal(parse(&p, &m), -ENOMSG);
	/* no Server Identifier: malformed */
	start(&p, DHCP6_REPLY, XID);
	ids(&p, 0);
	assert_int_equal(parse(&p, &m), -EBADMSG);
	/* an option length one past the end */
	start(&p, DHCP6_REPLY, XID);
	ids(&p, 1);
	opt(&p, DHCP6_OPT_PREFERENCE, B(1));
	p.b[p.len - 2] = 2;
	assert_int_equal(parse(&p, &m), -EBADMSG);
	/* an oversize option length */
	p.b[p.len - 3] = 0xff;
	assert_int_equal(parse(&p, &m), -EBADMSG);
}

/* One malformed or edge case per row: options after the two identifiers. */
struct row {
	int at;
	const uint8_t *o;
	size_t n;
	int rc;
	const char *what, *want;
};
#define R(rc, what, want, ...) { __LINE__, B(__VA_ARGS__), rc, what, want }
#define OPT(code, ...) 0, code, 0, sizeof((const uint8_t[]){ __VA_ARGS__ }), __VA_ARGS__
#define SL(...) OPT(24, __VA_ARGS__)
#define IA_HEAD(len) 0, 3, 0, len, U32(IAID), U32(0), U32(0)
#define IAADDR_HEAD(len) 0, 5, 0, len, A6_100

static const struct row rows[] = {
	/* singletons given twice */
	R(-EBADMSG, "", "", OPT(1, 0, 3, 0, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56)),
	R(-EBADMSG, "", "", OPT(2, SRV2)),
	R(-EBADMSG, "", "", OPT(7, 1), OPT(7, 2)),
	R(-EBADMSG, "", "", OPT(23, A6_DNS), OPT(23, A6_DNS)),
	/* fixed lengths */
	R(-EBADMSG, "", "", OPT(7, 1, 2)),			/* preference of 2 octets */
	R(-EBADMSG, "", "", 0, 7, 0, 0),			/* preference of 0 */
	R(-EBADMSG, "", "", OPT(14, 0)),			/* rapid commit with data */
	R(-EBADMSG, "", "", OPT(23, A6_DNS, 1)),		/* DNS not a multiple of 16 */
	R(-EBADMSG, "", "", 0, 23, 0, 0),			/* no DNS servers */
	R(-EBADMSG, "", "", OPT(13, 0)),			/* status code of one octet */
	R(-EBADMSG, "", "", OPT(82, 0, 0, 1)),			/* SOL_MAX_RT of 3 octets */
	R(0, "solrt", "0", OPT(82, U32(59))),			/* out of 60..86400: ignored */
	R(0, "solrt", "86400", OPT(82, U32(86400))),
	R(0, "dns", "4", OPT(23, A6_DNS, A6_DNS, A6_DNS, A6_DNS, A6_DNS)),	/* the first 4 kept */
	/* status codes: top level, text made safe */
	R(0, "status", "2:NoAddrsAvail:no?addrs?", OPT(13, 0, 2, 'n', 'o', '\n', 'a', 'd', 'd', 'r', 's', 0x1b)),
	R(0, "status", "4:NotOnLink:", OPT(13, 0, 4)),
	R(0, "status", "1:UnspecFail:?", OPT(13, 0, 1, 0xc3)),	/* non-ASCII: '?' */
	/* IA_NA: bounds */
	R(-EBADMSG, "", "", 0, 3, 0, 11, U32(IAID), U32(0), 0, 0, 0),	/* shorter than 12 */
	R(-EBADMSG, "", "", IA_HEAD(12 + 28), IAADDR_HEAD(25), U32(1), U32(2), 0, 0, 0, 0),	/* IAADDR overruns the IA_NA */
	R(-EBADMSG, "", "", IA_HEAD(12 + 28), IAADDR_HEAD(28), U32(1), U32(2), 0, 99, 0, 0),	/* IAADDR well-formed, but longer than its IA_NA */
	R(-EBADMSG, "", "", IA_HEAD(12 + 3), 0, 5, 0),			/* partial option header inside */
	R(-EBADMSG, "", "", IA_HEAD(12 + 27), IAADDR_HEAD(23), U32(1), 0, 0, 0),	/* IAADDR shorter than 24 */
	R(-EBADMSG, "", "", IA_HEAD(12 + 28 + 5), IAADDR_HEAD(24 + 5), U32(1), U32(2), 0, 13, 0, 2, 0),	/* status overruns the IAADDR */
	R(-EBADMSG, "", "", IA_HEAD(12), IA_HEAD(12)),			/* our IA_NA twice */
	R(0, "ia", "1:1:", IA_HEAD(12 + 28), IAADDR_HEAD(24), U32(100), U32(200)),
	R(0, "ia", "0:0:", 0, 3, 0, 12, U32(IAID + 1), U32(0), U32(0)),	/* another IA: not ours */
	R(-EBADMSG, "", "", 0, 3, 0, 15, U32(IAID + 1), U32(0), U32(0), 0, 5, 0),	/* ...still bounded */
	R(0, "ia", "0:0:", 0, 3, 0, 12, U32(IAID), U32(10), U32(5)),	/* T1 > T2: discarded */
	R(0, "ia", "1:0:", 0, 3, 0, 12, U32(IAID), U32(10), U32(0)),	/* T2 0: fine */
	/* IAADDRs that are not usable */
	R(0, "ia", "1:0:", IA_HEAD(12 + 28), IAADDR_HEAD(24), U32(300), U32(200)),	/* preferred > valid */
	R(0, "ia", "1:0:", IA_HEAD(12 + 28), IAADDR_HEAD(24), U32(0), U32(0)),	/* valid 0 */
	R(0, "ia", "1:0:", IA_HEAD(12 + 28), 0, 5, 0, 24, A6_LL, U32(1), U32(2)),	/* link-local */
	R(0, "ia", "1:0:NoAddrsAvail", IA_HEAD(12 + 34), IAADDR_HEAD(24 + 6), U32(1), U32(2), 0, 13, 0, 2, 0, 2),	/* its own NoAddrsAvail */
	/* status inside the IA_NA */
	R(0, "iastatus", "2:NoAddrsAvail:none", IA_HEAD(12 + 10), 0, 13, 0, 6, 0, 2, 'n', 'o', 'n', 'e'),
	R(-EBADMSG, "", "", IA_HEAD(12 + 12), 0, 13, 0, 2, 0, 2, 0, 13, 0, 2, 0, 2),	/* twice */
	/* search list (24): uncompressed names only */
	R(0, "search", "a.b", SL(1, 'a', 1, 'b', 0)),
	R(0, "search", "a", SL(0, 1, 'a', 0)),					/* the root alone: skipped */
	R(0, "search", "", SL(0)),
	R(-EBADMSG, "", "", 0, 24, 0, 0),					/* empty */
	R(-EBADMSG, "", "", SL(1, 'a', 0xc0, 0)),				/* compression pointer */
	R(-EBADMSG, "", "", SL(0xc0, 0x04)),
	R(-EBADMSG, "", "", SL(0x40, 'a', 0)),					/* reserved label type */
	R(-EBADMSG, "", "", SL(0x80, 'a', 0)),
	R(-EBADMSG, "", "", SL(1, 'a')),					/* no root label */
	R(-EBADMSG, "", "", SL(3, 'a', 'b')),					/* label past the option */
	R(-EBADMSG, "", "", SL(1, 'a', 0, 5, 'x')),
	R(-EBADMSG, "", "", SL(3, 'a', '.', 'b', 0)),				/* dot inside a label */
	R(-EBADMSG, "", "", SL(3, 'a', ' ', 'b', 0)),				/* space */
	R(-EBADMSG, "", "", SL(2, 'a', '\n', 0)),				/* newline */
	R(-EBADMSG, "", "", SL(2, 'a', 0, 0)),					/* NUL inside a label */
	R(0, "search", "a b c d e f", SL(1, 'a', 0, 1, 'b', 0, 1, 'c', 0, 1, 'd', 0, 1, 'e', 0, 1, 'f', 0, 1, 'g', 0)),	/* 6 kept */
	R(-EBADMSG, "", "", SL(1, 'a', 0, 1, 'b', 0, 1, 'c', 0, 1, 'd', 0, 1, 'e', 0, 1, 'f', 0, 1, 'g', 0, 2, 'h')),	/* still checked after 6 */
	/* boot file URL (59) and parameters (60) */
	R(0, "url", "tftp://x/y", OPT(59, 't', 'f', 't', 'p', ':', '/', '/', 'x', '/', 'y', 0)),	/* trailing NUL */
	R(-EBADMSG, "", "", OPT(59, 'h', '"', 'x')),
	R(-EBADMSG, "", "", OPT(59, 'h', ' ', 'x')),
	R(-EBADMSG, "", "", OPT(59, 'h', '$', 'x')),
	R(-EBADMSG, "", "", OPT(59, 0)),
	R(0, "param", "a b", OPT(60, 0, 1, 'a', 0, 1, 'b')),
	R(-EBADMSG, "", "", OPT(60, 0, 0)),					/* empty parameter */
	R(-EBADMSG, "", "", OPT(60, 0, 3, 'a')),				/* overruns the option */
	R(-EBADMSG, "", "", OPT(60, 0, 1, 'a', 0)),				/* partial length */
	R(-EBADMSG, "", "", OPT(60, 0, 1, '`')),
};

static void field(const struct dhcp6_msg *m, const char *what, char *out, size_t len)
{
	if (!strcmp(what, "solrt")) snprintf(out, len, "%u", m->sol_max_rt);
	else if (!strcmp(what, "dns")) snprintf(out, len, "%u", m->n_dns);
	else if (!strcmp(what, "status")) snprintf(out, len, "%u:%s:%s", m->status, dhcp6_status_name(m->status), m->status_msg);
	else if (!strcmp(what, "ia")) snprintf(out, len, "%d:%u:%s", m->has_ia_na, m->n_addrs, m->addr_status ? dhcp6_status_name(m->addr_status) : "");
	else if (!strcmp(what, "iastatus")) snprintf(out, len, "%u:%s:%s", m->ia_status, dhcp6_status_name(m->ia_status), m->ia_status_msg);
	else if (!strcmp(what, "search")) snprintf(out, len, "%s", m->search);
	else if (!strcmp(what, "url")) snprintf(out, len, "%s", m->bootfile_url);
	else if (!strcmp(what, "param")) snprintf(out, len, "%s", m->bootfile_param);
	else snprintf(out, len, "?");
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct pkt p;
		struct dhcp6_msg m;
		char got[512];
		int rc;

		start(&p, DHCP6_REPLY, XID);
		ids(&p, 1);
		raw(&p, r->o, r->n);
		rc = parse(&p, &m);
		if (rc != r->rc) {
			print_error("%s:%d: rc %d, want %d\n", __FILE__, r->at, rc, r->rc);
			_fail(__FILE__, r->at);
		}
		if (rc)
			continue;
		field(&m, r->what, got, sizeof(got));
		if (strcmp(got, r->want)) {
			print_error("%s:%d: %s is '%s', want '%s'\n", __FILE__, r->at, r->what, got, r->want);
			_fail(__FILE__, r->at);
		}
	}
}

/* A Reply whose Domain Search List is d[0..n): what parse says. */
static int parse_domains(struct dhcp6_msg *m, const uint8_t *d, size_t n)
{
	struct pkt p;

	start(&p, DHCP6_REPLY, XID);
	ids(&p, 1);
	opt(&p, DHCP6_OPT_DOMAIN_LIST, d, n);
	return parse(&p, m);
}

/* Append to d at n one name of count labels (label k: len[k] octets of first + k) and the root
 * label; returns the new length. */
static size_t put_name(uint8_t *d, size_t n, const unsigned *len, int count, char first)
{
	for (int k = 0; k < count; k++) {
		d[n++] = (uint8_t)len[k];
		memset(d + n, first + k, len[k]);
		n += len[k];
	}
	d[n++] = 0;
	return n;
}

static void test_search_limits(void **state)
{
	struct dhcp6_msg m;
	uint8_t d[600];
	size_t n = 0;

	(void)state;
	/* a label of 63 is fine, 64 is not */
	n = put_name(d, 0, (unsigned[]){ 63 }, 1, 'x');
	assert_int_equal(parse_domains(&m, d, n), 0);
	assert_int_equal(strlen(m.search), 63);
	n = put_name(d, 0, (unsigned[]){ 64 }, 1, 'x');
	assert_int_equal(parse_domains(&m, d, n), -EBADMSG);
	/* a name of 4 x 63-octet labels is 257 octets on the wire: over 255 */
	n = put_name(d, 0, (unsigned[]){ 63, 63, 63, 63 }, 4, 'a');
	assert_int_equal(parse_domains(&m, d, n), -EBADMSG);
	/* 63+63+63+61 octets of labels: 255 with the root label... */
	n = put_name(d, 0, (unsigned[]){ 63, 63, 63, 61 }, 4, 'a');
	assert_int_equal(parse_domains(&m, d, n), 0);
	assert_int_equal(strlen(m.search), 63 * 3 + 61 + 3);
	/* ...one more octet and the root label makes it 256 */
	n = put_name(d, 0, (unsigned[]){ 63, 63, 63, 62 }, 4, 'a');
	assert_int_equal(parse_domains(&m, d, n), -EBADMSG);
	/* names that together do not fit the 255 characters are dropped whole */
	n = 0;
	for (int k = 0; k < 5; k++)
		n = put_name(d, n, (unsigned[]){ 60 }, 1, (char)('a' + k));
	assert_int_equal(parse_domains(&m, d, n), 0);
	assert_int_equal(strlen(m.search), 4 * 60 + 3);
	assert_int_equal(m.search[4 * 60 + 2], 'd');
}

/* ---- build ---------------------------------------------------------------- */

/* The data of top-level option code in a client message, or NULL. */
static const uint8_t *find(const uint8_t *msg, size_t len, uint16_t code, size_t *dlen)
{
	size_t i = 4;

	while (i + 4 <= len) {
		uint16_t c = (uint16_t)(msg[i] << 8 | msg[i + 1]);
		size_t n = (size_t)(msg[i + 2] << 8 | msg[i + 3]);

		assert_true(i + 4 + n <= len);
		if (c == code) {
			*dlen = n;
			return msg + i + 4;
		}
		i += 4 + n;
	}
	return NULL;
}

static void test_build(void **state)
{
	uint8_t buf[512], duid[16];
	struct dhcp6_req r;
	struct dhcp6_addr a;
	const uint8_t *d;
	size_t n;
	int len;

	(void)state;
	assert_int_equal(dhcp6_duid_ll(duid, sizeof(duid), MAC), 10);
	assert_memory_equal(duid, DUID, 10);
	assert_int_equal(dhcp6_duid_ll(duid, 9, MAC), -ENOSPC);
	assert_int_equal(dhcp6_iaid(MAC), IAID);

	memset(&r, 0, sizeof(r));
	r.type = DHCP6_SOLICIT;
	r.xid = 0x12abcdef;	/* only 24 bits go out */
	r.elapsed_cs = 150;
	r.duid = DUID;
	r.duid_len = 10;
	r.ia_na = true;
	r.iaid = IAID;
	r.rapid_commit = true;
	len = dhcp6_build(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_memory_equal(buf, ((const uint8_t[]){ 1, 0xab, 0xcd, 0xef }), 4);
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_CLIENTID, &n));
	assert_int_equal(n, 10);
	assert_memory_equal(d, DUID, 10);
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_ELAPSED_TIME, &n));
	assert_int_equal(n, 2);
	assert_int_equal(d[0] << 8 | d[1], 150);
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_ORO, &n));
	assert_int_equal(n, 10);
	assert_memory_equal(d, ((const uint8_t[]){ 0, 23, 0, 24, 0, 59, 0, 60, 0, 82 }), 10);
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_IA_NA, &n));
	assert_int_equal(n, 12);
	assert_memory_equal(d, ((const uint8_t[]){ U32(IAID), 0, 0, 0, 0, 0, 0, 0, 0 }), 12);
	assert_non_null(find(buf, (size_t)len, DHCP6_OPT_RAPID_COMMIT, &n));
	assert_int_equal(n, 0);
	assert_null(find(buf, (size_t)len, DHCP6_OPT_SERVERID, &n));
	/* every prefix of the message is too small */
	for (size_t cap = 0; cap < (size_t)len; cap++)
		assert_int_equal(dhcp6_build(buf, cap, &r), -ENOSPC);

	r.rapid_commit = false;
	len = dhcp6_build(buf, sizeof(buf), &r);
	assert_null(find(buf, (size_t)len, DHCP6_OPT_RAPID_COMMIT, &n));

	/* Request: the server's DUID and the advertised address, lifetimes 0 */
	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET6, "2001:db8:9::100", &a.addr);
	a.preferred = a.valid = 99;
	r.type = DHCP6_REQUEST;
	r.server_id = (const uint8_t[]){ SRV1 };
	r.server_id_len = 14;
	r.addrs = &a;
	r.n_addrs = 1;
	r.rapid_commit = true;	/* never in a Request */
	len = dhcp6_build(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_int_equal(buf[0], DHCP6_REQUEST);
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_SERVERID, &n));
	assert_int_equal(n, 14);
	assert_null(find(buf, (size_t)len, DHCP6_OPT_RAPID_COMMIT, &n));
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_IA_NA, &n));
	assert_int_equal(n, 12 + 28);
	assert_memory_equal(d + 12, ((const uint8_t[]){ 0, 5, 0, 24, A6_100, 0, 0, 0, 0, 0, 0, 0, 0 }), 28);
	r.server_id = NULL;
	assert_int_equal(dhcp6_build(buf, sizeof(buf), &r), -EINVAL);

	/* Information-Request: no IA_NA even when asked, INF_MAX_RT in the ORO */
	r.type = DHCP6_INFORMATION_REQUEST;
	len = dhcp6_build(buf, sizeof(buf), &r);
	assert_true(len > 0);
	assert_null(find(buf, (size_t)len, DHCP6_OPT_IA_NA, &n));
	assert_null(find(buf, (size_t)len, DHCP6_OPT_SERVERID, &n));
	assert_non_null(d = find(buf, (size_t)len, DHCP6_OPT_ORO, &n));
	assert_int_equal(d[8] << 8 | d[9], DHCP6_OPT_INF_MAX_RT);

	r.type = DHCP6_RENEW;
	assert_int_equal(dhcp6_build(buf, sizeof(buf), &r), -EINVAL);
	r.type = DHCP6_SOLICIT;
	r.duid_len = 0;
	assert_int_equal(dhcp6_build(buf, sizeof(buf), &r), -EINVAL);
}

/* ---- the state table ------------------------------------------------------ */

struct net {
	uint8_t last[512];
	size_t last_len;
	uint64_t times[64];
	unsigned n;
	uint64_t now;
};

static int capture(void *ctx, const uint8_t *msg, size_t len)
{
	struct net *n = ctx;

	memcpy(n->last, msg, len);
	n->last_len = len;
	if (n->n < 64)
		n->times[n->n] = n->now;
	n->n++;
	return 0;
}

static void client(struct dhcp6c *c, struct net *n, bool stateless)
{
	memset(c, 0, sizeof(*c));
	memset(n, 0, sizeof(*n));
	memcpy(c->mac, MAC, 6);
	c->stateless = stateless;
	c->timeout_ms = 20000;
	c->seed = 42;
	c->send = capture;
	c->ctx = n;
}

static uint32_t last_xid(const struct net *n)
{
	return (uint32_t)n->last[1] << 16 | (uint32_t)n->last[2] << 8 | n->last[3];
}

static void tick_to(struct dhcp6c *c, struct net *n, uint64_t t)
{
	n->now = t;
	dhcp6c_tick(c, t);
}

/* An Advertise (or Reply) for the client's current xid from server 1 or 2. */
static int answer(struct dhcp6c *c, struct net *n, uint8_t type, int server, int pref, bool rapid,
		  uint64_t t)
{
	struct pkt p;

	start(&p, type, last_xid(n));
	ids(&p, server);
	ia(&p);
	if (pref >= 0)
		opt(&p, DHCP6_OPT_PREFERENCE, (const uint8_t[]){ (uint8_t)pref }, 1);
	if (rapid)
		opt(&p, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	n->now = t;
	return dhcp6c_input(c, p.b, p.len, t);
}

static void test_retransmission(void **state)
{
	struct dhcp6c c;
	struct net n;
	uint64_t prev_rt = 0;

	(void)state;
	client(&c, &n, false);
	c.timeout_ms = 10000000;
	dhcp6c_start(&c, 0);
	assert_int_equal(n.n, 1);
	assert_int_equal(n.last[0], DHCP6_SOLICIT);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	/* first RT: IRT + RAND*IRT with RAND > 0: in (1000, 1100] */
	assert_true(c.next_ms > 1000 && c.next_ms <= 1100);
	for (int k = 1; k < 8; k++) {
		uint64_t rt = c.next_ms - n.times[k - 1];
		size_t dl;
		const uint8_t *d;

		if (k > 1) {	/* 2*RTprev + RAND*RTprev, RAND in [-0.1, 0.1] */
			assert_true(rt * 10 >= prev_rt * 19);
			assert_true(rt * 10 <= prev_rt * 21);
		}
		prev_rt = rt;
		tick_to(&c, &n, c.next_ms - 1);
		assert_int_equal(n.n, (unsigned)k);	/* not before its time */
		tick_to(&c, &n, c.next_ms);
		assert_int_equal(n.n, (unsigned)k + 1);
		assert_int_equal(n.last[0], DHCP6_SOLICIT);
		/* elapsed time: hundredths since the first Solicit */
		assert_non_null(d = find(n.last, n.last_len, DHCP6_OPT_ELAPSED_TIME, &dl));
		assert_int_equal((uint64_t)(d[0] << 8 | d[1]), n.times[k] / 10);
	}
	assert_int_equal(c.solicits, 8);
	/* the first Solicit's RAND is > 0 for every seed (RFC 8415 15); a Request's is not */
	{
		bool below = false;

		for (uint32_t seed = 1; seed < 300; seed++) {
			struct dhcp6c c2;
			struct net n2;

			client(&c2, &n2, false);
			c2.seed = seed;
			dhcp6c_start(&c2, 0);
			assert_true(c2.next_ms > 1000 && c2.next_ms <= 1100);
			answer(&c2, &n2, DHCP6_ADVERTISE, 1, 255, false, 0);
			assert_int_equal(c2.state, DHCP6C_REQUEST);
			assert_true(c2.rt_ms >= 900 && c2.rt_ms <= 1100);
			below |= c2.rt_ms < 1000;
		}
		assert_true(below);
	}
	/* a server sets SOL_MAX_RT (82) in a refusal: RT is capped at 60 s +-10 % */
	{
		struct pkt p;

		start(&p, DHCP6_ADVERTISE, last_xid(&n));
		ids(&p, 1);
		opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 2));
		opt(&p, DHCP6_OPT_SOL_MAX_RT, B(U32(60)));
		assert_int_equal(dhcp6c_input(&c, p.b, p.len, n.now), 0);
		assert_int_equal(c.refused, 1);
		assert_int_equal(c.last_status, DHCP6_NO_ADDRS_AVAIL);
		for (int k = 0; k < 3; k++)
			tick_to(&c, &n, c.next_ms);
		assert_true(c.rt_ms >= 54000 && c.rt_ms <= 66000);
	}
}

static void test_rapid_commit(void **state)
{
	struct dhcp6c c;
	struct net n;

	(void)state;
	client(&c, &n, false);
	dhcp6c_start(&c, 0);
	assert_non_null(find(n.last, n.last_len, DHCP6_OPT_RAPID_COMMIT, &(size_t){ 0 }));
	/* a Reply without Rapid Commit does not answer a Solicit */
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, false, 10), 0);
	assert_int_equal(c.ignored, 1);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	/* wrong xid: ignored */
	{
		struct pkt p;

		start(&p, DHCP6_REPLY, last_xid(&n) ^ 1);
		ids(&p, 1);
		ia(&p);
		opt(&p, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
		assert_int_equal(dhcp6c_input(&c, p.b, p.len, 11), 0);
		assert_int_equal(c.ignored, 2);
		/* malformed: counted */
		assert_int_equal(dhcp6c_input(&c, p.b, 3, 11), 0);
		assert_int_equal(c.malformed, 1);
	}
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, true, 12), 1);
	assert_int_equal(c.state, DHCP6C_BOUND);
	assert_string_equal(ip6(&c.lease.addrs[0].addr), "2001:db8:9::100");
	assert_int_equal(n.n, 1);
	assert_int_equal(dhcp6c_next_ms(&c), UINT64_MAX);
	assert_int_equal(dhcp6c_tick(&c, 100000), 0);

	/* the same Reply when we did not offer rapid commit: ignored */
	client(&c, &n, false);
	c.no_rapid_commit = true;
	dhcp6c_start(&c, 0);
	assert_null(find(n.last, n.last_len, DHCP6_OPT_RAPID_COMMIT, &(size_t){ 0 }));
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, true, 12), 0);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
}

static void test_best_advertise(void **state)
{
	struct dhcp6c c;
	struct net n;
	const uint8_t *d;
	size_t dl;
	uint32_t sol_xid;

	(void)state;
	/* two Advertises inside the first RT: the higher preference wins at its end */
	client(&c, &n, false);
	dhcp6c_start(&c, 0);
	sol_xid = last_xid(&n);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 1, 10, false, 100), 0);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 2, 50, false, 200), 0);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 1, 20, false, 300), 0);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	assert_int_equal(c.advertises, 3);
	assert_int_equal(n.n, 1);
	tick_to(&c, &n, c.collect_ms);
	assert_int_equal(c.state, DHCP6C_REQUEST);
	assert_int_equal(n.last[0], DHCP6_REQUEST);
	assert_true(last_xid(&n) != sol_xid);	/* a new exchange */
	assert_non_null(d = find(n.last, n.last_len, DHCP6_OPT_SERVERID, &dl));
	assert_memory_equal(d, ((const uint8_t[]){ SRV2 }), 14);
	assert_non_null(d = find(n.last, n.last_len, DHCP6_OPT_ELAPSED_TIME, &dl));
	assert_int_equal(d[0] << 8 | d[1], 0);
	/* the other server's Reply, or a late Advertise: ignored */
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, false, 1200), 0);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 2, 50, false, 1200), 0);
	assert_int_equal(c.ignored, 2);
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 2, -1, false, 1300), 1);
	assert_int_equal(c.requests, 1);

	/* preference 255: Request at once */
	client(&c, &n, false);
	dhcp6c_start(&c, 0);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 1, 255, false, 5), 0);
	assert_int_equal(c.state, DHCP6C_REQUEST);
	assert_int_equal(n.n, 2);
	assert_int_equal(n.times[1], 5);

	/* nothing in the first RT: the first Advertise after it is taken at once */
	client(&c, &n, false);
	dhcp6c_start(&c, 0);
	tick_to(&c, &n, c.next_ms);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 1, 0, false, n.now + 10), 0);
	assert_int_equal(c.state, DHCP6C_REQUEST);

	/* an Advertise without a usable address is ignored (and remembered) */
	client(&c, &n, false);
	dhcp6c_start(&c, 0);
	{
		struct pkt p;

		start(&p, DHCP6_ADVERTISE, last_xid(&n));
		ids(&p, 1);
		begin(&p, DHCP6_OPT_IA_NA);
		raw(&p, B(U32(IAID), U32(0), U32(0)));
		opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 2, 'f', 'u', 'l', 'l'));
		end(&p);
		assert_int_equal(dhcp6c_input(&c, p.b, p.len, 10), 0);
	}
	assert_int_equal(c.advertises, 0);
	assert_int_equal(c.refused, 1);
	assert_int_equal(c.last_status, DHCP6_NO_ADDRS_AVAIL);
	assert_string_equal(c.last_status_msg, "full");
	tick_to(&c, &n, c.collect_ms);
	assert_int_equal(c.state, DHCP6C_SOLICIT);	/* still soliciting */
}

static void test_request_refused_and_retries(void **state)
{
	struct dhcp6c c;
	struct net n;
	struct pkt p;
	unsigned before;

	(void)state;
	client(&c, &n, false);
	c.timeout_ms = 600000;
	dhcp6c_start(&c, 0);
	answer(&c, &n, DHCP6_ADVERTISE, 1, 255, false, 5);
	assert_int_equal(c.state, DHCP6C_REQUEST);
	/* Reply with NoAddrsAvail in the IA_NA: back to Solicit, named */
	start(&p, DHCP6_REPLY, last_xid(&n));
	ids(&p, 1);
	begin(&p, DHCP6_OPT_IA_NA);
	raw(&p, B(U32(IAID), U32(0), U32(0)));
	opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 2));
	end(&p);
	before = n.n;
	assert_int_equal(dhcp6c_input(&c, p.b, p.len, 10), 0);
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	assert_int_equal(n.n, before + 1);
	assert_int_equal(n.last[0], DHCP6_SOLICIT);
	assert_string_equal(dhcp6_status_name(c.last_status), "NoAddrsAvail");
	/* UseMulticast: ignored, the Request is retransmitted */
	answer(&c, &n, DHCP6_ADVERTISE, 1, 255, false, 20);
	start(&p, DHCP6_REPLY, last_xid(&n));
	ids(&p, 1);
	opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 5));
	assert_int_equal(dhcp6c_input(&c, p.b, p.len, 30), 0);
	assert_int_equal(c.state, DHCP6C_REQUEST);
	/* REQ_MAX_RC Requests without a Reply: Solicit again; RT capped at REQ_MAX_RT */
	while (c.state == DHCP6C_REQUEST) {
		assert_true(c.rt_ms <= DHCP6_REQ_MAX_RT_MS * 11 / 10);
		tick_to(&c, &n, c.next_ms);
	}
	assert_int_equal(c.state, DHCP6C_SOLICIT);
	assert_int_equal(n.last[0], DHCP6_SOLICIT);
	assert_int_equal(c.requests, 1 + DHCP6_REQ_MAX_RC);
}

static void test_stateless(void **state)
{
	struct dhcp6c c;
	struct net n;
	struct pkt p;

	(void)state;
	client(&c, &n, true);
	dhcp6c_start(&c, 0);
	assert_int_equal(c.state, DHCP6C_INFORM);
	assert_int_equal(n.last[0], DHCP6_INFORMATION_REQUEST);
	assert_null(find(n.last, n.last_len, DHCP6_OPT_IA_NA, &(size_t){ 0 }));
	/* an Advertise is no answer; a refusing Reply is retransmitted over */
	assert_int_equal(answer(&c, &n, DHCP6_ADVERTISE, 1, 0, false, 10), 0);
	start(&p, DHCP6_REPLY, last_xid(&n));
	ids(&p, 1);
	opt(&p, DHCP6_OPT_STATUS_CODE, B(0, 1));
	assert_int_equal(dhcp6c_input(&c, p.b, p.len, 20), 0);
	assert_int_equal(c.refused, 1);
	tick_to(&c, &n, c.next_ms);
	assert_int_equal(n.n, 2);
	start(&p, DHCP6_REPLY, last_xid(&n));
	ids(&p, 1);
	opt(&p, DHCP6_OPT_DNS_SERVERS, B(A6_DNS));
	assert_int_equal(dhcp6c_input(&c, p.b, p.len, n.now + 1), 1);
	assert_int_equal(c.lease.n_dns, 1);
	assert_string_equal(dhcp6c_state_name(c.state), "bound");
}

static void test_timeout_and_delay(void **state)
{
	struct dhcp6c c;
	struct net n;

	(void)state;
	client(&c, &n, false);
	c.timeout_ms = 5000;
	dhcp6c_start(&c, 1000);
	while (dhcp6c_next_ms(&c) < 6000) {
		tick_to(&c, &n, dhcp6c_next_ms(&c));
		assert_int_equal(c.state, DHCP6C_SOLICIT);
	}
	assert_int_equal(dhcp6c_next_ms(&c), 6000);
	assert_int_equal(dhcp6c_tick(&c, 6000), -ETIMEDOUT);
	assert_int_equal(c.state, DHCP6C_FAILED);
	assert_int_equal(dhcp6c_next_ms(&c), UINT64_MAX);
	assert_int_equal(dhcp6c_tick(&c, 7000), -ETIMEDOUT);
	assert_true(c.solicits >= 3 && c.solicits <= 4);	/* 0, ~1.05, ~3.1 (, ~7.3) s */
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, true, 7000), 0);	/* too late */

	/* SOL_MAX_DELAY-style first delay: nothing sent at start, once within it */
	client(&c, &n, false);
	c.max_delay_ms = 1000;
	dhcp6c_start(&c, 0);
	assert_int_equal(n.n, 0);
	assert_true(c.next_ms <= 1000);
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, true, 1), 0);	/* nothing asked yet */
	tick_to(&c, &n, c.next_ms);
	assert_int_equal(n.n, 1);
	assert_int_equal(n.last[0], DHCP6_SOLICIT);
	assert_int_equal(answer(&c, &n, DHCP6_REPLY, 1, -1, true, n.now + 1), 1);
}

static void test_ll_state(void **state)
{
	struct in6_addr a;
	static const char text[] =
		"20010db8000900000000000000000100 02 80 00 80     eth0\n"
		"fe800000000000005054fffffe123456 02 40 20 c0     eth0\n"	/* tentative */
		"fe800000000000005054fffffe999999 03 40 20 80     eth1\n"
		"fe800000000000000000000000000001 04 40 20 48     eth2\n"	/* DAD failed */
		"00000000000000000000000000000001 01 80 10 80       lo\n"
		"garbage\n";

	(void)state;
	assert_int_equal(dhcp6_ll_state(text, 2, &a), -EAGAIN);
	assert_int_equal(dhcp6_ll_state(text, 3, &a), 0);
	assert_string_equal(ip6(&a), "fe80::5054:ffff:fe99:9999");
	assert_int_equal(dhcp6_ll_state(text, 4, &a), -EADDRNOTAVAIL);
	assert_string_equal(ip6(&a), "fe80::1");
	assert_int_equal(dhcp6_ll_state(text, 1, &a), -ENOENT);	/* lo: host scope only */
	assert_int_equal(dhcp6_ll_state(text, 9, &a), -ENOENT);
	assert_int_equal(dhcp6_ll_state("", 2, &a), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_envelope),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_search_limits),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_rapid_commit),
		cmocka_unit_test(test_best_advertise),
		cmocka_unit_test(test_request_refused_and_retries),
		cmocka_unit_test(test_stateless),
		cmocka_unit_test(test_timeout_and_delay),
		cmocka_unit_test(test_ll_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
