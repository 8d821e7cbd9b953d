/* fetch/opts.c: defaults, URL and proxy checks, size pre-check, MemAvailable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "fetch/fetch.h"

#define MiB (1024ull * 1024)
#define GiB (1024 * MiB)

static void row_fits(const char *file, int line, uint64_t need, uint64_t avail, uint64_t reserve, const char *what,
		     const char *want_err)
{
	char err[256] = "";
	int rc = fetch_fits(need, avail, reserve, what, err, sizeof(err));

	if (!want_err ? rc != 0 : (rc != -EFBIG || strcmp(err, want_err))) {
		print_error("%s:%d: rc %d err '%s', wanted '%s'\n", file, line, rc, err, want_err ? want_err : "fits");
		fail();
	}
}
#define FITS(n, a, r) row_fits(__FILE__, __LINE__, n, a, r, "RAM", NULL)
#define NOFIT(n, a, r, w, e) row_fits(__FILE__, __LINE__, n, a, r, w, e)

static void test_fits(void **state)
{
	FITS(0, 0, 0);
	FITS(1 * GiB, 1 * GiB, 0);
	FITS(1 * GiB, 2 * GiB, 1 * GiB);
	NOFIT(2 * GiB + 100 * MiB, 1400 * MiB + 50 * MiB, 0, "RAM", "image is 2.1 GiB, 1.4 GiB of RAM available");
	NOFIT(1 * GiB + 1, 2 * GiB, 1 * GiB, "RAM", "image is 1.0 GiB, 1.0 GiB of RAM available (1.0 GiB kept free)");
	NOFIT(1, 512 * MiB, 1 * GiB, "RAM", "image is 1 B, 0 B of RAM available (1.0 GiB kept free)");
	NOFIT(3 * GiB, 2 * GiB, 0, "/dev/ram0", "image is 3.0 GiB, 2.0 GiB of /dev/ram0 available");
	NOFIT(UINT64_MAX, UINT64_MAX - 1, 0, NULL, "image is 16.0 EiB, 16.0 EiB of space available");
}

static void row_mem(const char *file, int line, const char *text, int want_rc, uint64_t want)
{
	uint64_t v = 12345;
	int rc = fetch_meminfo_parse(text, &v);

	if (rc != want_rc || (!rc && v != want)) {
		print_error("%s:%d: rc %d value %llu\n", file, line, rc, (unsigned long long)v);
		fail();
	}
}
#define MEM(t, rc, v) row_mem(__FILE__, __LINE__, t, rc, v)

static void test_meminfo(void **state)
{
	MEM("MemTotal:       24684160 kB\nMemFree:        23933316 kB\nMemAvailable:   24318788 kB\n", 0,
	    24318788ull * 1024);
	MEM("MemAvailable: 0 kB\n", 0, 0);
	MEM("MemAvailable:\t1 kB", 0, 1024);
	MEM("MemTotal: 1 kB\n", -EINVAL, 0);
	MEM("", -EINVAL, 0);
	MEM("MemAvailable: kB\n", -EINVAL, 0);
	MEM("XMemAvailable: 5 kB\n", -EINVAL, 0);
	MEM("MemAvailable: 99999999999999999999999 kB\n", -EINVAL, 0);
}

static void row_url(const char *file, int line, const char *url, int want_rc, const char *err_part)
{
	static struct fetch_opts o;
	char err[256] = "";
	int rc;

	fetch_opts_init(&o);
	rc = fetch_set_url(&o, url, err, sizeof(err));
	if (rc != want_rc || (rc && !strstr(err, err_part)) || (!rc && strcmp(o.url, url))) {
		print_error("%s:%d: '%s': rc %d err '%s'\n", file, line, url ? url : "(null)", rc, err);
		fail();
	}
}
#define URL_OK(u) row_url(__FILE__, __LINE__, u, 0, NULL)
#define URL_BAD(u, p) row_url(__FILE__, __LINE__, u, -EINVAL, p)

static void test_url(void **state)
{
	static char longurl[FETCH_URL_MAX + 10];

	URL_OK("http://10.0.2.2/live.iso");
	URL_OK("HTTPS://host:8443/a/b.squashfs?x=1");
	URL_OK("ftp://user:pw@host/img.xz");
	URL_OK("tftp://10.0.2.2/img");
	URL_OK("file:///run/img.iso");
	URL_BAD("", "empty URL");
	URL_BAD(NULL, "empty URL");
	URL_BAD("torrent://x/y", "unsupported scheme");
	URL_BAD("nfs:host:/x", "unsupported scheme");
	URL_BAD("http://a b/c", "space or control character at position 8");
	URL_BAD("http://a/\x01", "control character");
	memcpy(longurl, "http://", 7);
	memset(longurl + 7, 'a', sizeof(longurl) - 8);
	URL_BAD(longurl, "expected at most 4095");
}

static void test_defaults_proxy(void **state)
{
	static struct fetch_opts o;
	char err[256];

	fetch_opts_init(&o);
	assert_int_equal(o.retry_deadline_s, 180);
	assert_int_equal(o.max_retries, -1);
	assert_true(o.follow);
	assert_true(o.decompress);
	assert_false(o.insecure);
	assert_false(o.sum.set);
	assert_int_equal(fetch_set_proxy(&o, "http://proxy:3128", err, sizeof(err)), 0);
	assert_string_equal(o.proxy, "http://proxy:3128");
	assert_int_equal(fetch_set_proxy(&o, "http://a b", err, sizeof(err)), -EINVAL);
	assert_int_equal(fetch_set_proxy(&o, NULL, err, sizeof(err)), 0);
	assert_string_equal(o.proxy, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_defaults_proxy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
