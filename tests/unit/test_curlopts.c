/* curlopts_parse: every mapped option, value forms, refusals by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "fetch/curlopts.h"
#include "fetch/fetch.h"

struct want {
	bool insecure, ipv4, follow;
	const char *cacert, *proxy, *user, *header0, *header1;
	unsigned nheaders, connect_timeout_s, max_time_s;
	int max_retries;
	uint64_t limit_rate;
};

static void row_ok(const char *file, int line, const char *list, struct want w)
{
	static struct fetch_opts o;
	char err[256] = "";
	int rc;

	fetch_opts_init(&o);
	o.follow = false;	/* so -L is observable */
	rc = curlopts_parse(list, &o, err, sizeof(err));
	if (rc) {
		print_error("%s:%d: '%s' refused: %s\n", file, line, list, err);
		fail();
	}
#define EQ(a, b) do { if ((a) != (b)) { print_error("%s:%d: '%s': %s\n", file, line, list, #a); fail(); } } while (0)
#define STREQ(a, b) do { if (strcmp((a), (b) ? (b) : "")) { print_error("%s:%d: '%s': %s is '%s'\n", file, line, list, #a, a); fail(); } } while (0)
	EQ(o.insecure, w.insecure);
	EQ(o.ipv4, w.ipv4);
	EQ(o.follow, w.follow);
	STREQ(o.cacert, w.cacert);
	STREQ(o.proxy, w.proxy);
	STREQ(o.user, w.user);
	EQ(o.nheaders, w.nheaders);
	if (w.nheaders > 0)
		STREQ(o.headers[0], w.header0);
	if (w.nheaders > 1)
		STREQ(o.headers[1], w.header1);
	EQ(o.connect_timeout_s, w.connect_timeout_s);
	EQ(o.max_time_s, w.max_time_s);
	EQ(o.max_retries, w.max_retries ? w.max_retries : -1);
	EQ(o.limit_rate, w.limit_rate);
}

static void row_bad(const char *file, int line, const char *list, const char *msg_part)
{
	static struct fetch_opts o;
	char err[256] = "";
	int rc;

	fetch_opts_init(&o);
	rc = curlopts_parse(list, &o, err, sizeof(err));
	if (rc != -EINVAL || !strstr(err, msg_part) || strchr(err, '\n')) {
		print_error("%s:%d: '%s': rc %d, err '%s', wanted '%s'\n", file, line, list, rc, err, msg_part);
		fail();
	}
}
#define OK(list, ...) row_ok(__FILE__, __LINE__, list, (struct want){ __VA_ARGS__ })
#define BAD(list, msg) row_bad(__FILE__, __LINE__, list, msg)

static void test_mapped(void **state)
{
	OK("");
	OK(",,");
	OK("-k", .insecure = true);
	OK("--insecure", .insecure = true);
	OK("--cacert,/etc/ca.pem", .cacert = "/etc/ca.pem");
	OK("--cacert=/etc/ca.pem", .cacert = "/etc/ca.pem");
	OK("-x,http://10.0.0.1:3128", .proxy = "http://10.0.0.1:3128");
	OK("-xhttp://p:1", .proxy = "http://p:1");
	OK("--proxy=http://p:1", .proxy = "http://p:1");
	OK("-u,me:secret", .user = "me:secret");
	OK("--user,me:secret", .user = "me:secret");
	OK("-H,X-A: 1,--header,X-B: 2", .nheaders = 2, .header0 = "X-A: 1", .header1 = "X-B: 2");
	OK("--connect-timeout,5", .connect_timeout_s = 5);
	OK("--connect-timeout,2.5", .connect_timeout_s = 3);
	OK("--connect-timeout,7.0", .connect_timeout_s = 7);
	OK("-m,600", .max_time_s = 600);
	OK("--max-time=60", .max_time_s = 60);
	OK("--retry,3", .max_retries = 3);
	OK("--limit-rate,100", .limit_rate = 100);
	OK("--limit-rate,500k", .limit_rate = 500 * 1024);
	OK("--limit-rate,10M", .limit_rate = 10 * 1024 * 1024);
	OK("--limit-rate,1G", .limit_rate = 1024ull * 1024 * 1024);
	OK("-L", .follow = true);
	OK("--location", .follow = true);
	OK("-4", .ipv4 = true);
	OK("--ipv4", .ipv4 = true);
	OK("-kL4", .insecure = true, .follow = true, .ipv4 = true);
	OK("-ku,a:b", .insecure = true, .user = "a:b");
	OK("-s,-S,-f,-g,--silent,--show-error,--fail,--globoff");
	OK("-sSfL", .follow = true);
	OK("--insecure,--cacert,/c.pem,-4,-L,--retry,5", .insecure = true, .cacert = "/c.pem", .ipv4 = true,
	   .follow = true, .max_retries = 5);
}

static void test_refused(void **state)
{
	BAD("--compressed", "'--compressed' is not supported");
	BAD("-o,/tmp/x", "'-o' is not supported");
	BAD("-kZ", "'-Z' is not supported");
	BAD("--output=x", "'--output' is not supported");
	BAD("insecure", "is not an option");
	BAD("-", "is not an option");
	BAD("--cacert", "--cacert needs a value");
	BAD("-x", "-x needs a value");
	BAD("--cacert=", "needs a non-empty value");
	BAD("--insecure=1", "--insecure takes no value");
	BAD("--connect-timeout,abc", "not a number of seconds");
	BAD("--connect-timeout,0", "not a number of seconds");
	BAD("--connect-timeout,1.", "not a number of seconds");
	BAD("--connect-timeout,99999999999999999999", "not a number of seconds");
	BAD("--max-time,-1", "not a number of seconds");
	BAD("--retry,x", "is not a count");
	BAD("--retry,100000", "is not a count");
	BAD("--limit-rate,fast", "is not a rate");
	BAD("--limit-rate,10X", "is not a rate");
	BAD("--limit-rate,0", "is not a rate");
	BAD("--limit-rate,99999999999999999999", "is not a rate");
	BAD("-H,NoColon", "has no ':'");
	BAD("-H,a:1,-H,a:2,-H,a:3,-H,a:4,-H,a:5,-H,a:6,-H,a:7,-H,a:8,-H,a:9", "more than 8 --header");
}

static void test_limits(void **state)
{
	static char big[CURLOPTS_MAX_LEN + 10];
	static struct fetch_opts o;
	char err[256];

	memset(big, 'k', sizeof(big) - 1);
	big[0] = '-';
	fetch_opts_init(&o);
	assert_int_equal(curlopts_parse(big, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "characters"));

	char many[400] = "";
	for (int i = 0; i < 70; i++)
		strcat(many, "-k,");
	assert_int_equal(curlopts_parse(many, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 64 items"));

	char longval[FETCH_STR_MAX + 20] = "--cacert=";
	memset(longval + 9, 'a', FETCH_STR_MAX + 5);
	assert_int_equal(curlopts_parse(longval, &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected at most 511"));

	assert_int_equal(curlopts_parse("-H,X: a\tb", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "control character"));
	assert_int_equal(curlopts_parse(NULL, &o, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
