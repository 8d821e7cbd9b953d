/* The part of cmocka's API the unit tests use, for the tests that are also built with
 * musl-gcc against build/sysroot (cmocka is not in it): a failed assertion prints
 * where and why and ends that test (longjmp), the runner counts and returns failures.
 * No sanitizers there (musl-gcc has none); the glibc build of the same file has them. */
#ifndef NETINIT_TESTS_MINICMOCKA_H
#define NETINIT_TESTS_MINICMOCKA_H
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct CMUnitTest {
	const char *name;
	void (*fn)(void **state);
};
#define cmocka_unit_test(f) { #f, f }

static jmp_buf mc_jmp;
static int mc_status; /* 1 failed, 2 skipped */

__attribute__((unused, format(printf, 3, 4), noreturn))
static void mc_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[  ERROR   ] %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	mc_status = 1;
	longjmp(mc_jmp, 1);
}

#define fail_msg(...) mc_fail(__FILE__, __LINE__, __VA_ARGS__)
#define _fail(file, line) mc_fail(file, line, "failure")
#define print_error(...) fprintf(stderr, __VA_ARGS__)
#define skip() do { mc_status = 2; longjmp(mc_jmp, 1); } while (0)
#define assert_true(c) do { if (!(c)) mc_fail(__FILE__, __LINE__, "%s is false", #c); } while (0)
#define assert_non_null(p) do { if (!(p)) mc_fail(__FILE__, __LINE__, "%s is NULL", #p); } while (0)
#define assert_int_equal(a, b) do { \
	intmax_t mc_a = (intmax_t)(a), mc_b = (intmax_t)(b); \
	if (mc_a != mc_b) \
		mc_fail(__FILE__, __LINE__, "%s = %jd, expected %jd", #a, mc_a, mc_b); \
} while (0)

#define cmocka_run_group_tests(t, setup, teardown) mc_run(t, sizeof(t) / sizeof((t)[0]))
__attribute__((unused))
static int mc_run(const struct CMUnitTest *t, size_t n)
{
	volatile size_t i, failed = 0;

	for (i = 0; i < n; i++) {
		mc_status = 0;
		fprintf(stderr, "[ RUN      ] %s\n", t[i].name);
		if (setjmp(mc_jmp) == 0)
			t[i].fn(NULL);
		fprintf(stderr, "[ %s ] %s\n", mc_status == 1 ? " FAILED " : mc_status == 2 ? " SKIPPED" : "      OK", t[i].name);
		failed += mc_status == 1;
	}
	fprintf(stderr, "[==========] %zu test(s), %zu failed\n", (size_t)n, (size_t)failed);
	return failed != 0;
}
#endif
