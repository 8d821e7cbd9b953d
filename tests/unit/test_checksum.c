/* checksum: rd.live.sha256=, rd.live.checksum=, hex, and .sha256 file parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "fetch/checksum.h"

#define HEX_A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define HEX_B "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define HEX_A_UPPER "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"

enum kind { SHA256, SPEC };

static void row_param(const char *file, int line, enum kind k, const char *val, int want_rc, bool is_auto,
		      const char *want_hex, const char *err_part)
{
	struct checksum c;
	char err[256] = "", hex[CHECKSUM_SHA256_HEX + 1];
	int rc;

	memset(&c, 0xa5, sizeof(c));
	rc = k == SHA256 ? checksum_parse_sha256(val, &c, err, sizeof(err)) : checksum_parse_spec(val, &c, err, sizeof(err));
	if (rc != want_rc) {
		print_error("%s:%d: '%s': rc %d, wanted %d (%s)\n", file, line, val ? val : "(null)", rc, want_rc, err);
		fail();
	}
	if (rc) {
		if (!strstr(err, err_part)) {
			print_error("%s:%d: err '%s' lacks '%s'\n", file, line, err, err_part);
			fail();
		}
		return;
	}
	if (!c.set || c.is_auto != is_auto) {
		print_error("%s:%d: set %d auto %d\n", file, line, c.set, c.is_auto);
		fail();
	}
	if (want_hex) {
		checksum_hex_encode(c.sha256, hex);
		if (strcmp(hex, want_hex)) {
			print_error("%s:%d: digest %s, wanted %s\n", file, line, hex, want_hex);
			fail();
		}
	}
}
#define P_OK(k, v, a, h) row_param(__FILE__, __LINE__, k, v, 0, a, h, NULL)
#define P_BAD(k, v, part) row_param(__FILE__, __LINE__, k, v, -EINVAL, false, NULL, part)

static void test_params(void **state)
{
	P_OK(SHA256, HEX_A, false, HEX_A);
	P_OK(SHA256, HEX_A_UPPER, false, HEX_A);
	P_OK(SHA256, "auto", true, NULL);
	P_BAD(SHA256, "", "empty value");
	P_BAD(SHA256, NULL, "empty value");
	P_BAD(SHA256, "abc", "is not a SHA-256 digest");
	P_BAD(SHA256, HEX_A "0", "is not a SHA-256 digest");
	P_BAD(SHA256, "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "not a SHA-256");
	P_BAD(SHA256, "AUTO", "not a SHA-256");
	P_OK(SPEC, "sha256:" HEX_B, false, HEX_B);
	P_OK(SPEC, "SHA256:" HEX_B, false, HEX_B);
	P_OK(SPEC, "sha256:auto", true, NULL);
	P_BAD(SPEC, HEX_B, "has no algorithm");
	P_BAD(SPEC, "md5:d41d8cd98f00b204e9800998ecf8427e", "algorithm 'md5' is not supported");
	P_BAD(SPEC, "sha512:" HEX_B, "algorithm 'sha512' is not supported");
	P_BAD(SPEC, "sha256:", "rd.live.checksum: empty value");
	P_BAD(SPEC, "sha256:xyz", "rd.live.checksum: 'xyz' is not");
	P_BAD(SPEC, NULL, "has no algorithm");
}

static void row_file(const char *file, int line, const char *text, const char *name, const char *want_hex,
		     const char *err_part)
{
	uint8_t d[CHECKSUM_SHA256_LEN];
	char err[256] = "", hex[CHECKSUM_SHA256_HEX + 1];
	int rc = checksum_file_parse(text, strlen(text), name, d, err, sizeof(err));

	if (want_hex) {
		if (rc) {
			print_error("%s:%d: rc %d (%s)\n", file, line, rc, err);
			fail();
		}
		checksum_hex_encode(d, hex);
		if (strcmp(hex, want_hex)) {
			print_error("%s:%d: digest %s, wanted %s\n", file, line, hex, want_hex);
			fail();
		}
	} else if (rc != -EINVAL || !strstr(err, err_part)) {
		print_error("%s:%d: rc %d err '%s', wanted '%s'\n", file, line, rc, err, err_part);
		fail();
	}
}
#define F_OK(t, n, h) row_file(__FILE__, __LINE__, t, n, h, NULL)
#define F_BAD(t, n, part) row_file(__FILE__, __LINE__, t, n, NULL, part)

static void test_file(void **state)
{
	F_OK(HEX_A "\n", "x.iso", HEX_A);
	F_OK(HEX_A, "x.iso", HEX_A);					/* no newline */
	F_OK(HEX_A "  x.iso\n", "x.iso", HEX_A);			/* sha256sum */
	F_OK(HEX_A " *x.iso\r\n", "x.iso", HEX_A);			/* binary mode, CRLF */
	F_OK(HEX_A " 1024 4096\n", "x.iso", HEX_A);			/* KIWI: blocks blocksize */
	F_OK(HEX_A "  a.iso\n" HEX_B "  b.iso\n", "b.iso", HEX_B);	/* pick by name */
	F_OK(HEX_A "  dir/a.iso\n" HEX_B "  out/b.iso\n", "b.iso", HEX_B);
	F_OK("# comment\n\n  " HEX_B "  b.iso  \n", "b.iso", HEX_B);
	F_OK(HEX_A "  other.iso\n", "x.iso", HEX_A);			/* one digest: used */
	F_BAD("", "x.iso", "holds no SHA-256 digest");
	F_BAD("\n\n# only comments\n", "x.iso", "holds no SHA-256 digest");
	F_BAD(HEX_A "  a.iso\n" HEX_B "  b.iso\n", "c.iso", "holds 2 digests and none for 'c.iso'");
	F_BAD("deadbeef  x.iso\n", "x.iso", "does not start with 64 hex digits");
	F_BAD(HEX_A "0  x.iso\n", "x.iso", "does not start with 64 hex digits");
	F_BAD("<html>404</html>\n", "x.iso", "does not start with 64 hex digits");
}

static void test_hex(void **state)
{
	uint8_t d[CHECKSUM_SHA256_LEN];
	char hex[CHECKSUM_SHA256_HEX + 1];

	assert_int_equal(checksum_hex_decode(HEX_A, 64, d), 0);
	checksum_hex_encode(d, hex);
	assert_string_equal(hex, HEX_A);
	assert_int_equal(checksum_hex_decode(HEX_A, 63, d), -EINVAL);
	assert_int_equal(checksum_hex_decode(NULL, 64, d), -EINVAL);

	static char big[CHECKSUM_FILE_MAX + 2];
	char err[128];

	memset(big, '\n', sizeof(big));
	assert_int_equal(checksum_file_parse(big, sizeof(big), "x", d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected at most"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
