/* tracker.h: HTTP and UDP tracker messages. */
#include "fetch/tracker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/bencode.h"
#include "fetch/fetch.h"
#include "util/errbuf.h"

#define TRACKER_MAX_NODES	(4 * TRACKER_MAX_PEERS + 64)	/* values in an answer we parse */

int tracker_http_url(const char *announce, const struct tracker_announce *a, char *out, size_t outlen)
{
	static const char *const ev[] = { "", "&event=completed", "&event=started", "&event=stopped" };
	char ih[61], pid[61];
	int n;

	if (fetch_query_escape_bytes(a->info_hash, 20, ih, sizeof(ih)) ||
	    fetch_query_escape_bytes(a->peer_id, 20, pid, sizeof(pid)))
		return -ENAMETOOLONG;
	n = snprintf(out, outlen, "%s%cinfo_hash=%s&peer_id=%s&port=%u&uploaded=%" PRIu64 "&downloaded=%" PRIu64
		     "&left=%" PRIu64 "&compact=1&numwant=%u%s", announce, strchr(announce, '?') ? '&' : '?', ih, pid,
		     a->port, a->uploaded, a->downloaded, a->left, TRACKER_MAX_PEERS,
		     ev[a->event <= TRACKER_EV_STOPPED ? a->event : 0]);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static void add_peer(struct tracker_answer *out, const uint8_t ip[4], uint16_t port)
{
	if (out->npeers >= TRACKER_MAX_PEERS || !port || !(ip[0] | ip[1] | ip[2] | ip[3]))
		return;
	for (unsigned i = 0; i < out->npeers; i++)
		if (out->peers[i].port == port && !memcmp(out->peers[i].ip, ip, 4))
			return;
	memcpy(out->peers[out->npeers].ip, ip, 4);
	out->peers[out->npeers++].port = port;
}

static void add_compact(struct tracker_answer *out, const uint8_t *p, size_t len)
{
	for (; len >= 6; p += 6, len -= 6)
		add_peer(out, p, (uint16_t)(p[4] << 8 | p[5]));
}

/* "a.b.c.d" exactly */
static int parse_ipv4(const uint8_t *s, size_t len, uint8_t ip[4])
{
	unsigned part = 0, v = 0, digits = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!digits || part > 3)
				return -1;
			ip[part++] = (uint8_t)v;
			v = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			v = v * 10 + (s[i] - '0');
			digits++;
			if (v > 255)
				return -1;
		} else {
			return -1;
		}
	}
	return part == 4 ? 0 : -1;
}

int tracker_http_parse(const void *buf, size_t len, struct tracker_answer *out, char *err, size_t errlen)
{
	struct bnode nodes[TRACKER_MAX_NODES];
	struct bdoc d;
	const uint8_t *s;
	size_t sl;
	int rc, v;

	memset(out, 0, sizeof(*out));
	rc = bencode_parse(&d, buf, len, nodes, TRACKER_MAX_NODES, err, errlen);
	if (rc == -E2BIG)
		return -EBADMSG;	/* more than we take: not worth parsing */
	if (rc)
		return rc;
	if (d.n[0].type != BEN_DICT) {
		seterr(err, errlen, "tracker answer is not a dictionary");
		return -EBADMSG;
	}
	s = bencode_str(&d, bencode_get(&d, 0, "failure reason"), &sl);
	if (s) {
		seterr(err, errlen, "tracker refused: %.*s", (int)(sl > 200 ? 200 : sl), (const char *)s);
		text_scrub(err);
		return -EREMOTEIO;
	}
	v = bencode_get_type(&d, 0, "interval", BEN_INT);
	if (v >= 0 && d.n[v].i > 0)
		out->interval_s = d.n[v].i > 86400 ? 86400 : (unsigned)d.n[v].i;
	v = bencode_get(&d, 0, "peers");
	if (v < 0) {
		seterr(err, errlen, "tracker answer has no peers");
		return -EBADMSG;
	}
	if (d.n[v].type == BEN_STR) {
		s = bencode_str(&d, v, &sl);
		add_compact(out, s, sl);
	} else if (d.n[v].type == BEN_LIST) {
		for (int p = bencode_child(&d, v); p >= 0; p = bencode_sibling(&d, v, p)) {
			int ipn = bencode_get_type(&d, p, "ip", BEN_STR), pn = bencode_get_type(&d, p, "port", BEN_INT);
			uint8_t ip[4];

			s = bencode_str(&d, ipn, &sl);
			if (s && pn >= 0 && d.n[pn].i > 0 && d.n[pn].i < 65536 && !parse_ipv4(s, sl, ip))
				add_peer(out, ip, (uint16_t)d.n[pn].i);
		}
	} else {
		seterr(err, errlen, "tracker answer's peers is neither a string nor a list");
		return -EBADMSG;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t tracker_udp_connect(uint8_t out[TRACKER_UDP_CONNECT_LEN], uint32_t tid)
{
	put64(out, TRACKER_UDP_MAGIC);
	put32(out + 8, TRACKER_UDP_CONNECT);
	put32(out + 12, tid);
	return TRACKER_UDP_CONNECT_LEN;
}

size_t tracker_udp_announce(uint8_t out[TRACKER_UDP_ANNOUNCE_LEN], uint64_t conn_id, uint32_t tid,
			    const struct tracker_announce *a)
{
	put64(out, conn_id);
	put32(out + 8, TRACKER_UDP_ANNOUNCE);
	put32(out + 12, tid);
	memcpy(out + 16, a->info_hash, 20);
	memcpy(out + 36, a->peer_id, 20);
	put64(out + 56, a->downloaded);
	put64(out + 64, a->left);
	put64(out + 72, a->uploaded);
	put32(out + 80, a->event);
	put32(out + 84, 0);			/* IP address: the sender's */
	put32(out + 88, a->key);
	put32(out + 92, TRACKER_MAX_PEERS);	/* num_want */
	out[96] = (uint8_t)(a->port >> 8);
	out[97] = (uint8_t)a->port;
	return TRACKER_UDP_ANNOUNCE_LEN;
}

/* action and transaction of an answer; error answers carry a message */
static int udp_head(const uint8_t *in, size_t len, uint32_t tid, uint32_t want, char *err, size_t errlen)
{
	uint32_t action;

	if (len < 8)
		return -EBADMSG;
	if (be32(in + 4) != tid)
		return -EAGAIN;
	action = be32(in);
	if (action == TRACKER_UDP_ERROR) {
		size_t n = len - 8 > 200 ? 200 : len - 8;

		seterr(err, errlen, "tracker refused: %.*s", (int)n, (const char *)in + 8);
		text_scrub(err);
		return -EREMOTEIO;
	}
	return action == want ? 0 : -EAGAIN;
}

int tracker_udp_connect_parse(const uint8_t *in, size_t len, uint32_t tid, uint64_t *conn_id, char *err,
			      size_t errlen)
{
	int rc = udp_head(in, len, tid, TRACKER_UDP_CONNECT, err, errlen);

	if (rc)
		return rc;
	if (len < 16)
		return -EBADMSG;
	*conn_id = (uint64_t)be32(in + 8) << 32 | be32(in + 12);
	return 0;
}

int tracker_udp_announce_parse(const uint8_t *in, size_t len, uint32_t tid, struct tracker_answer *out,
			       char *err, size_t errlen)
{
	int rc = udp_head(in, len, tid, TRACKER_UDP_ANNOUNCE, err, errlen);
	uint32_t interval;

	if (rc)
		return rc;
	if (len < 20)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	interval = be32(in + 8);
	out->interval_s = interval > 86400 ? 86400 : interval;
	add_compact(out, in + 20, len - 20);
	return 0;
}

/* ---- Local Service Discovery ---------------------------------------------- */

size_t lsd_announce(char *out, size_t cap, const uint8_t info_hash[20], uint16_t port, const char *cookie)
{
	char hex[41];
	int n;

	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", info_hash[i]);
	n = snprintf(out, cap, "BT-SEARCH * HTTP/1.1\r\nHost: %s:%u\r\nPort: %u\r\nInfohash: %s\r\ncookie: %s\r\n\r\n\r\n",
		     LSD_GROUP, LSD_PORT, port, hex, cookie);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* the value of a "Name: value" line, trimmed; NULL if line is not that header */
static const char *hdr_value(const char *line, size_t len, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	len -= n + 1;
	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	*vlen = len;
	return line;
}

int lsd_parse(const void *in, size_t len, const uint8_t info_hash[20], const char *cookie, uint16_t *port)
{
	static const char first[] = "BT-SEARCH * HTTP/1.1";
	const char *p = in, *end = p + len;
	bool ours = false, mine = false, have_port = false;
	unsigned long pv = 0;
	char want[41];

	for (int i = 0; i < 20; i++)
		snprintf(want + 2 * i, 3, "%02x", info_hash[i]);
	if (len < sizeof(first) - 1 || memcmp(p, first, sizeof(first) - 1))
		return -EBADMSG;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p), vl;

		if ((v = hdr_value(p, l, "Port", &vl))) {
			char num[8];

			if (!vl || vl >= sizeof(num))
				return -EBADMSG;
			for (size_t k = 0; k < vl; k++)	/* (the datagram has no NUL: no strspn) */
				if (v[k] < '0' || v[k] > '9')
					return -EBADMSG;
			memcpy(num, v, vl);
			num[vl] = '\0';
			pv = strtoul(num, NULL, 10);
			if (!pv || pv > 65535)
				return -EBADMSG;
			have_port = true;
		} else if ((v = hdr_value(p, l, "Infohash", &vl))) {
			if (vl == 40 && !strncasecmp(v, want, 40))
				ours = true;
		} else if ((v = hdr_value(p, l, "cookie", &vl))) {
			if (cookie && vl == strlen(cookie) && !memcmp(v, cookie, vl))
				mine = true;
		}
		p += l + (nl ? 1 : 0);
	}
	if (!have_port)
		return -EBADMSG;
	if (!ours || mine)
		return -ENOENT;
	*port = (uint16_t)pv;
	return 0;
}
