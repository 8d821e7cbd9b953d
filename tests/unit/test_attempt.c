/* fetch/attempt: what a response means for the sink, Content-Range, and the retry policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "fetch/attempt.h"

/* One response against a position: the action, the verdict if it stops, and the position after. */
static void row_resp(const char *file, int line, struct fetch_pos pos, bool can_reset, bool any_status,
		     long code, int cr, uint64_t cr_start, uint64_t cr_total, int64_t length,
		     enum fetch_act want, enum fetch_verdict want_v, uint64_t want_offset, uint64_t want_total,
		     uint64_t want_skip, const char *msg_part)
{
	struct fetch_resp r = { .is_http = code != 0, .code = code, .have_cr = cr, .cr_start = cr_start,
				.cr_total = cr_total, .length = length };
	enum fetch_verdict v = FETCH_V_OK;
	char msg[160] = "";
	int rc = 0;
	enum fetch_act act = fetch_response(&pos, &r, can_reset, any_status, &v, &rc, msg, sizeof(msg));

	if (act != want || (act == FETCH_ACT_STOP && v != want_v)) {
		print_error("%s:%d: HTTP %ld: act %d verdict %d, wanted %d %d (%s)\n", file, line, code, act, v, want,
			    want_v, msg);
		fail();
	}
	if (act != FETCH_ACT_STOP && (pos.offset != want_offset || pos.total != want_total || pos.skip != want_skip)) {
		print_error("%s:%d: offset %lu total %lu skip %lu, wanted %lu %lu %lu\n", file, line,
			    (unsigned long)pos.offset, (unsigned long)pos.total, (unsigned long)pos.skip,
			    (unsigned long)want_offset, (unsigned long)want_total, (unsigned long)want_skip);
		fail();
	}
	if (msg_part && !strstr(msg, msg_part)) {
		print_error("%s:%d: message '%s' lacks '%s'\n", file, line, msg, msg_part);
		fail();
	}
}
#define AT(off, tot, from) ((struct fetch_pos){ .offset = off, .total = tot, .range_start = from })
#define R(...) row_resp(__FILE__, __LINE__, __VA_ARGS__)

static void test_responses(void **state)
{
	/* a fresh transfer: 200 sets the total */
	R(AT(0, 0, 0), true, false, 200, 0, 0, 0, 1000, FETCH_ACT_TAKE, 0, 0, 1000, 0, NULL);
	R(AT(0, 0, 0), true, false, 200, 0, 0, 0, -1, FETCH_ACT_TAKE, 0, 0, 0, 0, NULL);
	/* a resume honoured: 206 with the range asked for */
	R(AT(400, 1000, 400), true, false, 206, 1, 400, 1000, 600, FETCH_ACT_TAKE, 0, 400, 1000, 0, NULL);
	R(AT(400, 1000, 400), true, false, 206, 1, 400, 0, 600, FETCH_ACT_TAKE, 0, 400, 1000, 0, NULL);
	/* 206 with another range, without Content-Range, or to a request without Range: start over */
	R(AT(400, 1000, 400), true, false, 206, 1, 0, 1000, 1000, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0,
	  "with another range");
	R(AT(400, 1000, 400), false, false, 206, 0, 0, 0, 600, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0,
	  "with another range");
	R(AT(0, 0, 0), true, false, 206, 1, 0, 1000, 1000, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0, NULL);
	/* a closed range from byte 0 (fetch_request.range_len, a web seed's pieces): 206 at 0 is the answer */
	{
		struct fetch_pos p = AT(0, 0, 0);

		p.ranged = true;
		R(p, false, false, 206, 1, 0, 5000, 1000, FETCH_ACT_TAKE, 0, 0, 5000, 0, NULL);
	}
	/* Range ignored: a sink that can reset starts over, one that cannot skips what it has */
	R(AT(400, 1000, 400), true, false, 200, 0, 0, 0, 1000, FETCH_ACT_RESET, 0, 0, 1000, 0, NULL);
	R(AT(400, 1000, 400), false, false, 200, 0, 0, 0, 1000, FETCH_ACT_TAKE, 0, 400, 1000, 400, NULL);
	/* the caller asked for byte 0 on purpose (skip set): the response keeps it */
	{
		struct fetch_pos p = AT(400, 1000, 0);

		p.skip = 400;
		R(p, false, false, 200, 0, 0, 0, 1000, FETCH_ACT_TAKE, 0, 400, 1000, 400, NULL);
	}
	/* the size changed: start over and forget it */
	R(AT(400, 1000, 400), true, false, 206, 1, 400, 2000, 1600, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0,
	  "size changed from 1000 to 2000");
	R(AT(400, 1000, 400), false, false, 200, 0, 0, 0, 999, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0, "size changed");
	/* 416 to a Range: start over; errors: answers for any_status, verdicts otherwise */
	R(AT(1000, 1000, 1000), true, false, 416, 0, 0, 0, 0, FETCH_ACT_STOP, FETCH_V_RESTART, 0, 0, 0, "HTTP 416");
	R(AT(0, 0, 0), true, false, 404, 0, 0, 0, 10, FETCH_ACT_STOP, FETCH_V_FATAL, 0, 0, 0, "HTTP 404");
	R(AT(0, 0, 0), true, false, 503, 0, 0, 0, 10, FETCH_ACT_STOP, FETCH_V_RETRY, 0, 0, 0, NULL);
	R(AT(0, 0, 0), true, true, 401, 0, 0, 0, 10, FETCH_ACT_ANSWER, 0, 0, 0, 0, NULL);
	R(AT(0, 0, 0), true, true, 500, 0, 0, 0, 10, FETCH_ACT_ANSWER, 0, 0, 0, 0, NULL);
	R(AT(0, 0, 0), true, false, 304, 0, 0, 0, 0, FETCH_ACT_STOP, FETCH_V_FATAL, 0, 0, 0, "unexpected HTTP 304");
	/* ftp: libcurl reports the whole size or the rest after REST */
	R(AT(400, 1000, 400), true, false, 0, 0, 0, 0, 1000, FETCH_ACT_TAKE, 0, 400, 1000, 0, NULL);
	R(AT(400, 1000, 400), true, false, 0, 0, 0, 0, 600, FETCH_ACT_TAKE, 0, 400, 1000, 0, NULL);
}

static void row_cr(const char *file, int line, const char *v, int want_rc, uint64_t a, uint64_t b, uint64_t t)
{
	uint64_t x = 1, y = 1, z = 1;
	int rc = fetch_content_range(v, &x, &y, &z);

	if (rc != want_rc || (!rc && (x != a || y != b || z != t))) {
		print_error("%s:%d: '%s': rc %d %lu-%lu/%lu\n", file, line, v, rc, (unsigned long)x, (unsigned long)y,
			    (unsigned long)z);
		fail();
	}
}
#define CR(...) row_cr(__FILE__, __LINE__, __VA_ARGS__)

static void test_content_range(void **state)
{
	CR(" bytes 0-99/100", 0, 0, 99, 100);
	CR("bytes 5-9/*", 0, 5, 9, 0);
	CR("Bytes 5-9/10\r\n", 0, 5, 9, 10);
	CR("bytes 9-5/10", -EINVAL, 0, 0, 0);		/* end before start */
	CR("bytes 0-99/99", -EINVAL, 0, 0, 0);		/* end past the total */
	CR("bytes */100", -EINVAL, 0, 0, 0);		/* the 416 form */
	CR("bytes 0-99/100 junk", -EINVAL, 0, 0, 0);
	CR("items 0-1/2", -EINVAL, 0, 0, 0);
	CR("bytes 99999999999999999999-1/2", -EINVAL, 0, 0, 0);
	CR("bytes -1/2", -EINVAL, 0, 0, 0);
}

static void test_retry(void **state)
{
	struct fetch_retry r;
	unsigned d = 0, b = 0, caps[8];
	uint64_t t = 0;

	/* no progress: the bound doubles to its cap, each wait is drawn from 1 ms up to it
	 * (full jitter), and the deadline counts from the start */
	fetch_retry_init(&r, 0, 60, -1, 42);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(fetch_retry_next(&r, t, 500, false, false, &d, &b), 0);
		caps[i] = b;
		assert_true(d >= 1 && d <= b);
		t += d;
	}
	assert_int_equal(caps[0], 500);
	assert_int_equal(caps[1], 1000);
	assert_int_equal(caps[2], 2000);
	assert_int_equal(caps[3], 4000);
	assert_int_equal(caps[4], 8000);
	assert_int_equal(caps[5], 8000);
	/* the last wait stops at the deadline */
	assert_int_equal(fetch_retry_next(&r, 59990, 500, false, false, &d, &b), 0);
	assert_true(d <= 10);
	assert_int_equal(fetch_retry_next(&r, 60000, 500, false, false, &d, &b), -ETIMEDOUT);

	/* progress restarts the deadline and the backoff */
	fetch_retry_init(&r, 0, 10, -1, 7);
	assert_int_equal(fetch_retry_next(&r, 1000, 100, false, false, &d, &b), 0);
	assert_int_equal(b, 500);
	assert_int_equal(fetch_retry_next(&r, 9000, 100, false, false, &d, &b), 0);
	assert_int_equal(b, 1000);
	assert_int_equal(fetch_retry_next(&r, 9500, 200, false, false, &d, &b), 0);	/* grew: a fresh 10 s */
	assert_int_equal(b, 500);
	assert_int_equal(fetch_retry_next(&r, 19000, 200, false, false, &d, &b), 0);
	assert_int_equal(fetch_retry_next(&r, 19600, 200, false, false, &d, &b), -ETIMEDOUT);

	/* a stalled attempt that grew the offset is no progress (a trickle) */
	fetch_retry_init(&r, 0, 10, -1, 7);
	assert_int_equal(fetch_retry_next(&r, 9000, 30, true, false, &d, &b), 0);
	assert_int_equal(fetch_retry_next(&r, 10000, 60, true, false, &d, &b), -ETIMEDOUT);

	/* the next source of a round: at once, and the backoff does not grow */
	fetch_retry_init(&r, 0, 10, -1, 7);
	assert_int_equal(fetch_retry_next(&r, 10, 0, false, true, &d, &b), 0);
	assert_int_equal(d, 0);
	assert_int_equal(b, 0);
	assert_int_equal(fetch_retry_next(&r, 20, 0, false, false, &d, &b), 0);
	assert_int_equal(b, 500);

	/* --retry N: N retries, then out of tries */
	fetch_retry_init(&r, 0, 1000, 2, 7);
	assert_int_equal(fetch_retry_next(&r, 1, 0, false, false, &d, NULL), 0);
	assert_int_equal(fetch_retry_next(&r, 2, 0, false, false, NULL, NULL), 0);
	assert_int_equal(fetch_retry_next(&r, 3, 0, false, false, &d, NULL), -ETIMEDOUT);
}

/* The jitter of machines with different seeds spreads; one seed repeats itself. */
static void test_jitter(void **state)
{
	unsigned hist[10] = { 0 }, first[20];
	struct fetch_retry r, again;

	for (unsigned m = 0; m < 20; m++) {	/* 20 machines, one draw each from 10 s */
		fetch_retry_init(&r, 0, 0, 0, 0x525400000000ull + m * 0x1000193ull);
		first[m] = fetch_jitter(&r, 10000);
		assert_true(first[m] < 10000);
		hist[first[m] / 1000]++;
	}
	for (unsigned i = 0, busy = 0; i < 10; i++) {
		assert_true(hist[i] <= 8);	/* no second of the window gets most of the fleet */
		busy += hist[i] > 0;
		if (i == 9)
			assert_true(busy >= 5);
	}
	fetch_retry_init(&r, 0, 0, 0, 99);
	fetch_retry_init(&again, 0, 0, 0, 99);
	assert_int_equal(fetch_jitter(&r, 1000000), fetch_jitter(&again, 1000000));
	assert_int_equal(fetch_jitter(&r, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_content_range),
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_jitter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
