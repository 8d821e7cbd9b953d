/* dhcp: DHCPv4 wire format (build, parse, IPv4+UDP framing). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/dhcp.h"
#include "net/dhcpstr.h"

#define OPT_AREA_MAX	1536	/* concatenated data of one long option (RFC 3396) */
#define IP_TTL_DEFAULT	64
#define IP_FRAG_MF	0x2000u
#define IP_FRAG_OFFSET	0x1fffu
#define OVERLOAD_FILE	1	/* option 52: options continue in the file field */
#define OVERLOAD_SNAME	2	/* option 52: options continue in the sname field */
#define DNS_LABEL_MAX	63
#define DNS_PTR_MASK	0xc0	/* RFC 1035 4.1.4 compression pointer */
#define SEARCH_MAX	6	/* domains kept from option 119 (resolv.conf limit) */
#define MTU_MIN		68

static const uint8_t param_list[] = {
	DHCP_OPT_NETMASK, DHCP_OPT_ROUTERS, DHCP_OPT_DNS, DHCP_OPT_HOSTNAME,
	DHCP_OPT_DOMAIN, DHCP_OPT_MTU, DHCP_OPT_BROADCAST, DHCP_OPT_LEASE,
	DHCP_OPT_SERVER_ID, DHCP_OPT_T1, DHCP_OPT_T2, DHCP_OPT_TFTP_SERVER,
	DHCP_OPT_BOOTFILE, DHCP_OPT_SEARCH, DHCP_OPT_CLASSLESS,
};

/* ---- build ---------------------------------------------------------------- */

struct obuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put_opt(struct obuf *o, uint8_t code, const void *data, size_t len)
{
	if (len > 255 || o->len + 2 + len > o->cap) {
		o->err = -ENOSPC;
		return;
	}
	o->p[o->len++] = code;
	o->p[o->len++] = (uint8_t)len;
	memcpy(o->p + o->len, data, len);
	o->len += len;
}

int dhcp_build(uint8_t *buf, size_t cap, const struct dhcp_req *r)
{
	struct dhcp_hdr *h = (struct dhcp_hdr *)buf;
	struct obuf o = { buf, sizeof(*h), cap, 0 };
	uint8_t cid[7];
	uint16_t maxsz = htons(DHCP_MAX_LEN);

	if (cap < DHCP_MIN_LEN)
		return -ENOSPC;
	memset(buf, 0, cap < DHCP_MIN_LEN ? cap : DHCP_MIN_LEN);
	memset(h, 0, sizeof(*h));
	h->op = DHCP_OP_REQUEST;
	h->htype = DHCP_HTYPE_ETHER;
	h->hlen = 6;
	h->xid = htonl(r->xid);
	h->secs = htons(r->secs);
	h->flags = htons(DHCP_FLAG_BROADCAST);	/* no address yet: reply by broadcast */
	memcpy(h->chaddr, r->mac, 6);
	h->magic = htonl(DHCP_MAGIC);

	put_opt(&o, DHCP_OPT_MSG_TYPE, &r->type, 1);
	cid[0] = DHCP_HTYPE_ETHER;
	memcpy(cid + 1, r->mac, 6);
	put_opt(&o, DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
	if (r->requested.s_addr)
		put_opt(&o, DHCP_OPT_REQUESTED_IP, &r->requested, 4);
	if (r->server_id.s_addr)
		put_opt(&o, DHCP_OPT_SERVER_ID, &r->server_id, 4);
	put_opt(&o, DHCP_OPT_MAX_SIZE, &maxsz, 2);
	put_opt(&o, DHCP_OPT_PARAM_LIST, param_list, sizeof(param_list));
	if (r->vendor_class && *r->vendor_class)
		put_opt(&o, DHCP_OPT_VENDOR_CLASS, r->vendor_class, strlen(r->vendor_class));
	if (r->hostname && *r->hostname)
		put_opt(&o, DHCP_OPT_HOSTNAME, r->hostname, strlen(r->hostname));
	if (o.err || o.len + 1 > cap)
		return -ENOSPC;
	o.p[o.len++] = DHCP_OPT_END;
	if (o.len < DHCP_MIN_LEN)
		o.len = DHCP_MIN_LEN;	/* zero padding (cleared above) */
	return (int)o.len;
}

/* ---- framing -------------------------------------------------------------- */

static uint16_t ip_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

int dhcp_frame(uint8_t *buf, size_t cap, const uint8_t *msg, size_t len)
{
	struct dhcp_ip4 ip;
	struct dhcp_udp udp;
	size_t total = sizeof(ip) + sizeof(udp) + len;

	if (total > cap || total > 0xffff)
		return -ENOSPC;
	memset(&ip, 0, sizeof(ip));
	ip.ver_ihl = 4 << 4 | sizeof(ip) / 4;
	ip.tot_len = htons((uint16_t)total);
	ip.ttl = IP_TTL_DEFAULT;
	ip.proto = IPPROTO_UDP;
	ip.saddr = htonl(INADDR_ANY);
	ip.daddr = htonl(INADDR_BROADCAST);
	ip.csum = ip_csum(&ip, sizeof(ip));
	udp.sport = htons(DHCP_CLIENT_PORT);
	udp.dport = htons(DHCP_SERVER_PORT);
	udp.len = htons((uint16_t)(sizeof(udp) + len));
	udp.csum = 0;	/* optional for IPv4 */
	memcpy(buf, &ip, sizeof(ip));
	memcpy(buf + sizeof(ip), &udp, sizeof(udp));
	memmove(buf + sizeof(ip) + sizeof(udp), msg, len);
	return (int)total;
}

int dhcp_unframe(const uint8_t *pkt, size_t len, const uint8_t **payload, size_t *plen)
{
	struct dhcp_ip4 ip;
	struct dhcp_udp udp;
	size_t ihl, tot, ulen;

	if (len < sizeof(ip))
		return -EBADMSG;
	memcpy(&ip, pkt, sizeof(ip));
	ihl = (size_t)(ip.ver_ihl & 0x0f) * 4;
	tot = ntohs(ip.tot_len);
	if (ip.ver_ihl >> 4 != 4 || ihl < sizeof(ip) || tot < ihl || tot > len)
		return -EBADMSG;
	if (ip_csum(pkt, ihl) != 0)
		return -EBADMSG;
	if (ip.proto != IPPROTO_UDP)
		return -ENOMSG;
	if (ntohs(ip.frag) & (IP_FRAG_MF | IP_FRAG_OFFSET))
		return -ENOMSG;	/* fragments: a DHCP reply never needs them */
	if (tot - ihl < sizeof(udp))
		return -EBADMSG;
	memcpy(&udp, pkt + ihl, sizeof(udp));
	if (ntohs(udp.dport) != DHCP_CLIENT_PORT)
		return -ENOMSG;
	ulen = ntohs(udp.len);
	if (ulen < sizeof(udp) || ulen > tot - ihl)
		return -EBADMSG;
	/* The UDP checksum is not verified: on veth/virtio a packet socket can
	 * see it before the stack has filled it in (checksum offload). */
	*payload = pkt + ihl + sizeof(udp);
	*plen = ulen - sizeof(udp);
	return 0;
}

/* ---- parse ---------------------------------------------------------------- */

/* Options that may be split over several instances and are concatenated
 * (RFC 3396); everything else must appear with one valid length. */
struct longopt {
	uint8_t data[OPT_AREA_MAX];
	size_t len;
	bool seen;
};

struct pstate {
	struct dhcp_msg *m;
	struct longopt search, classless;
	uint8_t overload;
	bool has_type, has_bootfile_opt;
};

static int prefix_of(uint32_t mask_net, uint8_t *prefix)
{
	uint32_t m = ntohl(mask_net);
	uint8_t n = 0;

	while (m & 0x80000000u) {
		m <<= 1;
		n++;
	}
	if (m)
		return -EBADMSG;
	*prefix = n;
	return 0;
}

static int addr_list(struct in_addr *out, uint8_t *n, size_t max, const uint8_t *d, size_t len)
{
	size_t i;

	if (len == 0 || len % 4)
		return -EBADMSG;
	for (i = 0; i < len / 4; i++) {
		if (*n >= max)
			break;	/* keep the first max */
		memcpy(&out[(*n)++], d + i * 4, 4);
	}
	return 0;
}

static int u32_opt(uint32_t *out, const uint8_t *d, size_t len)
{
	uint32_t v;

	if (len != 4)
		return -EBADMSG;
	memcpy(&v, d, 4);
	*out = ntohl(v);
	return 0;
}

static int addr_opt(struct in_addr *out, const uint8_t *d, size_t len)
{
	if (len != 4)
		return -EBADMSG;
	memcpy(out, d, 4);
	return 0;
}

static int append_long(struct longopt *lo, const uint8_t *d, size_t len)
{
	if (lo->len + len > sizeof(lo->data))
		return -EBADMSG;
	memcpy(lo->data + lo->len, d, len);
	lo->len += len;
	lo->seen = true;
	return 0;
}

static int one_option(struct pstate *ps, uint8_t code, const uint8_t *d, size_t len)
{
	struct dhcp_msg *m = ps->m;
	uint32_t v;
	uint16_t mtu;

	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (len != 1 || d[0] < DHCP_DISCOVER || d[0] > DHCP_INFORM)
			return -EBADMSG;
		m->type = d[0];
		ps->has_type = true;
		return 0;
	case DHCP_OPT_NETMASK:
		if (len != 4)
			return -EBADMSG;
		memcpy(&v, d, 4);
		m->has_netmask = true;
		return prefix_of(v, &m->prefix);
	case DHCP_OPT_ROUTERS:
		return addr_list(m->routers, &m->n_routers, DHCP_MAX_ROUTERS, d, len);
	case DHCP_OPT_DNS:
		return addr_list(m->dns, &m->n_dns, DHCP_MAX_DNS, d, len);
	case DHCP_OPT_HOSTNAME:
		return dhcp_opt_str(m->hostname, sizeof(m->hostname), d, len, host_char);
	case DHCP_OPT_DOMAIN:
		return dhcp_opt_str(m->domain, sizeof(m->domain), d, len, host_char);
	case DHCP_OPT_MTU:
		if (len != 2)
			return -EBADMSG;
		memcpy(&mtu, d, 2);
		m->mtu = ntohs(mtu);
		return m->mtu < MTU_MIN ? -EBADMSG : 0;
	case DHCP_OPT_BROADCAST:
		return addr_opt(&m->broadcast, d, len);
	case DHCP_OPT_LEASE:
		return u32_opt(&m->lease, d, len);
	case DHCP_OPT_T1:
		return u32_opt(&m->t1, d, len);
	case DHCP_OPT_T2:
		return u32_opt(&m->t2, d, len);
	case DHCP_OPT_SERVER_ID:
		return addr_opt(&m->server_id, d, len);
	case DHCP_OPT_OVERLOAD:
		if (len != 1 || d[0] < 1 || d[0] > (OVERLOAD_FILE | OVERLOAD_SNAME))
			return -EBADMSG;
		ps->overload = d[0];
		return 0;
	case DHCP_OPT_MESSAGE: {
		size_t i, n = len < sizeof(m->message) - 1 ? len : sizeof(m->message) - 1;

		for (i = 0; i < n; i++)	/* free text: shown to the user, so sanitise */
			m->message[i] = (d[i] >= ' ' && d[i] < 0x7f) ? (char)d[i] : '?';
		m->message[n] = '\0';
		return 0;
	}
	case DHCP_OPT_TFTP_SERVER:
		return dhcp_opt_str(m->tftp_server, sizeof(m->tftp_server), d, len, host_char);
	case DHCP_OPT_BOOTFILE:
		ps->has_bootfile_opt = true;
		return dhcp_opt_str(m->bootfile, sizeof(m->bootfile), d, len, path_char);
	case DHCP_OPT_SEARCH:
		return append_long(&ps->search, d, len);
	case DHCP_OPT_CLASSLESS:
		return append_long(&ps->classless, d, len);
	default:
		return 0;	/* not used: skipped */
	}
}

/* Walk one options area. An area must end with END or run exactly to its
 * end (PAD filling is fine); a length running past the end is malformed. */
static int walk(struct pstate *ps, const uint8_t *p, size_t len)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		uint8_t code = p[i++];

		if (code == DHCP_OPT_PAD)
			continue;
		if (code == DHCP_OPT_END)
			return 0;
		if (i >= len)
			return -EBADMSG;	/* no length byte */
		size_t olen = p[i++];

		if (olen > len - i)
			return -EBADMSG;	/* runs past the end */
		rc = one_option(ps, code, p + i, olen);
		if (rc)
			return rc;
		i += olen;
	}
	return 0;
}

/* RFC 3397: a list of RFC 1035 names; compression pointers point backwards
 * into the option data. Writes "a.example b.example". (Zero padding, as in an
 * RFC 8106 DNSSL option, decodes to nothing.) */
int dhcp_names_decode(const uint8_t *data, size_t len, char *out, size_t cap)
{
	size_t pos = 0, o = 0;
	int count = 0;

	out[0] = '\0';
	while (pos < len) {
		size_t p = pos, start = o, name_end = 0, name_start = pos;
		bool jumped = false;
		int hops = 0;

		for (;;) {
			uint8_t l;

			if (p >= len)
				return -EBADMSG;
			l = data[p];
			if ((l & DNS_PTR_MASK) == DNS_PTR_MASK) {
				size_t target;

				if (p + 1 >= len)
					return -EBADMSG;
				target = (size_t)(l & ~DNS_PTR_MASK) << 8 | data[p + 1];
				/* strictly backwards, and before this name began: no loops */
				if (target >= name_start || ++hops > 64)
					return -EBADMSG;
				if (!jumped)
					name_end = p + 2;
				jumped = true;
				p = target;
				name_start = target;
				continue;
			}
			if (l & DNS_PTR_MASK)
				return -EBADMSG;	/* reserved label types */
			if (l == 0) {
				if (!jumped)
					name_end = p + 1;
				break;
			}
			if (l > DNS_LABEL_MAX || p + 1 + l > len)
				return -EBADMSG;
			if (o + l + 2 >= cap)
				return -EBADMSG;
			if (o > start)
				out[o++] = '.';
			for (size_t k = 0; k < l; k++) {
				uint8_t c = data[p + 1 + k];

				if (!host_char(c) || c == '.')
					return -EBADMSG;
				out[o++] = (char)c;
			}
			p += 1 + l;
		}
		if (o > start) {
			if (++count > SEARCH_MAX) {
				o = start ? start - 1 : 0;	/* drop the separator too */
				out[o] = '\0';
				return 0;
			}
			out[o++] = ' ';
		}
		out[o] = '\0';
		pos = name_end;
	}
	if (o && out[o - 1] == ' ')
		out[--o] = '\0';
	return 0;
}

static int decode_search(const struct longopt *lo, char *out, size_t cap)
{
	return dhcp_names_decode(lo->data, lo->len, out, cap);
}

/* RFC 3442: { width, significant octets of the destination, router }*. */
static int decode_classless(const struct longopt *lo, struct dhcp_msg *m)
{
	size_t p = 0;

	while (p < lo->len) {
		uint8_t width = lo->data[p++];
		size_t sig = (width + 7u) / 8u;
		uint8_t dst[4] = { 0, 0, 0, 0 };

		if (width > 32 || p + sig + 4 > lo->len)
			return -EBADMSG;
		memcpy(dst, lo->data + p, sig);
		p += sig;
		if (m->n_routes < DHCP_MAX_ROUTES) {
			struct dhcp_route *r = &m->routes[m->n_routes++];
			uint32_t mask = width ? htonl(~0u << (32 - width)) : 0;

			memcpy(&r->dst, dst, 4);
			r->dst.s_addr &= mask;
			r->prefix = width;
			memcpy(&r->gw, lo->data + p, 4);
		}
		p += 4;
	}
	m->has_classless = true;
	return 0;
}

int dhcp_parse(const uint8_t *pkt, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_msg *out)
{
	struct pstate ps;
	struct dhcp_hdr h;
	int rc;

	if (len < sizeof(h))
		return -EBADMSG;
	if (len > DHCP_MAX_LEN + 512)
		return -EBADMSG;
	memcpy(&h, pkt, sizeof(h));
	if (ntohl(h.magic) != DHCP_MAGIC)
		return -EBADMSG;
	if (h.op != DHCP_OP_REPLY || h.htype != DHCP_HTYPE_ETHER || h.hlen != 6)
		return -ENOMSG;
	if (ntohl(h.xid) != xid || memcmp(h.chaddr, mac, 6))
		return -ENOMSG;

	memset(&ps, 0, sizeof(ps));
	memset(out, 0, sizeof(*out));
	ps.m = out;
	rc = walk(&ps, pkt + sizeof(h), len - sizeof(h));
	if (!rc && (ps.overload & OVERLOAD_FILE))
		rc = walk(&ps, h.file, sizeof(h.file));
	if (!rc && (ps.overload & OVERLOAD_SNAME))
		rc = walk(&ps, h.sname, sizeof(h.sname));
	if (rc)
		return rc;
	if (!ps.has_type)
		return -EBADMSG;	/* BOOTP-only replies are not DHCP */
	if (ps.search.seen && decode_search(&ps.search, out->search, sizeof(out->search)))
		return -EBADMSG;
	if (ps.classless.seen && decode_classless(&ps.classless, out))
		return -EBADMSG;
	if (!ps.has_bootfile_opt && !(ps.overload & OVERLOAD_FILE) && h.file[0]) {
		size_t n = strnlen((const char *)h.file, sizeof(h.file));

		if (dhcp_opt_str(out->bootfile, sizeof(out->bootfile), h.file, n, path_char))
			return -EBADMSG;
	}
	out->yiaddr.s_addr = h.yiaddr;
	out->siaddr.s_addr = h.siaddr;
	if ((out->type == DHCP_OFFER || out->type == DHCP_ACK) &&
	    (!h.yiaddr || h.yiaddr == htonl(INADDR_BROADCAST)))
		return -EBADMSG;	/* an offer without a usable address */
	return 0;
}
