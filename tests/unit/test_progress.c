/* progress: sizes, the in-place line, the summary, from plain numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fetch/progress.h"

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static void check(const char *file, int line, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		print_error("%s:%d: got '%s', wanted '%s'\n", file, line, got, want);
		fail();
	}
}

static void row_size(const char *file, int line, uint64_t bytes, const char *want)
{
	char buf[32];

	progress_size(buf, sizeof(buf), bytes);
	check(file, line, buf, want);
}
#define SIZE(b, w) row_size(__FILE__, __LINE__, b, w)

static void row_line(const char *file, int line, uint64_t bytes, uint64_t total, uint64_t ms, const char *want)
{
	char buf[PROGRESS_LINE_MAX];

	progress_line(buf, sizeof(buf), bytes, total, ms);
	check(file, line, buf, want);
}
#define LINE(b, t, ms, w) row_line(__FILE__, __LINE__, b, t, ms, w)

static void row_sum(const char *file, int line, uint64_t bytes, uint64_t ms, const char *want)
{
	char buf[PROGRESS_LINE_MAX];

	progress_summary(buf, sizeof(buf), bytes, ms);
	check(file, line, buf, want);
}
#define SUM(b, ms, w) row_sum(__FILE__, __LINE__, b, ms, w)

static void test_size(void **state)
{
	SIZE(0, "0 B");
	SIZE(999, "999 B");
	SIZE(1023, "1023 B");
	SIZE(1024, "1.0 KiB");
	SIZE(1536, "1.5 KiB");
	SIZE(1023 * KiB + 1000, "1.0 MiB");	/* 1023.98 KiB rounds up a unit */
	SIZE(12 * MiB + 300 * KiB, "12.3 MiB");
	SIZE(2 * GiB + 100 * MiB, "2.1 GiB");
	SIZE(1400 * MiB + 50 * MiB, "1.4 GiB");
	SIZE(UINT64_MAX, "16.0 EiB");
}

static void test_line(void **state)
{
	LINE(412 * MiB, 1024 * MiB, 4000, "  412.0 MiB / 1.0 GiB  40%  103.0 MiB/s  ETA 0:06");
	LINE(0, 1 * GiB, 1500, "  0 B / 1.0 GiB  0%  0 B/s  ETA --:--");
	LINE(1 * GiB, 1 * GiB, 10000, "  1.0 GiB / 1.0 GiB  100%  102.4 MiB/s  ETA 0:00");
	LINE(10 * MiB, 0, 2000, "  10.0 MiB  5.0 MiB/s");
	LINE(10 * MiB, 5 * MiB, 2000, "  10.0 MiB  5.0 MiB/s");	/* total smaller: ignored */
	LINE(1 * MiB, 10 * GiB, 1000, "  1.0 MiB / 10.0 GiB  0%  1.0 MiB/s  ETA 2:50:39");
	LINE(5, 10, 0, "  5 B / 10 B  50%  0 B/s  ETA --:--");
	LINE(UINT64_MAX / 2, UINT64_MAX, 1000, "  8.0 EiB / 16.0 EiB  50%  8.0 EiB/s  ETA 0:02");
}

static void test_summary(void **state)
{
	SUM(1 * GiB, 9300, "fetched 1.0 GiB in 9.3 s (110.1 MiB/s)");
	SUM(0, 0, "fetched 0 B in 0.0 s (0 B/s)");
	SUM(512 * KiB, 250, "fetched 512.0 KiB in 0.2 s (2.0 MiB/s)");
}

static void test_due(void **state)
{
	assert_false(progress_due(0));
	assert_false(progress_due(999));
	assert_true(progress_due(1000));
	assert_int_equal(progress_rate(1000, 0), 0);
	assert_int_equal(progress_rate(UINT64_MAX, 1000), UINT64_MAX / 1000 * 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
