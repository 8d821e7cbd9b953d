/* torrent_meta.h: metainfo from bencode. */
#include "fetch/torrent_meta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch/bencode.h"
#include "util/errbuf.h"

#define META_MAX_NODES	4096	/* values in a .torrent (pieces is one string) */

static int add_url(char (*list)[TORRENT_URL_MAX], unsigned *n, unsigned max, const uint8_t *s, size_t len,
		   int trackers)
{
	static const char *const tr[] = { "http://", "https://", "udp://" };
	static const char *const ws[] = { "http://", "https://" };
	const char *const *ok = trackers ? tr : ws;
	size_t nok = trackers ? 3 : 2, i;

	if (!s || !len || len >= TORRENT_URL_MAX || *n >= max || memchr(s, '\0', len))
		return 0;	/* not usable: skipped */
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	for (i = 0; i < nok; i++)
		if (len > strlen(ok[i]) && !strncasecmp((const char *)s, ok[i], strlen(ok[i])))
			break;
	if (i == nok)
		return 0;
	for (i = 0; i < *n; i++)
		if (strlen(list[i]) == len && !memcmp(list[i], s, len))
			return 0;
	memcpy(list[*n], s, len);
	list[*n][len] = '\0';
	(*n)++;
	return 0;
}

int torrent_meta_parse(struct torrent_meta *m, const void *buf, size_t len, char *err, size_t errlen)
{
	struct bnode *nodes;
	struct bdoc d;
	int rc, info, v, al;
	const uint8_t *s;
	size_t sl;

	memset(m, 0, sizeof(*m));
	if (len > TORRENT_META_MAX) {
		seterr(err, errlen, "metainfo is %zu bytes, more than the %u allowed", len, TORRENT_META_MAX);
		return -E2BIG;
	}
	nodes = calloc(META_MAX_NODES, sizeof(*nodes));
	if (!nodes) {
		seterr(err, errlen, "out of memory reading the metainfo");
		return -ENOMEM;
	}
	rc = bencode_parse(&d, buf, len, nodes, META_MAX_NODES, err, errlen);
	if (rc)
		goto out;
	rc = -EBADMSG;
	info = bencode_get_type(&d, 0, "info", BEN_DICT);
	if (info < 0) {
		seterr(err, errlen, "metainfo has no info dictionary");
		goto out;
	}
	sha1(d.buf + d.n[info].start, d.n[info].end - d.n[info].start, m->info_hash);
	if (bencode_get(&d, info, "files") >= 0) {
		seterr(err, errlen, "multi-file torrents are not supported: the torrent must carry one image file");
		rc = -ENOTSUP;
		goto out;
	}
	s = bencode_str(&d, bencode_get(&d, info, "name"), &sl);
	if (!s || !sl || sl >= TORRENT_NAME_MAX || memchr(s, '/', sl) || memchr(s, '\0', sl) ||
	    (sl == 1 && s[0] == '.') || (sl == 2 && s[0] == '.' && s[1] == '.')) {
		seterr(err, errlen, "metainfo's name is missing or not a plain file name");
		goto out;
	}
	memcpy(m->name, s, sl);
	text_scrub(m->name);
	v = bencode_get_type(&d, info, "length", BEN_INT);
	if (v < 0 || d.n[v].i <= 0 || (uint64_t)d.n[v].i > TORRENT_LENGTH_MAX) {
		seterr(err, errlen, "metainfo's length is missing or out of range (1 .. 4 TiB)");
		goto out;
	}
	m->length = (uint64_t)d.n[v].i;
	v = bencode_get_type(&d, info, "piece length", BEN_INT);
	if (v < 0 || d.n[v].i < TORRENT_PIECE_MIN || d.n[v].i > TORRENT_PIECE_MAX || d.n[v].i % TORRENT_PIECE_MIN) {
		seterr(err, errlen, "metainfo's piece length is missing or not a multiple of 16 KiB up to 16 MiB");
		goto out;
	}
	m->piece_len = (uint32_t)d.n[v].i;
	{
		uint64_t np = (m->length + m->piece_len - 1) / m->piece_len;

		s = bencode_str(&d, bencode_get(&d, info, "pieces"), &sl);
		if (!s || np > UINT32_MAX || sl != np * SHA1_DIGEST) {
			seterr(err, errlen, "metainfo's pieces is %zu bytes, expected %llu (20 per piece)", sl,
			       (unsigned long long)np * SHA1_DIGEST);
			goto out;
		}
		m->npieces = (uint32_t)np;
	}
	m->pieces = malloc(sl);
	if (!m->pieces) {
		seterr(err, errlen, "out of memory for the piece hashes");
		rc = -ENOMEM;
		goto out;
	}
	memcpy(m->pieces, s, sl);
	/* BEP 12: announce-list's tiers in order; announce as well (a client without BEP 12 uses it) */
	al = bencode_get_type(&d, 0, "announce-list", BEN_LIST);
	for (int tier = bencode_child(&d, al); tier >= 0; tier = bencode_sibling(&d, al, tier))
		for (int u = bencode_child(&d, tier); u >= 0; u = bencode_sibling(&d, tier, u)) {
			s = bencode_str(&d, u, &sl);
			add_url(m->trackers, &m->ntrackers, TORRENT_MAX_TRACKERS, s, sl, 1);
		}
	s = bencode_str(&d, bencode_get(&d, 0, "announce"), &sl);
	add_url(m->trackers, &m->ntrackers, TORRENT_MAX_TRACKERS, s, sl, 1);
	/* BEP 19: url-list is one string or a list; a URL ending in '/' names a directory */
	v = bencode_get(&d, 0, "url-list");
	for (int u = v >= 0 && d.n[v].type == BEN_LIST ? bencode_child(&d, v) : v; u >= 0;
	     u = d.n[v].type == BEN_LIST ? bencode_sibling(&d, v, u) : -1) {
		char url[TORRENT_URL_MAX];
		size_t nl = strlen(m->name);

		s = bencode_str(&d, u, &sl);
		if (!s || !sl || sl >= sizeof(url))
			continue;
		memcpy(url, s, sl);
		url[sl] = '\0';
		if (url[sl - 1] == '/') {	/* + the name, percent-encoding what a path cannot hold */
			for (size_t i = 0; i < nl && sl + 3 < sizeof(url); i++) {
				unsigned char c = (unsigned char)m->name[i];

				if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				    strchr("-._~", c))
					url[sl++] = (char)c;
				else
					sl += (size_t)snprintf(url + sl, 4, "%%%02X", c);
			}
			url[sl] = '\0';
		}
		add_url(m->webseeds, &m->nwebseeds, TORRENT_MAX_WEBSEEDS, (const uint8_t *)url, strlen(url), 0);
	}
	rc = 0;
out:
	free(nodes);
	if (rc)
		torrent_meta_free(m);
	return rc;
}

void torrent_meta_free(struct torrent_meta *m)
{
	free(m->pieces);
	m->pieces = NULL;
}

uint32_t torrent_piece_size(const struct torrent_meta *m, uint32_t i)
{
	uint64_t start = (uint64_t)i * m->piece_len;

	if (i >= m->npieces)
		return 0;
	return m->length - start < m->piece_len ? (uint32_t)(m->length - start) : m->piece_len;
}
