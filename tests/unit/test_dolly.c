/* dolly: rd.kiwi.live.dolly_options, the dollytab the server sends, finding ourselves in its
 * host list, the password challenge and its reply (fetch/dollycfg.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "fetch/checksum.h"
#include "fetch/dolly.h"

/* ---- the configuration ---- */
struct cfg_row {
	int at;
	const char *text;
	int rc;
	const char *want;	/* rc 0: "infile|outfile|hyphen|host,host,..."; else a part of err */
};
#define CFG(t, rc, w) { __LINE__, t, rc, w }
static const struct cfg_row cfg_rows[] = {
	/* what dolly -H writes into its generated dollytab, and dolly.conf's layout */
	CFG("infile /srv/live.iso\noutfile /dev/ram0\n10.0.0.2\n10.0.0.3\nendconfig\n", 0,
	    "/srv/live.iso|/dev/ram0|0|10.0.0.2,10.0.0.3"),
	CFG("infile /dev/sda5\noutfile /dev/sda5\nhyphennormal\nnode2\nnode3\nendconfig\n", 0,
	    "/dev/sda5|/dev/sda5|1|node2,node3"),
	CFG("infile a\noutfile b\nhypheninterface\nn-1\nendconfig", 0, "a|b|1|n-1"),
	CFG("infile a\noutfile b\nhyphennormal\nhypheninterface\nn-1\nendconfig\n", 0, "a|b|1|n-1"),
	/* the keywords count only right after the outfile line: later they are host names */
	CFG("infile a\noutfile b\nh1\nhyphennormal\nendconfig\n", 0, "a|b|0|h1,hyphennormal"),
	/* empty lines skipped; anything after endconfig ignored (the server appends a space to a 1448-byte file) */
	CFG("infile a\noutfile b\n\nh1\n\nh2\nendconfig\nh3\n ", 0, "a|b|0|h1,h2"),
	CFG("infile a split\noutfile b split 2G\nh\nendconfig\n", 0, "a|b|0|h"),
	CFG("infile a\noutfile b\nh\nendconfigXYZ\n", 0, "a|b|0|h"),	/* dolly compares 9 characters */
	CFG("", -EBADMSG, "before its 'outfile' line"),
	CFG("infile a\n", -EBADMSG, "before its 'outfile' line"),
	CFG("infil a\noutfile b\nh\nendconfig\n", -EBADMSG, "line 1: expected 'infile <name>'"),
	CFG("infile \noutfile b\nh\nendconfig\n", -EBADMSG, "line 1: expected 'infile <name>'"),
	CFG("infile a\noutfile\nh\nendconfig\n", -EBADMSG, "line 2: expected 'outfile <name>'"),
	CFG("infile a\noutfile b split 12X\nh\nendconfig\n", -EBADMSG, "split <number>[kMGT]"),
	CFG("infile a\noutfile b split 99999999999999999999G\nh\nendconfig\n", -EBADMSG, "split <number>[kMGT]"),
	CFG("infile a\noutfile b\nh1\nh2\n", -EBADMSG, "no 'endconfig' line"),
	CFG("infile a\noutfile b\nendconfig\n", -EBADMSG, "the host list is empty"),
	CFG("infile a\noutfile b\nnode 1\nendconfig\n", -EBADMSG, "line 3: 'node 1': expected a host name or address"),
	CFG("infile a\noutfile b\nnode1\r\nendconfig\n", -EBADMSG, "line 3: 'node1?': expected a host name"),
	CFG("infile a\noutfile b\nno\033[2Jde\nendconfig\n", -EBADMSG, "'no?[2Jde'"),
};

static void check_cfg(const struct cfg_row *r)
{
	static struct dolly_config c;
	char err[256] = "", got[1024];
	size_t n;
	int rc = dolly_config_parse(r->text, strlen(r->text), &c, err, sizeof(err));

	if (rc != r->rc)
		fail_msg("%s:%d: rc %d, wanted %d (%s)", __FILE__, r->at, rc, r->rc, err);
	if (rc) {
		if (!strstr(err, r->want) || strchr(err, '\n'))
			fail_msg("%s:%d: err '%s' lacks '%s'", __FILE__, r->at, err, r->want);
		return;
	}
	n = (size_t)snprintf(got, sizeof(got), "%s|%s|%d|", c.infile, c.outfile, c.hyphen_normal);
	for (unsigned i = 0; i < c.nhosts; i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", i ? "," : "", dolly_config_host(&c, i));
	if (strcmp(got, r->want))
		fail_msg("%s:%d: got '%s', wanted '%s'", __FILE__, r->at, got, r->want);
}

static void test_config(void **state)
{
	for (size_t i = 0; i < sizeof(cfg_rows) / sizeof(cfg_rows[0]); i++)
		check_cfg(&cfg_rows[i]);
}

static void test_config_limits(void **state)
{
	static struct dolly_config c;
	static char big[DOLLY_CONFIG_MAX * 2];
	char err[256];
	size_t n;

	/* a NUL inside is refused, not cut short */
	assert_int_equal(dolly_config_parse("infile a\noutfile b\nh\0x\nendconfig\n", 31, &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "NUL byte at offset 20"));
	/* longer than dolly's buffer */
	memset(big, 'a', sizeof(big));
	assert_int_equal(dolly_config_parse(big, DOLLY_CONFIG_MAX + 1, &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "4097 bytes, expected at most 4096"));
	/* a line longer than dolly's fgets buffer */
	n = (size_t)snprintf(big, sizeof(big), "infile a\noutfile b\n%0256d\nendconfig\n", 1);
	assert_int_equal(dolly_config_parse(big, n, &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "line 3 is 256 characters, expected at most 255"));
	/* 256 hosts fit; the 257th is refused (dolly's MAXHOSTS) */
	n = (size_t)snprintf(big, sizeof(big), "infile a\noutfile b\n");
	for (int i = 0; i < DOLLY_MAX_HOSTS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "h%d\n", i);
	memcpy(big + n, "endconfig\n", 10);
	assert_true(n + 10 <= DOLLY_CONFIG_MAX);
	assert_int_equal(dolly_config_parse(big, n + 10, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nhosts, DOLLY_MAX_HOSTS);
	assert_string_equal(dolly_config_host(&c, 255), "h255");
	assert_string_equal(dolly_config_host(&c, 256), "");
	n = (size_t)snprintf(big, sizeof(big), "infile a\noutfile b\n");
	for (int i = 0; i <= DOLLY_MAX_HOSTS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%d\n", i % 10);
	memcpy(big + n, "endconfig\n", 10);
	assert_int_equal(dolly_config_parse(big, n + 10, &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "more than 256 hosts"));
}

/* ---- finding ourselves ---- */
struct self_row {
	int at;
	const char *hosts;	/* comma-separated */
	bool hyphen_normal;	/* the config's keyword */
	bool opt_y;		/* -Y */
	const char *hostname;
	const char *addrs;	/* comma-separated */
	int want;
};
#define SELF(h, hn, y, name, a, w) { __LINE__, h, hn, y, name, a, w }
static const struct self_row self_rows[] = {
	SELF("10.0.0.2,10.0.0.3", false, false, "", "127.0.0.1,10.0.0.3", 1),
	SELF("10.0.0.2,10.0.0.3", false, false, "", "127.0.0.1,10.0.0.2", 0),
	SELF("node1,node2,node3", false, false, "node3", "10.0.0.9", 2),
	/* the first entry that names us wins */
	SELF("node1,10.0.0.9,node3", false, false, "node3", "10.0.0.9", 1),
	/* "node2-ib": node2 over another interface, unless '-' is an ordinary character */
	SELF("node1-ib,node2-ib", false, false, "node2", "", 1),
	SELF("node1-ib,node2-ib", true, false, "node2", "", -ENOENT),
	SELF("node1-ib,node2-ib", false, true, "node2", "", -ENOENT),
	SELF("10.0.0.2-eth1", false, false, "", "10.0.0.2", 0),
	/* whole names only: a prefix of an address or name is not us (dolly's strncmp would say it is) */
	SELF("10.0.0.1-x", false, false, "", "10.0.0.12", -ENOENT),
	SELF("node", false, false, "node1", "", -ENOENT),
	SELF("node1", false, false, "node", "", -ENOENT),
	SELF("-x", false, false, "", "", -ENOENT),
	SELF("10.0.0.2", false, false, "", "", -ENOENT),
	SELF("h", false, false, "", "", -ENOENT),	/* no host name: "" never matches */
};

static void test_find_self(void **state)
{
	static struct dolly_config c;
	char text[512], addrbuf[256], err[128];
	const char *addrs[8];
	size_t naddrs;

	for (size_t i = 0; i < sizeof(self_rows) / sizeof(self_rows[0]); i++) {
		const struct self_row *r = &self_rows[i];
		size_t n = (size_t)snprintf(text, sizeof(text), "infile a\noutfile b\n%s", r->hyphen_normal ? "hyphennormal\n" : "");
		char *tok, *save;

		for (const char *h = r->hosts; *h; h++)
			text[n++] = *h == ',' ? '\n' : *h;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\nendconfig\n");
		if (dolly_config_parse(text, n, &c, err, sizeof(err)))
			fail_msg("%s:%d: %s", __FILE__, r->at, err);
		snprintf(addrbuf, sizeof(addrbuf), "%s", r->addrs);
		naddrs = 0;
		for (tok = strtok_r(addrbuf, ",", &save); tok && naddrs < 8; tok = strtok_r(NULL, ",", &save))
			addrs[naddrs++] = tok;
		int got = dolly_find_self(&c, r->opt_y, r->hostname, addrs, naddrs);
		if (got != r->want)
			fail_msg("%s:%d: got %d, wanted %d", __FILE__, r->at, got, r->want);
	}
}

/* ---- rd.kiwi.live.dolly_options ---- */
struct opt_row {
	int at;
	const char *val;
	int rc;
	const char *want;	/* rc 0: "pw=<p|-> a=N r=N Y=0|1"; else a part of err */
};
#define OPT(v, rc, w) { __LINE__, v, rc, w }
static const struct opt_row opt_rows[] = {
	OPT("", 0, "pw=- a=0 r=0 Y=0"),
	OPT("-P,s3cret", 0, "pw=s3cret a=0 r=0 Y=0"),
	OPT("-Ps3cret", 0, "pw=s3cret a=0 r=0 Y=0"),	/* getopt: the value may be attached */
	OPT("-P s3cret -a 600", 0, "pw=s3cret a=600 r=0 Y=0"),
	OPT(",-v,,-q,-n,-r,3,-a,60,", 0, "pw=- a=60 r=3 Y=0"),
	OPT("-vY", 0, "pw=- a=0 r=0 Y=1"),
	OPT("-vP,x", 0, "pw=x a=0 r=0 Y=0"),
	OPT("-YP", -EINVAL, "-P: expected a value after it"),
	OPT("-a,ten", -EINVAL, "-a: expected a whole number, got 'ten'"),
	OPT("-a,0", -EINVAL, "-a 0: expected 1..86400"),
	OPT("-a,86401", -EINVAL, "-a 86401: expected 1..86400"),
	OPT("-r,1001", -EINVAL, "-r 1001: expected 1..1000"),
	OPT("-a,99999999999", -EINVAL, "-a: expected a whole number"),
	OPT("-s", -EINVAL, "-s is a dolly server option"),
	OPT("-v,-f,/etc/dollytab", -EINVAL, "-f is a dolly server option"),
	OPT("-x", -EINVAL, "-x: not a dolly client option"),
	OPT("P,x", -EINVAL, "'P': expected dolly client options"),
	OPT("-", -EINVAL, "'-': expected dolly client options"),
};

static void test_options(void **state)
{
	struct dolly_opts d;
	char err[256], got[400];

	for (size_t i = 0; i < sizeof(opt_rows) / sizeof(opt_rows[0]); i++) {
		const struct opt_row *r = &opt_rows[i];
		int rc;

		err[0] = '\0';
		rc = dolly_options_parse(r->val, &d, err, sizeof(err));
		if (rc != r->rc)
			fail_msg("%s:%d: '%s': rc %d, wanted %d (%s)", __FILE__, r->at, r->val, rc, r->rc, err);
		if (rc) {
			if (!strstr(err, r->want))
				fail_msg("%s:%d: err '%s' lacks '%s'", __FILE__, r->at, err, r->want);
			continue;
		}
		snprintf(got, sizeof(got), "pw=%s a=%u r=%u Y=%d", d.password_set ? d.password : "-", d.timeout_s,
			 d.retries, d.hyphen_normal);
		if (strcmp(got, r->want))
			fail_msg("%s:%d: '%s': got '%s', wanted '%s'", __FILE__, r->at, r->val, got, r->want);
	}
}

static void test_options_long_password(void **state)
{
	struct dolly_opts d;
	char v[600], err[256];

	memset(v, 'p', sizeof(v));
	memcpy(v, "-P,", 3);
	v[3 + DOLLY_PASSWORD_MAX] = '\0';
	assert_int_equal(dolly_options_parse(v, &d, err, sizeof(err)), 0);
	assert_int_equal(strlen(d.password), DOLLY_PASSWORD_MAX);
	v[3 + DOLLY_PASSWORD_MAX] = 'p';
	v[4 + DOLLY_PASSWORD_MAX] = '\0';
	assert_int_equal(dolly_options_parse(v, &d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "256 characters, expected at most 255"));
}

/* ---- the challenge ---- */
static void test_auth(void **state)
{
	uint8_t nonce[DOLLY_NONCE_LEN], out[DOLLY_RESPONSE_LEN];
	char hex[CHECKSUM_SHA256_HEX + 1], who[64];
	char reply[DOLLY_AUTH_REPLY_MAX + 8];

	/* SHA-256(SHA-256("s3cret") || 00 01 .. 1f), computed with Python's hashlib */
	for (int i = 0; i < DOLLY_NONCE_LEN; i++)
		nonce[i] = (uint8_t)i;
	dolly_auth_response("s3cret", nonce, out);
	checksum_hex_encode(out, hex);
	assert_string_equal(hex, "d1024b4c69a19069cba32afeab4bfe17614a221374de5947abe168cec341f003");
	memset(nonce, 0, sizeof(nonce));
	dolly_auth_response("", nonce, out);
	checksum_hex_encode(out, hex);
	assert_string_equal(hex, "179271825f84234176c90cbd27f0821ba1544eddd10836aaf72bd9614e8cf325");

	assert_int_equal(dolly_auth_reply("OK", 3, who, sizeof(who)), 1);
	assert_int_equal(dolly_auth_reply("OK", 2, who, sizeof(who)), -EAGAIN);
	assert_int_equal(dolly_auth_reply("OKAY", 5, who, sizeof(who)), 0);
	assert_int_equal(dolly_auth_reply("AUTH_FAILED:10.0.0.2", 21, who, sizeof(who)), 0);
	assert_string_equal(who, "10.0.0.2");
	assert_int_equal(dolly_auth_reply("AUTH_FAILED:h\033x", 16, who, sizeof(who)), 0);
	assert_string_equal(who, "h?x");
	/* no NUL within dolly's 270 bytes: an answer (refused), not a wait for ever */
	memset(reply, 'A', sizeof(reply));
	assert_int_equal(dolly_auth_reply(reply, DOLLY_AUTH_REPLY_MAX - 1, who, sizeof(who)), -EAGAIN);
	assert_int_equal(dolly_auth_reply(reply, DOLLY_AUTH_REPLY_MAX, who, sizeof(who)), 0);
	memcpy(reply, "AUTH_FAILED:", 12);
	assert_int_equal(dolly_auth_reply(reply, DOLLY_AUTH_REPLY_MAX, who, 8), 0);
	assert_string_equal(who, "AAAAAAA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_limits),
		cmocka_unit_test(test_find_self),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_options_long_password),
		cmocka_unit_test(test_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
