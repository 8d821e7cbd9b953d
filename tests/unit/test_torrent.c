/* bencode, metainfo, SHA-1, peer wire and tracker messages (fetch/bencode.h, torrent_meta.h,
 * peerwire.h, tracker.h; crypto/sha1.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "crypto/sha1.h"
#include "crypto/sha256.h"
#include "fetch/bencode.h"
#include "fetch/peerwire.h"
#include "fetch/torrent.h"
#include "fetch/torrent_meta.h"
#include "fetch/tracker.h"

/* ---- bencode ---- */

static void row_ben(const char *file, int line, const char *in, size_t len, int want_rc, const char *err_part)
{
	struct bnode n[64];
	struct bdoc d;
	char err[200] = "";
	int rc = bencode_parse(&d, in, len, n, 64, err, sizeof(err));

	if (rc != want_rc || (err_part && !strstr(err, err_part))) {
		print_error("%s:%d: '%.*s': rc %d (wanted %d), err '%s' (wanted '%s')\n", file, line, (int)len, in, rc,
			    want_rc, err, err_part ? err_part : "");
		fail();
	}
}
#define B_OK(s) row_ben(__FILE__, __LINE__, s, strlen(s), 0, NULL)
#define B_BAD(s, rc, part) row_ben(__FILE__, __LINE__, s, strlen(s), rc, part)

static void test_bencode_grammar(void **state)
{
	B_OK("i0e");
	B_OK("i-1e");
	B_OK("i9223372036854775807e");
	B_OK("i-9223372036854775808e");
	B_OK("0:");
	B_OK("4:spam");
	B_OK("le");
	B_OK("de");
	B_OK("d3:cow3:moo4:spaml1:a1:bee");
	B_BAD("i9223372036854775808e", -EBADMSG, "overflows");
	B_BAD("i-9223372036854775809e", -EBADMSG, "overflows");
	B_BAD("i-0e", -EBADMSG, "negative zero");
	B_BAD("i03e", -EBADMSG, "leading zero");
	B_BAD("ie", -EBADMSG, "expected a digit");
	B_BAD("i12", -EBADMSG, "not ended");
	B_BAD("03:abc", -EBADMSG, "leading zero");
	B_BAD("5:abc", -EBADMSG, "past the end");
	B_BAD("99999999999999999999:a", -EBADMSG, "overflows");
	B_BAD("16777217:", -E2BIG, "longer than the limit");
	B_BAD("l", -EBADMSG, "list not ended");
	B_BAD("d3:cow", -EBADMSG, "input ends");
	B_BAD("di1e3:cowe", -EBADMSG, "key is not a string");
	B_BAD("i1ei2e", -EBADMSG, "trailing bytes");
	B_BAD("x", -EBADMSG, "not a bencode value");
	B_BAD("", -EBADMSG, "input ends");
}

static void test_bencode_limits(void **state)
{
	char deep[2 * BENCODE_MAX_DEPTH + 8], wide[3 * 70 + 3];
	struct bnode n[64];
	struct bdoc d;
	char err[200];
	size_t i;

	/* BENCODE_MAX_DEPTH nested lists parse; one more does not */
	for (i = 0; i < BENCODE_MAX_DEPTH; i++)
		deep[i] = 'l';
	for (; i < 2 * BENCODE_MAX_DEPTH; i++)
		deep[i] = 'e';
	assert_int_equal(bencode_parse(&d, deep, 2 * BENCODE_MAX_DEPTH, n, 64, err, sizeof(err)), 0);
	memmove(deep + 1, deep, 2 * BENCODE_MAX_DEPTH);
	deep[0] = 'l';
	deep[2 * BENCODE_MAX_DEPTH + 1] = 'e';
	assert_int_equal(bencode_parse(&d, deep, 2 * BENCODE_MAX_DEPTH + 2, n, 64, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "nested too deeply"));
	/* more values than nodes */
	wide[0] = 'l';
	for (i = 0; i < 70; i++)
		memcpy(wide + 1 + 3 * i, "i1e", 3);
	wide[1 + 3 * 70] = 'e';
	assert_int_equal(bencode_parse(&d, wide, 2 + 3 * 70, n, 64, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "too many values"));
}

static void test_bencode_lookup(void **state)
{
	const char *in = "d1:ai42e1:bl1:x1:ye4:infod1:ci-3eee";
	struct bnode n[32];
	struct bdoc d;
	char err[100];
	int v, info, items = 0;

	assert_int_equal(bencode_parse(&d, in, strlen(in), n, 32, err, sizeof(err)), 0);
	v = bencode_get_type(&d, 0, "a", BEN_INT);
	assert_true(v >= 0);
	assert_int_equal(d.n[v].i, 42);
	assert_int_equal(bencode_get_type(&d, 0, "a", BEN_STR), -1);
	assert_int_equal(bencode_get(&d, 0, "zz"), -1);
	v = bencode_get_type(&d, 0, "b", BEN_LIST);
	for (int c = bencode_child(&d, v); c >= 0; c = bencode_sibling(&d, v, c))
		items++;
	assert_int_equal(items, 2);
	info = bencode_get_type(&d, 0, "info", BEN_DICT);
	/* a value's byte range is its exact encoding */
	assert_int_equal(d.n[info].end - d.n[info].start, strlen("d1:ci-3ee"));
	assert_memory_equal(in + d.n[info].start, "d1:ci-3ee", strlen("d1:ci-3ee"));
	assert_int_equal(d.n[bencode_get(&d, info, "c")].i, -3);
}

/* ---- SHA-1 ---- */

static void hex20(const uint8_t d[20], char out[41])
{
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha1(void **state)
{
	static const struct { const char *in; const char *hex; } v[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	uint8_t d[20], d2[20], *buf = malloc(100000);
	char hex[41];

	assert_non_null(buf);
	for (int portable = 0; portable < 2; portable++) {
		sha256_use_portable(portable);
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			sha1(v[i].in, strlen(v[i].in), d);
			hex20(d, hex);
			assert_string_equal(hex, v[i].hex);
		}
		/* a million 'a' (FIPS 180 example), fed in odd pieces */
		{
			struct sha1 s;

			memset(buf, 'a', 100000);
			sha1_init(&s);
			for (int k = 0; k < 10; k++) {
				sha1_update(&s, buf, 33333);
				sha1_update(&s, buf, 66667);
			}
			sha1_final(&s, d);
			hex20(d, hex);
			assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
		}
	}
	/* the SHA extensions (where the CPU has them) agree with portable C at every length */
	for (size_t i = 0; i < 100000; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t len = 0; len < 100000; len = len * 3 + 1) {
		sha256_use_portable(true);
		sha1(buf, len, d);
		sha256_use_portable(false);
		sha1(buf, len, d2);
		assert_memory_equal(d, d2, 20);
	}
	free(buf);
}

/* ---- metainfo ---- */

/* A single-file metainfo of length bytes in pieces of plen, with extra top-level keys. */
static size_t make_meta(char *out, size_t cap, uint64_t length, unsigned plen, unsigned npieces_given,
			const char *name, const char *extra)
{
	size_t n = (size_t)snprintf(out, cap, "d%s4:infod6:lengthi%llue4:name%zu:%s12:piece lengthi%ue6:pieces%u:",
				    extra, (unsigned long long)length, strlen(name), name, plen, npieces_given * 20);

	for (unsigned i = 0; i < npieces_given * 20; i++)
		out[n++] = (char)i;
	out[n++] = 'e';
	out[n++] = 'e';
	return n;
}

static void test_meta(void **state)
{
	char buf[8192], err[300];
	struct torrent_meta m;
	struct bnode nodes[64];
	struct bdoc d;
	uint8_t ih[20];
	size_t n;
	int info;

	/* 40000 bytes in 16 KiB pieces: 3 pieces, the last 7232 bytes */
	n = make_meta(buf, sizeof(buf), 40000, 16384, 3, "image.iso",
		      "8:announce22:http://t.example/annou13:announce-listll14:udp://t.ex:8/ae"
		      "l22:http://t.example/annouee8:url-listl19:http://ws.example/d"
		      "20:https://b.example/x.e");
	/* announce above is cut short on purpose: 22 bytes */
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), 0);
	assert_string_equal(m.name, "image.iso");
	assert_int_equal(m.length, 40000);
	assert_int_equal(m.npieces, 3);
	assert_int_equal(torrent_piece_size(&m, 2), 40000 - 2 * 16384);
	assert_int_equal(torrent_piece_size(&m, 3), 0);
	assert_int_equal(m.ntrackers, 2);	/* announce-list order, announce deduplicated */
	assert_string_equal(m.trackers[0], "udp://t.ex:8/a");
	assert_string_equal(m.trackers[1], "http://t.example/annou");
	assert_int_equal(m.nwebseeds, 2);
	assert_string_equal(m.webseeds[0], "http://ws.example/d");
	assert_string_equal(m.webseeds[1], "https://b.example/x.");
	/* info-hash: SHA-1 of the info dictionary's exact bytes */
	assert_int_equal(bencode_parse(&d, buf, n, nodes, 64, err, sizeof(err)), 0);
	info = bencode_get(&d, 0, "info");
	sha1(buf + d.n[info].start, d.n[info].end - d.n[info].start, ih);
	assert_memory_equal(m.info_hash, ih, 20);
	torrent_meta_free(&m);

	/* a url-list directory gets the name appended, percent-encoded */
	n = make_meta(buf, sizeof(buf), 100, 16384, 1, "a b.img", "8:url-list17:http://h.example/");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), 0);
	assert_string_equal(m.webseeds[0], "http://h.example/a%20b.img");
	torrent_meta_free(&m);

	n = make_meta(buf, sizeof(buf), 40000, 16384, 2, "x", "");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "pieces is 40 bytes, expected 60"));
	n = make_meta(buf, sizeof(buf), 40000, 1000, 40, "x", "");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "piece length"));
	n = make_meta(buf, sizeof(buf), 0, 16384, 0, "x", "");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "length"));
	n = make_meta(buf, sizeof(buf), 100, 16384, 1, "../x", "");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "plain file name"));
	n = make_meta(buf, sizeof(buf), 100, 16384, 1, "..", "");
	assert_int_equal(torrent_meta_parse(&m, buf, n, err, sizeof(err)), -EBADMSG);
	{
		const char *multi = "d4:infod5:filesld6:lengthi1e4:pathl1:aeee4:name1:d12:piece lengthi16384e6:pieces20:"
				    "01234567890123456789ee";

		assert_int_equal(torrent_meta_parse(&m, multi, strlen(multi), err, sizeof(err)), -ENOTSUP);
		assert_non_null(strstr(err, "multi-file"));
	}
	assert_int_equal(torrent_meta_parse(&m, "de", 2, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "no info dictionary"));
}

/* ---- peer wire ---- */

static void row_pw(const char *file, int line, const uint8_t *in, size_t len, int want, enum pw_id id)
{
	struct pw_msg m;
	/* 10 pieces of 32 KiB, the last 20000 bytes */
	int rc = pw_parse(in, len, 10, 32768, 20000, &m);

	if (rc != want || (rc > 0 && m.id != id)) {
		print_error("%s:%d: rc %d (wanted %d), id %d (wanted %d)\n", file, line, rc, want, m.id, id);
		fail();
	}
}
#define PW(want, id, ...) do { const uint8_t in_[] = { __VA_ARGS__ }; \
		row_pw(__FILE__, __LINE__, in_, sizeof(in_), want, id); } while (0)

static void test_peerwire(void **state)
{
	uint8_t hs[PW_HANDSHAKE_LEN], ih[20] = { 1 }, id[20] = { 2 }, got[20], buf[64];
	struct pw_msg m;

	pw_handshake(hs, ih, id);
	assert_int_equal(hs[0], 19);
	assert_int_equal(pw_handshake_check(hs, ih, got), 0);
	assert_memory_equal(got, id, 20);
	ih[0] = 9;
	assert_int_equal(pw_handshake_check(hs, ih, NULL), -EPROTO);

	PW(4, PW_KEEPALIVE, 0, 0, 0, 0);
	PW(0, 0, 0, 0, 0);			/* incomplete length */
	PW(0, 0, 0, 0, 0, 5, 4, 0);		/* incomplete have */
	PW(5, PW_UNCHOKE, 0, 0, 0, 1, 1);
	PW(-EBADMSG, 0, 0, 0, 0, 2, 1, 0);	/* unchoke with a payload */
	PW(9, PW_HAVE, 0, 0, 0, 5, 4, 0, 0, 0, 9);
	PW(-EBADMSG, 0, 0, 0, 0, 5, 4, 0, 0, 0, 10);	/* index past the end */
	PW(7, PW_BITFIELD, 0, 0, 0, 3, 5, 0xff, 0xc0);
	PW(-EBADMSG, 0, 0, 0, 0, 3, 5, 0xff, 0xe0);	/* a spare bit set */
	PW(-EBADMSG, 0, 0, 0, 0, 4, 5, 0xff, 0xc0, 0);	/* wrong size */
	PW(17, PW_REQUEST, 0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 0);
	PW(-EBADMSG, 0, 0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 1);	/* > one block */
	PW(-EBADMSG, 0, 0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x70, 0, 0, 0, 0x40, 0);	/* past the piece */
	PW(-EBADMSG, 0, 0, 0, 0, 13, 6, 0, 0, 0, 9, 0, 0, 0x40, 0, 0, 0, 0x40, 0);	/* past the short last one */
	PW(17, PW_CANCEL, 0, 0, 0, 13, 8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0x40, 0);
	PW(14, PW_PIECE, 0, 0, 0, 10, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa);
	PW(-EBADMSG, 0, 0, 0, 0, 9, 7, 0, 0, 0, 0, 0, 0, 0, 0);	/* empty block */
	PW(7, PW_PORT, 0, 0, 0, 3, 9, 0x1a, 0xe1);
	PW(6, PW_OTHER, 0, 0, 0, 2, 20, 0);		/* extension message: skipped */
	PW(-E2BIG, 0, 0, 0x10, 0, 0, 7);		/* 1 MiB: more than a block */
	PW(-E2BIG, 0, 0xff, 0xff, 0xff, 0xff);	/* 4 GiB */
	/* a piece message's block is the input's bytes */
	buf[0] = 0, buf[1] = 0, buf[2] = 0, buf[3] = 12, buf[4] = PW_PIECE;
	memset(buf + 5, 0, 8);
	buf[12] = 16;
	memcpy(buf + 13, "abc", 3);
	assert_int_equal(pw_parse(buf, 16, 10, 32768, 20000, &m), 16);
	assert_int_equal(m.begin, 16);
	assert_int_equal(m.length, 3);
	assert_memory_equal(m.data, "abc", 3);
	/* the encoders' messages parse back */
	assert_int_equal(pw_put_request(buf, PW_REQUEST, 3, 16384, 16384), 17);
	assert_int_equal(pw_parse(buf, 17, 10, 32768, 20000, &m), 17);
	assert_true(m.id == PW_REQUEST && m.index == 3 && m.begin == 16384 && m.length == 16384);
	assert_int_equal(pw_put_have(buf, 7), 9);
	assert_int_equal(pw_parse(buf, 9, 10, 32768, 20000, &m), 9);
	assert_int_equal(m.index, 7);
	/* a big torrent's bitfield may exceed a block; nothing else may */
	{
		uint32_t np = 200000, bf = (np + 7) / 8;
		uint8_t *big = calloc(1, 5 + bf);

		assert_non_null(big);
		pw_put_bitfield_header(big, np);
		assert_int_equal(pw_parse(big, 5 + bf, np, 16384, 16384, &m), (int)(5 + bf));
		assert_int_equal(m.id, PW_BITFIELD);
		big[4] = PW_PIECE;
		assert_int_equal(pw_parse(big, 5 + bf, np, 16384, 16384, &m), -E2BIG);
		free(big);
	}
}

/* ---- trackers ---- */

static void test_tracker_http(void **state)
{
	struct tracker_answer a;
	uint8_t ih[20], pid[20];
	struct tracker_announce an = { .info_hash = ih, .peer_id = pid, .port = 6881, .left = 5,
				       .event = TRACKER_EV_STARTED };
	char url[600], err[200];
	const char compact[] = "d8:intervali900e5:peers18:\x0a\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\x1a\xe2"
			       "\x00\x00\x00\x00\x1a\xe3" "e";
	const char dicts[] = "d5:peersld2:ip8:10.0.0.94:porti80eed2:ip4:host4:porti81eed2:ip7:1.2.3.44:porti0eeee";

	memset(ih, 0, 20);
	ih[0] = '&';
	memcpy(pid, "-NI0001-abcdefghijkl", 20);
	assert_int_equal(tracker_http_url("http://t/announce", &an, url, sizeof(url)), 0);
	assert_non_null(strstr(url, "http://t/announce?info_hash=%26%00%00"));
	assert_non_null(strstr(url, "&peer_id=-NI0001-abcdefghijkl&port=6881&"));
	assert_non_null(strstr(url, "&left=5&compact=1"));
	assert_non_null(strstr(url, "&event=started"));
	assert_int_equal(tracker_http_url("http://t/a?k=1", &an, url, sizeof(url)), 0);
	assert_non_null(strstr(url, "http://t/a?k=1&info_hash="));
	assert_int_equal(tracker_http_url("http://t/a", &an, url, 50), -ENAMETOOLONG);

	assert_int_equal(tracker_http_parse(compact, sizeof(compact) - 1, &a, err, sizeof(err)), 0);
	assert_int_equal(a.interval_s, 900);
	assert_int_equal(a.npeers, 2);	/* 0.0.0.0 skipped */
	assert_int_equal(a.peers[1].ip[3], 2);
	assert_int_equal(a.peers[1].port, 6882);
	assert_int_equal(tracker_http_parse(dicts, sizeof(dicts) - 1, &a, err, sizeof(err)), 0);
	assert_int_equal(a.npeers, 1);	/* a host name and port 0 skipped */
	assert_int_equal(a.peers[0].port, 80);
	assert_int_equal(tracker_http_parse("d14:failure reason9:not\nknowne", 30, &a, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "tracker refused: not?known");
	assert_int_equal(tracker_http_parse("d8:intervali5ee", 15, &a, err, sizeof(err)), -EBADMSG);
	assert_int_equal(tracker_http_parse("<html>", 6, &a, err, sizeof(err)), -EBADMSG);
}

static void test_tracker_udp(void **state)
{
	uint8_t out[TRACKER_UDP_ANNOUNCE_LEN], in[64], ih[20] = { 7 }, pid[20] = { 8 };
	struct tracker_announce an = { .info_hash = ih, .peer_id = pid, .port = 0x1ae1, .left = 3,
				       .event = TRACKER_EV_COMPLETED, .key = 0x11223344 };
	struct tracker_answer a;
	uint64_t conn;
	char err[200];

	assert_int_equal(tracker_udp_connect(out, 0xdeadbeef), 16);
	assert_memory_equal(out, "\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x00\xde\xad\xbe\xef", 16);
	memcpy(in, "\x00\x00\x00\x00\xde\xad\xbe\xef\x01\x02\x03\x04\x05\x06\x07\x08", 16);
	assert_int_equal(tracker_udp_connect_parse(in, 16, 0xdeadbeef, &conn, err, sizeof(err)), 0);
	assert_true(conn == 0x0102030405060708ULL);
	assert_int_equal(tracker_udp_connect_parse(in, 16, 0xdeadbeee, &conn, err, sizeof(err)), -EAGAIN);
	assert_int_equal(tracker_udp_connect_parse(in, 12, 0xdeadbeef, &conn, err, sizeof(err)), -EBADMSG);
	assert_int_equal(tracker_udp_announce(out, conn, 5, &an), 98);
	assert_int_equal(out[11], 1);		/* action announce */
	assert_int_equal(out[16], 7);		/* info-hash */
	assert_int_equal(out[83], 1);		/* event completed */
	assert_int_equal(out[96], 0x1a);
	assert_int_equal(out[97], 0xe1);
	memcpy(in, "\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00\x07\x08\x00\x00\x00\x00\x00\x00\x00\x01"
		   "\x7f\x00\x00\x01\x1a\xe1", 26);
	assert_int_equal(tracker_udp_announce_parse(in, 26, 5, &a, err, sizeof(err)), 0);
	assert_int_equal(a.interval_s, 0x708);
	assert_int_equal(a.npeers, 1);
	assert_int_equal(a.peers[0].port, 0x1ae1);
	memcpy(in, "\x00\x00\x00\x03\x00\x00\x00\x05no such torrent", 23);
	assert_int_equal(tracker_udp_announce_parse(in, 23, 5, &a, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, "tracker refused: no such torrent");
}

static void test_lsd(void **state)
{
	uint8_t ih[20], other[20];
	char msg[300];
	uint16_t port = 0;
	size_t n;

	for (int i = 0; i < 20; i++)
		ih[i] = (uint8_t)(0xa0 + i), other[i] = (uint8_t)i;
	n = lsd_announce(msg, sizeof(msg), ih, 6881, "c0ffee");
	assert_true(n > 0);
	assert_non_null(strstr(msg, "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\n"
				    "Infohash: a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3\r\n"));
	assert_int_equal(lsd_announce(msg, 40, ih, 6881, "c0ffee"), 0);
	n = lsd_announce(msg, sizeof(msg), ih, 6881, "c0ffee");
	/* another machine's announcement is ours to use; our own comes back and is ignored */
	assert_int_equal(lsd_parse(msg, n, ih, "beef", &port), 0);
	assert_int_equal(port, 6881);
	assert_int_equal(lsd_parse(msg, n, ih, "c0ffee", &port), -ENOENT);
	assert_int_equal(lsd_parse(msg, n, other, "beef", &port), -ENOENT);
	{
		/* several Infohash lines, upper case hex, no cookie */
		const char m2[] = "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort:  51413 \r\n"
				  "Infohash: 000102030405060708090a0b0c0d0e0f10111213\r\n"
				  "Infohash: A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3\r\n\r\n\r\n";
		const char bad1[] = "BT-SEARCH * HTTP/1.1\r\nPort: 0\r\n\r\n";
		const char bad2[] = "BT-SEARCH * HTTP/1.1\r\nPort: 99999\r\n\r\n";
		const char bad3[] = "NOTIFY * HTTP/1.1\r\nPort: 1\r\n\r\n";
		const char bad4[] = "BT-SEARCH * HTTP/1.1\r\nPort: 12x\r\n\r\n";

		assert_int_equal(lsd_parse(m2, sizeof(m2) - 1, ih, NULL, &port), 0);
		assert_int_equal(port, 51413);
		assert_int_equal(lsd_parse(bad1, sizeof(bad1) - 1, ih, NULL, &port), -EBADMSG);
		assert_int_equal(lsd_parse(bad2, sizeof(bad2) - 1, ih, NULL, &port), -EBADMSG);
		assert_int_equal(lsd_parse(bad3, sizeof(bad3) - 1, ih, NULL, &port), -EBADMSG);
		assert_int_equal(lsd_parse(bad4, sizeof(bad4) - 1, ih, NULL, &port), -EBADMSG);
	}
	{
		/* a datagram has no NUL after it: the Port value at its very end is read within it
		 * (ASan: an exact-size heap copy) */
		static const char tail[] = "BT-SEARCH * HTTP/1.1\r\nPort: 12";
		char *d = malloc(sizeof(tail) - 1);

		assert_non_null(d);
		memcpy(d, tail, sizeof(tail) - 1);
		assert_int_equal(lsd_parse(d, sizeof(tail) - 1, ih, NULL, &port), -ENOENT);
		free(d);
	}
}

/* rd.live.torrent.seed= */
static void test_seed_param(void **state)
{
	static const struct {
		const char *in;
		int rc;
		unsigned secs, pct;
	} cases[] = {
		{ "0", 0, 0, 0 },
		{ "600", 0, 600, 0 },
		{ "1x", 0, 0, 100 },
		{ "1.5x", 0, 0, 150 },
		{ "0.25X", 0, 0, 25 },
		{ "2.05x", 0, 0, 205 },
		{ "600,2x", 0, 600, 200 },
		{ "2x,600", 0, 600, 200 },
		{ "315360000", 0, 315360000, 0 },	/* ten years */
		{ "315360001", -EINVAL, 0, 0 },
		{ "10000x", 0, 0, 1000000 },
		{ "10001x", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
		{ "x", -EINVAL, 0, 0 },
		{ "0x", -EINVAL, 0, 0 },
		{ "0.00x", -EINVAL, 0, 0 },
		{ "1.x", -EINVAL, 0, 0 },
		{ ".5x", -EINVAL, 0, 0 },
		{ "1.505x", -EINVAL, 0, 0 },
		{ "1.5", -EINVAL, 0, 0 },
		{ "-1", -EINVAL, 0, 0 },
		{ "60s", -EINVAL, 0, 0 },
		{ "1xx", -EINVAL, 0, 0 },
		{ "600,", -EINVAL, 0, 0 },
		{ ",600", -EINVAL, 0, 0 },
		{ "600,700", -EINVAL, 0, 0 },
		{ "1x,2x", -EINVAL, 0, 0 },
		{ "0,2x", -EINVAL, 0, 0 },
		{ "99999999999999999999", -EINVAL, 0, 0 },
		{ "600 ", -EINVAL, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned secs = 7, pct = 7;
		int rc = torrent_seed_parse(cases[i].in, &secs, &pct);

		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, expected %d", cases[i].in, rc, cases[i].rc);
		if (!rc && (secs != cases[i].secs || pct != cases[i].pct))
			fail_msg("\"%s\": %u s, %u%%, expected %u s, %u%%", cases[i].in, secs, pct, cases[i].secs,
				 cases[i].pct);
	}
	assert_int_equal(torrent_seed_parse(NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bencode_grammar),
		cmocka_unit_test(test_bencode_limits),
		cmocka_unit_test(test_bencode_lookup),
		cmocka_unit_test(test_sha1),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_peerwire),
		cmocka_unit_test(test_tracker_http),
		cmocka_unit_test(test_tracker_udp),
		cmocka_unit_test(test_lsd),
		cmocka_unit_test(test_seed_param),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
