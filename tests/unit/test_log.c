/*
 * init/log.c: a long message survives. /dev/kmsg refuses records over ~1 KiB, so
 * log_kmsg_record cuts a message into records that fit, mark the continued ones,
 * never cut a UTF-8 sequence and lose no byte; without /dev/kmsg the console gets
 * the whole line (it used to be cut at 1023 bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/log.h"

/* Cut msg into records; check each, and that the parts put together are msg. */
static void split_check(const char *file, int line, const char *msg, size_t len, size_t want_records)
{
	char rec[LOG_KMSG_RECORD_MAX], *joined = malloc(len + 1);
	size_t off = 0, n, nrec = 0, jl = 0;

	assert_non_null(joined);
	while ((n = log_kmsg_record(rec, 27, msg, len, &off)) > 0) {
		const char *head = nrec ? "<27>netinit: " LOG_KMSG_CONT : "<27>netinit: ";
		size_t hl = strlen(head);

		if (n > LOG_KMSG_RECORD_MAX || n < hl + 1 || memcmp(rec, head, hl) || rec[n - 1] != '\n')
			fail_msg("%s:%d: record %zu (%zu bytes) is malformed", file, line, nrec, n);
		/* a part never starts inside a UTF-8 sequence */
		if (n > hl + 1 && ((unsigned char)rec[hl] & 0xc0) == 0x80)
			fail_msg("%s:%d: record %zu starts inside a UTF-8 sequence", file, line, nrec);
		memcpy(joined + jl, rec + hl, n - hl - 1);
		jl += n - hl - 1;
		nrec++;
		if (nrec > len + 2)
			fail_msg("%s:%d: no end", file, line);
	}
	if (jl != len || memcmp(joined, msg, len))
		fail_msg("%s:%d: the records do not add up to the message (%zu of %zu bytes)", file, line, jl, len);
	if (want_records && nrec != want_records)
		fail_msg("%s:%d: %zu records, expected %zu", file, line, nrec, want_records);
	free(joined);
}

static void test_split(void **state)
{
	static char msg[6000];
	const size_t one = LOG_KMSG_RECORD_MAX - strlen("<27>netinit: ") - 1;

	(void)state;
	split_check(__FILE__, __LINE__, "", 0, 1);
	split_check(__FILE__, __LINE__, "short", 5, 1);
	memset(msg, 'a', sizeof(msg));
	split_check(__FILE__, __LINE__, msg, one, 1);
	split_check(__FILE__, __LINE__, msg, one + 1, 2);
	split_check(__FILE__, __LINE__, msg, 1011, 2);	/* the length /dev/kmsg used to refuse */
	split_check(__FILE__, __LINE__, msg, 2000, 0);
	split_check(__FILE__, __LINE__, msg, sizeof(msg), 0);
	/* UTF-8 across every possible cut: 2-, 3- and 4-byte sequences at each offset */
	for (size_t shift = 0; shift < 4; shift++) {
		static const char *const seq[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };

		for (size_t k = 0; k < 3; k++) {
			size_t sl = strlen(seq[k]), at = shift;

			memset(msg, 'b', sizeof(msg));
			while (at + sl < sizeof(msg)) {
				memcpy(msg + at, seq[k], sl);
				at += sl;
			}
			split_check(__FILE__, __LINE__, msg, sizeof(msg), 0);
		}
	}
}

/* No /dev/kmsg (log_open_kmsg not called): the console line is whole. */
static void test_console_whole(void **state)
{
	static char url[2101], got[4000];
	int p[2], saved;
	ssize_t n, used = 0;

	(void)state;
	memset(url, 'u', sizeof(url) - 1);
	memcpy(url + sizeof(url) - 5, "/end", 5);
	assert_int_equal(pipe(p), 0);
	saved = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	log_err("fatal: download: http://10.0.2.2:9/%s: giving up", url);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(p[1]);
	while ((n = read(p[0], got + used, sizeof(got) - 1 - (size_t)used)) > 0)
		used += n;
	close(p[0]);
	got[used] = '\0';
	assert_non_null(strstr(got, "netinit: fatal: download: http://10.0.2.2:9/"));
	assert_non_null(strstr(got, "uuuu/end: giving up\n"));
	assert_int_equal((size_t)used, strlen("netinit: fatal: download: http://10.0.2.2:9/") + strlen(url) +
					   strlen(": giving up\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_console_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
