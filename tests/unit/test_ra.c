/* Unit tests: net/ra.c, RDNSS and DNSSL from RTM_NEWNDUSEROPT (good, withdrawn,
 * other links and types, every malformed length), the router solicitation, and the
 * neighbour advertisement that names the holder of a duplicate address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "net/ra.h"

/* A netlink body: header for ifindex/type, then the option bytes. */
static size_t body(uint8_t *buf, int ifindex, uint8_t type, const uint8_t *opts, size_t n)
{
	struct nduseroptmsg m;

	memset(&m, 0, sizeof(m));
	m.nduseropt_family = AF_INET6;
	m.nduseropt_opts_len = (uint16_t)n;
	m.nduseropt_ifindex = ifindex;
	m.nduseropt_icmp_type = type;
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), opts, n);
	return sizeof(m) + n;
}

/* RDNSS: type 25, length 3 (one address), reserved, lifetime, 2001:db8::53 */
static const uint8_t rdnss1[] = { 25, 3, 0, 0, 0, 0, 0x07, 0x08,
				  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53 };
/* two addresses: ::53 and ::54 */
static const uint8_t rdnss2[] = { 25, 5, 0, 0, 0, 0, 0x07, 0x08,
				  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
				  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54 };
/* DNSSL: type 31, length 3: "v6.example" + zero padding */
static const uint8_t dnssl[] = { 31, 3, 0, 0, 0, 0, 0x07, 0x08,
				 2, 'v', '6', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 0, 0, 0 };

static const char *a6(const struct in6_addr *a)
{
	static char b[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, b, sizeof(b));
}

static void test_good(void **state)
{
	uint8_t buf[256], opts[128];
	struct ra_dns d;
	size_t n;

	(void)state;
	memset(&d, 0, sizeof(d));
	n = body(buf, 2, 134, rdnss1, sizeof(rdnss1));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_int_equal(d.n_dns, 1);
	assert_string_equal(a6(&d.dns[0]), "2001:db8::53");
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 0);	/* the same again: no change */
	n = body(buf, 2, 134, rdnss2, sizeof(rdnss2));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_int_equal(d.n_dns, 2);
	assert_string_equal(a6(&d.dns[1]), "2001:db8::54");
	/* RDNSS and DNSSL in one message */
	memcpy(opts, rdnss1, sizeof(rdnss1));
	memcpy(opts + sizeof(rdnss1), dnssl, sizeof(dnssl));
	n = body(buf, 2, 134, opts, sizeof(rdnss1) + sizeof(dnssl));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_string_equal(d.search, "v6.example");
	/* lifetime 0 withdraws the server and the list */
	memcpy(opts, rdnss1, sizeof(rdnss1));
	memset(opts + 4, 0, 4);
	n = body(buf, 2, 134, opts, sizeof(rdnss1));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_int_equal(d.n_dns, 1);
	assert_string_equal(a6(&d.dns[0]), "2001:db8::54");
	memcpy(opts, dnssl, sizeof(dnssl));
	memset(opts + 4, 0, 4);
	n = body(buf, 2, 134, opts, sizeof(dnssl));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_string_equal(d.search, "");
	/* another link, another ICMPv6 type, an option we do not use: nothing */
	n = body(buf, 3, 134, rdnss1, sizeof(rdnss1));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 0);
	n = body(buf, 2, 135, rdnss1, sizeof(rdnss1));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 0);
	{
		static const uint8_t other[] = { 38, 1, 0, 0, 0, 0, 0, 0 };	/* PREF64 */

		n = body(buf, 2, 134, other, sizeof(other));
		assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 0);
	}
	assert_int_equal(d.n_dns, 1);
}

static void test_full(void **state)
{
	uint8_t buf[256], opts[8 + 16 * 6];
	struct ra_dns d;
	size_t n;

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(opts, 0, sizeof(opts));
	opts[0] = 25;
	opts[1] = 1 + 2 * 6;
	opts[7] = 60;
	for (int i = 0; i < 6; i++) {
		opts[8 + 16 * i] = 0x20;
		opts[8 + 16 * i + 15] = (uint8_t)(i + 1);
	}
	n = body(buf, 2, 134, opts, sizeof(opts));
	assert_int_equal(ra_parse_useropt(buf, n, 2, &d), 1);
	assert_int_equal(d.n_dns, NET_MAX_DNS);	/* capped, never overrun */
}

struct bad_row {
	int at;
	const uint8_t *opts;
	size_t n;
	size_t cut;		/* body length cut to this (0 = whole) */
};

static void test_malformed(void **state)
{
	static const uint8_t zero_len[] = { 25, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t past_end[] = { 25, 5, 0, 0, 0, 0, 0, 1,
					    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53 };
	static const uint8_t rdnss_short[] = { 25, 1, 0, 0, 0, 0, 0, 1 };
	static const uint8_t rdnss_even[] = { 25, 2, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t dnssl_bad[] = { 31, 2, 0, 0, 0, 0, 0, 1, 9, 'a', 'b', 0, 0, 0, 0, 0 };
	static const uint8_t dnssl_char[] = { 31, 2, 0, 0, 0, 0, 0, 1, 3, 'a', '$', 'b', 0, 0, 0, 0 };
	static const uint8_t dnssl_loop[] = { 31, 2, 0, 0, 0, 0, 0, 1, 0xc0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t one_byte[] = { 25 };
	const struct bad_row rows[] = {
		{ __LINE__, zero_len, sizeof(zero_len), 0 },
		{ __LINE__, past_end, sizeof(past_end), 0 },
		{ __LINE__, rdnss_short, sizeof(rdnss_short), 0 },
		{ __LINE__, rdnss_even, sizeof(rdnss_even), 0 },
		{ __LINE__, dnssl_bad, sizeof(dnssl_bad), 0 },
		{ __LINE__, dnssl_char, sizeof(dnssl_char), 0 },
		{ __LINE__, dnssl_loop, sizeof(dnssl_loop), 0 },
		{ __LINE__, one_byte, sizeof(one_byte), 0 },
		{ __LINE__, rdnss1, sizeof(rdnss1), sizeof(struct nduseroptmsg) + 8 },	/* opts_len beyond the body */
		{ __LINE__, rdnss1, sizeof(rdnss1), 4 },				/* no whole header */
	};
	uint8_t buf[256];
	struct ra_dns d;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = body(buf, 2, 134, rows[i].opts, rows[i].n);

		memset(&d, 0, sizeof(d));
		if (ra_parse_useropt(buf, rows[i].cut ? rows[i].cut : n, 2, &d) != -EBADMSG)
			fail_msg("%s:%d: accepted", __FILE__, rows[i].at);
	}
}

static void test_rs(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t want[16] = { 133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	uint8_t buf[16];

	(void)state;
	assert_int_equal(ra_build_rs(buf, mac), 16);
	assert_memory_equal(buf, want, 16);
}

/* A neighbour advertisement defending 2001:db8:9::66 from 56:ea:ce:a0:62:83, as the
 * kernel of the host holding it sends one to ff02::1 (flags O, no S: an answer to DAD). */
static const uint8_t na[] = { 136, 0, 0x12, 0x34, 0x20, 0, 0, 0,
			      0x20, 0x01, 0x0d, 0xb8, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x66,
			      2, 1, 0x56, 0xea, 0xce, 0xa0, 0x62, 0x83 };

static void test_na(void **state)
{
	static const uint8_t mac_want[6] = { 0x56, 0xea, 0xce, 0xa0, 0x62, 0x83 };
	uint8_t buf[64], mac[6];
	struct in6_addr t;

	(void)state;
	memset(mac, 0, sizeof(mac));
	assert_int_equal(ra_parse_na(na, sizeof(na), &t, mac), 1);
	assert_string_equal(a6(&t), "2001:db8:9::66");
	assert_memory_equal(mac, mac_want, 6);

	/* no options: valid, no MAC */
	assert_int_equal(ra_parse_na(na, 24, &t, mac), 0);
	assert_string_equal(a6(&t), "2001:db8:9::66");

	/* an unknown option first, then the TLLA: found behind it */
	memcpy(buf, na, 24);
	memset(buf + 24, 0, 8);
	buf[24] = 14;	/* nonce */
	buf[25] = 1;
	memcpy(buf + 32, na + 24, 8);
	memset(mac, 0, sizeof(mac));
	assert_int_equal(ra_parse_na(buf, 40, &t, mac), 1);
	assert_memory_equal(mac, mac_want, 6);

	/* a TLLA that is not 8 bytes (not Ethernet): skipped, no MAC */
	memcpy(buf, na, 24);
	memset(buf + 24, 0, 16);
	buf[24] = 2;
	buf[25] = 2;
	assert_int_equal(ra_parse_na(buf, 40, &t, mac), 0);
}

static void test_na_malformed(void **state)
{
	uint8_t buf[64], mac[6];
	struct in6_addr t;

	(void)state;
	assert_int_equal(ra_parse_na(na, 23, &t, mac), -EBADMSG);		/* short header */
	assert_int_equal(ra_parse_na(na, 0, &t, mac), -EBADMSG);
	memcpy(buf, na, sizeof(na));
	buf[0] = 135;								/* an NS */
	assert_int_equal(ra_parse_na(buf, sizeof(na), &t, mac), -EBADMSG);
	memcpy(buf, na, sizeof(na));
	buf[1] = 1;								/* code 1 */
	assert_int_equal(ra_parse_na(buf, sizeof(na), &t, mac), -EBADMSG);
	memcpy(buf, na, sizeof(na));
	buf[25] = 0;								/* option length 0 */
	assert_int_equal(ra_parse_na(buf, sizeof(na), &t, mac), -EBADMSG);
	memcpy(buf, na, sizeof(na));
	buf[25] = 2;								/* past the end */
	assert_int_equal(ra_parse_na(buf, sizeof(na), &t, mac), -EBADMSG);
	assert_int_equal(ra_parse_na(na, 25, &t, mac), -EBADMSG);		/* one byte of an option */
	assert_int_equal(ra_parse_na(na, 30, &t, mac), -EBADMSG);		/* a cut option */
}

/* ra_dup_mac trusts only NAs that came with hop limit 255: one read from a socket that
 * carries no hop limit (a datagram socketpair) is drained and ignored. */
static void test_dup_mac_untrusted(void **state)
{
	struct in6_addr a;
	uint8_t mac[6];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	inet_pton(AF_INET6, "2001:db8:9::66", &a);
	assert_int_equal(ra_dup_mac(sv[0], &a, mac), 0);			/* nothing queued */
	assert_int_equal(write(sv[1], na, sizeof(na)), (ssize_t)sizeof(na));
	assert_int_equal(ra_dup_mac(sv[0], &a, mac), 0);			/* no hop limit: ignored */
	assert_int_equal(recv(sv[0], mac, sizeof(mac), MSG_DONTWAIT), -1);	/* and drained */
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_rs),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_na_malformed),
		cmocka_unit_test(test_dup_mac_untrusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
