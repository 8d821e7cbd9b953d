/* Unit tests: fs/mntopts.c splits mount(8)-style options into flags and data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "fs/mntopts.h"

struct row {
	int at;
	const char *opts;
	unsigned long in, want_flags;
	const char *want_data;
};

#define ROW(o, i, f, d) { __LINE__, o, i, f, d }
static const struct row rows[] = {
	ROW("", 0, 0, ""),
	ROW(NULL, MS_RDONLY, MS_RDONLY, ""),
	ROW("noatime", 0, MS_NOATIME, ""),
	ROW("noatime,nouuid", MS_RDONLY, MS_RDONLY | MS_NOATIME, "nouuid"),
	ROW("rw", MS_RDONLY, 0, ""),
	ROW("ro,errors=remount-ro", 0, MS_RDONLY, "errors=remount-ro"),
	ROW("a,,b", 0, 0, "a,b"),
	ROW(",defaults,", 0, 0, ""),
	ROW("nosuid,nodev,noexec,sync,dirsync,lazytime,relatime", 0,
	    MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_RELATIME, ""),
	ROW("noatime,atime", 0, 0, ""),
	ROW("noatimex", 0, 0, "noatimex"),
	ROW("data=ordered,commit=5", 0, 0, "data=ordered,commit=5"),
};

static void check(const char *file, int line, const struct row *r)
{
	unsigned long flags = r->in;
	char data[64];

	assert_int_equal(mntopts_split(r->opts, &flags, data, sizeof(data)), 0);
	if (flags != r->want_flags || strcmp(data, r->want_data) != 0)
		fail_msg("%s:%d: \"%s\": flags %#lx data \"%s\", want %#lx \"%s\"", file, line,
			 r->opts ? r->opts : "(null)", flags, data, r->want_flags, r->want_data);
}

static void test_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(__FILE__, rows[i].at, &rows[i]);
}

static void test_overflow(void **state)
{
	unsigned long flags = 0;
	char data[8];

	assert_int_equal(mntopts_split("abcdefgh", &flags, data, sizeof(data)), -ENAMETOOLONG);
	assert_int_equal(mntopts_split("abc,defg", &flags, data, sizeof(data)), -ENAMETOOLONG);
	assert_int_equal(mntopts_split("abc,def", &flags, data, sizeof(data)), 0);
	assert_string_equal(data, "abc,def");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
