/* dhcp6: DHCPv6 wire format (build, parse). */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "net/dhcp6.h"
#include "net/dhcpstr.h"

#define OPT_HDR		4	/* option-code 2 + option-len 2 */
#define IA_NA_FIXED	12	/* IAID 4 + T1 4 + T2 4, then IA_NA-options */
#define IAADDR_FIXED	24	/* address 16 + preferred 4 + valid 4, then IAaddr-options */
#define DNS_LABEL_MAX	63
#define DNS_NAME_MAX	255	/* RFC 1035 2.3.4, wire form */
#define SEARCH_MAX	6	/* domains kept from option 24 (resolv.conf limit) */
#define SOL_MAX_RT_MIN	60	/* RFC 8415 21.24: values outside 60..86400 are ignored */
#define SOL_MAX_RT_MAX	86400

/* ---- build ---------------------------------------------------------------- */

struct obuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Open an option: returns the offset of its header (to close it), or SIZE_MAX. */
static size_t opt_begin(struct obuf *o, uint16_t code)
{
	size_t at = o->len;

	if (o->err || o->cap - o->len < OPT_HDR) {
		o->err = -ENOSPC;
		return SIZE_MAX;
	}
	put16(o->p + at, code);
	put16(o->p + at + 2, 0);
	o->len += OPT_HDR;
	return at;
}

static void opt_end(struct obuf *o, size_t at)
{
	size_t n;

	if (o->err || at == SIZE_MAX)
		return;
	n = o->len - at - OPT_HDR;
	if (n > 0xffff) {
		o->err = -ENOSPC;
		return;
	}
	put16(o->p + at + 2, (uint16_t)n);
}

static void put_bytes(struct obuf *o, const void *d, size_t n)
{
	if (o->err || o->cap - o->len < n) {
		o->err = -ENOSPC;
		return;
	}
	if (n)
		memcpy(o->p + o->len, d, n);
	o->len += n;
}

static void put_u16(struct obuf *o, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	put_bytes(o, b, 2);
}

static void put_u32(struct obuf *o, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	put_bytes(o, b, 4);
}

static void put_opt(struct obuf *o, uint16_t code, const void *d, size_t n)
{
	size_t at = opt_begin(o, code);

	put_bytes(o, d, n);
	opt_end(o, at);
}

int dhcp6_duid_ll(uint8_t *out, size_t cap, const uint8_t mac[6])
{
	if (cap < DHCP6_DUID_LL_LEN)
		return -ENOSPC;
	put16(out, DHCP6_DUID_LL);
	put16(out + 2, DHCP6_HWTYPE_ETHER);
	memcpy(out + 4, mac, 6);
	return DHCP6_DUID_LL_LEN;
}

uint32_t dhcp6_iaid(const uint8_t mac[6])
{
	return get32(mac + 2);
}

int dhcp6_build(uint8_t *buf, size_t cap, const struct dhcp6_req *r)
{
	struct obuf o = { buf, 0, cap, 0 };
	uint8_t hdr[DHCP6_HDR_LEN];
	size_t at, i;

	if (r->type != DHCP6_SOLICIT && r->type != DHCP6_REQUEST &&
	    r->type != DHCP6_INFORMATION_REQUEST)
		return -EINVAL;
	if (!r->duid || !r->duid_len || r->duid_len > DHCP6_DUID_MAX)
		return -EINVAL;
	if (r->type == DHCP6_REQUEST &&
	    (!r->server_id || !r->server_id_len || r->server_id_len > DHCP6_DUID_MAX))
		return -EINVAL;
	hdr[0] = r->type;
	hdr[1] = (uint8_t)(r->xid >> 16);
	hdr[2] = (uint8_t)(r->xid >> 8);
	hdr[3] = (uint8_t)r->xid;
	put_bytes(&o, hdr, sizeof(hdr));
	put_opt(&o, DHCP6_OPT_CLIENTID, r->duid, r->duid_len);
	if (r->type == DHCP6_REQUEST)
		put_opt(&o, DHCP6_OPT_SERVERID, r->server_id, r->server_id_len);
	at = opt_begin(&o, DHCP6_OPT_ELAPSED_TIME);
	put_u16(&o, r->elapsed_cs);
	opt_end(&o, at);

	/* RFC 8415 18.2.1/18.2.6: SOL_MAX_RT in a Solicit's ORO, INF_MAX_RT in an
	 * Information-Request's, so a server can slow us down */
	at = opt_begin(&o, DHCP6_OPT_ORO);
	put_u16(&o, DHCP6_OPT_DNS_SERVERS);
	put_u16(&o, DHCP6_OPT_DOMAIN_LIST);
	put_u16(&o, DHCP6_OPT_BOOTFILE_URL);
	put_u16(&o, DHCP6_OPT_BOOTFILE_PARAM);
	put_u16(&o, r->type == DHCP6_INFORMATION_REQUEST ? DHCP6_OPT_INF_MAX_RT : DHCP6_OPT_SOL_MAX_RT);
	opt_end(&o, at);

	if (r->ia_na && r->type != DHCP6_INFORMATION_REQUEST) {
		at = opt_begin(&o, DHCP6_OPT_IA_NA);
		put_u32(&o, r->iaid);
		put_u32(&o, 0);	/* T1, T2: the server's choice */
		put_u32(&o, 0);
		for (i = 0; r->addrs && i < r->n_addrs; i++) {
			size_t a = opt_begin(&o, DHCP6_OPT_IAADDR);

			put_bytes(&o, &r->addrs[i].addr, 16);
			put_u32(&o, 0);	/* lifetimes from a client SHOULD be 0, 21.6 */
			put_u32(&o, 0);
			opt_end(&o, a);
		}
		opt_end(&o, at);
	}
	if (r->type == DHCP6_SOLICIT && r->rapid_commit)
		put_opt(&o, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	if (o.err)
		return o.err;
	return (int)o.len;
}

/* ---- parse ---------------------------------------------------------------- */

struct pstate {
	struct dhcp6_msg *m;
	const uint8_t *duid;
	size_t duid_len;
	uint32_t iaid;
	bool client_ok, seen_client;
	uint32_t seen;		/* singleton options already met (bit per enum below) */
};

enum {
	SEEN_SERVERID = 1u << 0,
	SEEN_STATUS = 1u << 1,
	SEEN_PREF = 1u << 2,
	SEEN_RAPID = 1u << 3,
	SEEN_DNS = 1u << 4,
	SEEN_SEARCH = 1u << 5,
	SEEN_URL = 1u << 6,
	SEEN_PARAM = 1u << 7,
	SEEN_IA = 1u << 8,
	SEEN_SOLRT = 1u << 9,
	SEEN_INFRT = 1u << 10,
};

/* A singleton option seen twice makes the message malformed. */
static int once(struct pstate *ps, uint32_t bit)
{
	if (ps->seen & bit)
		return -EBADMSG;
	ps->seen |= bit;
	return 0;
}

/* One option at p[*i]: checks its header and length against end. */
static int next_opt(const uint8_t *p, size_t len, size_t *i, uint16_t *code,
		    const uint8_t **d, size_t *dlen)
{
	size_t n;

	if (len - *i < OPT_HDR)
		return -EBADMSG;	/* a partial header */
	*code = get16(p + *i);
	n = get16(p + *i + 2);
	if (n > len - *i - OPT_HDR)
		return -EBADMSG;	/* runs past its container */
	*d = p + *i + OPT_HDR;
	*dlen = n;
	*i += OPT_HDR + n;
	return 0;
}

/* Status code (21.13): 2-octet code, then UTF-8 text shown to the user: any
 * byte outside printable ASCII becomes '?'. */
static int status_opt(const uint8_t *d, size_t len, uint16_t *code, char *msg, size_t cap)
{
	size_t k, n;

	if (len < 2)
		return -EBADMSG;
	*code = get16(d);
	n = len - 2 < cap - 1 ? len - 2 : cap - 1;
	for (k = 0; k < n; k++)
		msg[k] = (d[2 + k] >= ' ' && d[2 + k] < 0x7f) ? (char)d[2 + k] : '?';
	msg[n] = '\0';
	return 0;
}

/* IAADDR (21.6) inside our IA_NA. */
static int iaaddr(struct dhcp6_msg *m, const uint8_t *d, size_t len)
{
	struct dhcp6_addr a;
	char ignored[2];
	size_t i = IAADDR_FIXED;
	bool seen_status = false;

	if (len < IAADDR_FIXED)
		return -EBADMSG;
	memset(&a, 0, sizeof(a));
	memcpy(&a.addr, d, 16);
	a.preferred = get32(d + 16);
	a.valid = get32(d + 20);
	while (i < len) {
		const uint8_t *od;
		size_t olen;
		uint16_t code;
		int rc = next_opt(d, len, &i, &code, &od, &olen);

		if (rc)
			return rc;
		if (code == DHCP6_OPT_STATUS_CODE) {
			if (seen_status)
				return -EBADMSG;
			seen_status = true;
			rc = status_opt(od, olen, &a.status, ignored, sizeof(ignored));
			if (rc)
				return rc;
			a.has_status = true;
			if (a.status != DHCP6_SUCCESS)
				m->addr_status = a.status;
		}
	}
	/* 21.6: preferred > valid is discarded; so are a refused or expired address,
	 * and addresses that cannot be a unicast host address */
	if (a.preferred > a.valid || a.valid == 0 || a.status != DHCP6_SUCCESS ||
	    IN6_IS_ADDR_UNSPECIFIED(&a.addr) || IN6_IS_ADDR_MULTICAST(&a.addr) ||
	    IN6_IS_ADDR_LOOPBACK(&a.addr) || IN6_IS_ADDR_LINKLOCAL(&a.addr) ||
	    IN6_IS_ADDR_V4MAPPED(&a.addr))
		return 0;
	if (m->n_addrs < DHCP6_MAX_ADDRS)
		m->addrs[m->n_addrs++] = a;
	return 0;
}

/* IA_NA (21.4): checked whole even when it is not ours, kept when it is. */
static int ia_na(struct pstate *ps, const uint8_t *d, size_t len)
{
	struct dhcp6_msg tmp, *m;
	size_t i = IA_NA_FIXED;
	bool ours, seen_status = false;
	uint32_t t1, t2;

	if (len < IA_NA_FIXED)
		return -EBADMSG;
	ours = get32(d) == ps->iaid;
	if (ours && once(ps, SEEN_IA))
		return -EBADMSG;
	m = ours ? ps->m : &tmp;
	if (!ours)
		memset(&tmp, 0, sizeof(tmp));
	t1 = get32(d + 4);
	t2 = get32(d + 8);
	while (i < len) {
		const uint8_t *od;
		size_t olen;
		uint16_t code;
		int rc = next_opt(d, len, &i, &code, &od, &olen);

		if (rc)
			return rc;
		if (code == DHCP6_OPT_IAADDR) {
			rc = iaaddr(m, od, olen);
		} else if (code == DHCP6_OPT_STATUS_CODE) {
			if (seen_status)
				return -EBADMSG;
			seen_status = true;
			rc = status_opt(od, olen, &m->ia_status, m->ia_status_msg,
					sizeof(m->ia_status_msg));
			m->has_ia_status = true;
		}
		if (rc)
			return rc;
	}
	if (!ours)
		return 0;
	if (t2 && t1 > t2) {
		/* 21.4: the client MUST discard an IA_NA with T1 > T2 */
		m->n_addrs = 0;
		m->has_ia_status = false;
		m->ia_status_msg[0] = '\0';
		m->ia_status = 0;
		return 0;
	}
	m->has_ia_na = true;
	m->iaid = ps->iaid;
	m->t1 = t1;
	m->t2 = t2;
	return 0;
}

/* Option 24 (RFC 3646 4, RFC 8415 10): uncompressed DNS names, each ending in
 * the root label. Keeps SEARCH_MAX names as "a.example b.example"; any
 * compression pointer, reserved label type, overlong label or name, a name
 * running past the option, or a byte that is not a host-name character is
 * malformed. The root name alone is skipped. */
static int domain_list(char *out, size_t cap, const uint8_t *d, size_t len)
{
	size_t p = 0, o = 0;
	int count = 0;

	out[0] = '\0';
	if (len == 0)
		return -EBADMSG;
	while (p < len) {
		char name[DNS_NAME_MAX + 1];
		size_t n = 0, wire = 0;

		for (;;) {
			uint8_t l;

			if (p >= len)
				return -EBADMSG;	/* no root label before the end */
			l = d[p++];
			wire++;
			if (l == 0)
				break;
			if (l > DNS_LABEL_MAX)
				return -EBADMSG;	/* 0xc0 pointers and reserved 0x40/0x80 types */
			if (l > len - p || wire + l > DNS_NAME_MAX)
				return -EBADMSG;
			if (n)
				name[n++] = '.';
			for (size_t k = 0; k < l; k++) {
				uint8_t c = d[p + k];

				if (!host_char(c) || c == '.')
					return -EBADMSG;
				name[n++] = (char)c;
			}
			p += l;
			wire += l;
		}
		if (wire > DNS_NAME_MAX)
			return -EBADMSG;	/* the root label made it 256 */
		name[n] = '\0';
		if (n == 0 || count >= SEARCH_MAX)
			continue;	/* the root, or more than resolv.conf keeps */
		if (o + (o ? 1 : 0) + n >= cap)
			continue;	/* does not fit: dropped whole, never cut */
		if (o)
			out[o++] = ' ';
		memcpy(out + o, name, n + 1);
		o += n;
		count++;
	}
	return 0;
}

/* Option 60 (RFC 5970 3.2): { param-len 2, parameter }*, joined by ' '. */
static int bootfile_param(char *out, size_t cap, const uint8_t *d, size_t len)
{
	size_t p = 0, o = 0;

	if (len == 0)
		return -EBADMSG;
	while (p < len) {
		size_t n;

		if (len - p < 2)
			return -EBADMSG;
		n = get16(d + p);
		p += 2;
		if (n == 0 || n > len - p || o + (o ? 1 : 0) + n >= cap)
			return -EBADMSG;
		if (o)
			out[o++] = ' ';
		for (size_t k = 0; k < n; k++) {
			if (!path_char(d[p + k]))
				return -EBADMSG;
			out[o++] = (char)d[p + k];
		}
		p += n;
	}
	out[o] = '\0';
	return 0;
}

static int one_option(struct pstate *ps, uint16_t code, const uint8_t *d, size_t len)
{
	struct dhcp6_msg *m = ps->m;
	uint32_t v;

	switch (code) {
	case DHCP6_OPT_CLIENTID:
		if (ps->seen_client || len == 0 || len > DHCP6_DUID_MAX)
			return -EBADMSG;
		ps->seen_client = true;
		ps->client_ok = len == ps->duid_len && !memcmp(d, ps->duid, len);
		return 0;
	case DHCP6_OPT_SERVERID:
		if (once(ps, SEEN_SERVERID) || len == 0 || len > DHCP6_DUID_MAX)
			return -EBADMSG;
		memcpy(m->server_id, d, len);
		m->server_id_len = (uint8_t)len;
		return 0;
	case DHCP6_OPT_IA_NA:
		return ia_na(ps, d, len);
	case DHCP6_OPT_STATUS_CODE:
		if (once(ps, SEEN_STATUS))
			return -EBADMSG;
		m->has_status = true;
		return status_opt(d, len, &m->status, m->status_msg, sizeof(m->status_msg));
	case DHCP6_OPT_PREFERENCE:
		if (once(ps, SEEN_PREF) || len != 1)
			return -EBADMSG;
		m->has_preference = true;
		m->preference = d[0];
		return 0;
	case DHCP6_OPT_RAPID_COMMIT:
		if (once(ps, SEEN_RAPID) || len != 0)
			return -EBADMSG;
		m->rapid_commit = true;
		return 0;
	case DHCP6_OPT_DNS_SERVERS:
		if (once(ps, SEEN_DNS) || len == 0 || len % 16)
			return -EBADMSG;
		for (size_t k = 0; k < len / 16 && m->n_dns < DHCP6_MAX_DNS; k++)
			memcpy(&m->dns[m->n_dns++], d + k * 16, 16);
		return 0;
	case DHCP6_OPT_DOMAIN_LIST:
		if (once(ps, SEEN_SEARCH))
			return -EBADMSG;
		return domain_list(m->search, sizeof(m->search), d, len);
	case DHCP6_OPT_BOOTFILE_URL:
		if (once(ps, SEEN_URL))
			return -EBADMSG;
		return dhcp_opt_str(m->bootfile_url, sizeof(m->bootfile_url), d, len, path_char);
	case DHCP6_OPT_BOOTFILE_PARAM:
		if (once(ps, SEEN_PARAM))
			return -EBADMSG;
		return bootfile_param(m->bootfile_param, sizeof(m->bootfile_param), d, len);
	case DHCP6_OPT_SOL_MAX_RT:
	case DHCP6_OPT_INF_MAX_RT:
		if (once(ps, code == DHCP6_OPT_SOL_MAX_RT ? SEEN_SOLRT : SEEN_INFRT) || len != 4)
			return -EBADMSG;
		v = get32(d);
		if (v < SOL_MAX_RT_MIN || v > SOL_MAX_RT_MAX)
			return 0;	/* 21.24/21.25: out of range is ignored */
		if (code == DHCP6_OPT_SOL_MAX_RT)
			m->sol_max_rt = v;
		else
			m->inf_max_rt = v;
		return 0;
	default:
		return 0;	/* not used: skipped */
	}
}

int dhcp6_parse(const uint8_t *pkt, size_t len, uint32_t xid, const uint8_t *duid,
		size_t duid_len, uint32_t iaid, struct dhcp6_msg *out)
{
	struct pstate ps;
	size_t i = DHCP6_HDR_LEN;
	uint32_t mxid;

	if (len < DHCP6_HDR_LEN)
		return -EBADMSG;
	if (pkt[0] != DHCP6_ADVERTISE && pkt[0] != DHCP6_REPLY)
		return -ENOMSG;	/* Reconfigure, client or relay messages */
	mxid = (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
	if (mxid != (xid & 0xffffffu))
		return -ENOMSG;

	memset(&ps, 0, sizeof(ps));
	memset(out, 0, sizeof(*out));
	ps.m = out;
	ps.duid = duid;
	ps.duid_len = duid_len;
	ps.iaid = iaid;
	out->type = pkt[0];
	out->xid = mxid;
	while (i < len) {
		const uint8_t *d;
		size_t dlen;
		uint16_t code;
		int rc = next_opt(pkt, len, &i, &code, &d, &dlen);

		if (!rc)
			rc = one_option(&ps, code, d, dlen);
		if (rc)
			return rc;
	}
	if (!out->server_id_len)
		return -EBADMSG;	/* 16.3, 16.10: a server message names its server */
	if (!ps.seen_client || !ps.client_ok)
		return -ENOMSG;		/* for another client (or for nobody) */
	return 0;
}

const char *dhcp6_status_name(uint16_t status)
{
	switch (status) {
	case DHCP6_SUCCESS: return "Success";
	case DHCP6_UNSPEC_FAIL: return "UnspecFail";
	case DHCP6_NO_ADDRS_AVAIL: return "NoAddrsAvail";
	case DHCP6_NO_BINDING: return "NoBinding";
	case DHCP6_NOT_ON_LINK: return "NotOnLink";
	case DHCP6_USE_MULTICAST: return "UseMulticast";
	case DHCP6_NO_PREFIX_AVAIL: return "NoPrefixAvail";
	default: return "unknown status";
	}
}
