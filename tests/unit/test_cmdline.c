/* Unit tests: cmdline/cmdline.c splits like the kernel's next_arg(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cmdline/cmdline.h"

struct row {
	int at; /* source line of the row */
	const char *line;
	const char *want; /* params joined as "key=value|flag|key=" with '|' between */
};

#define ROW(l, w) { __LINE__, l, w }
static const struct row rows[] = {
	ROW("", ""),
	ROW("   ", ""),
	ROW("quiet", "quiet"),
	ROW("root=/dev/vda rw", "root=/dev/vda|rw"),
	ROW("  root=/dev/vda   rw  ", "root=/dev/vda|rw"),
	ROW("a= b", "a=|b"),
	ROW("x=\"two words\" y", "x=two words|y"),
	ROW("\"x=two words\" y", "x=two words|y"),
	ROW("x=\"unterminated value", "x=unterminated value"),
	ROW("k=a=b", "k=a=b"),
	ROW("root=live:http://h/x.img?a=b&c=d", "root=live:http://h/x.img?a=b&c=d"),
	ROW("a b -- c=d e", "a|b"),
	ROW("a --x", "a|--x"),
	ROW("rd.break", "rd.break"),
	ROW("x=\"\"", "x="),
	ROW("tab\there", "tab|here"),
	ROW("nl=1\nnext=2\n", "nl=1|next=2"),
	ROW("mid\"dle x", "mid\"dle x"),
};

static void check_row(const char *file, int line, const struct row *r)
{
	struct cmdline c;
	char got[1024] = "";
	size_t i;

	assert_int_equal(cmdline_split(r->line, &c), 0);
	for (i = 0; i < c.n; i++) {
		if (i)
			strcat(got, "|");
		strcat(got, c.v[i].key);
		if (c.v[i].value) {
			strcat(got, "=");
			strcat(got, c.v[i].value);
		}
	}
	if (strcmp(got, r->want) != 0) {
		cmdline_free(&c);
		fail_msg("%s:%d: split(\"%s\") = \"%s\", want \"%s\"", file, line, r->line, got, r->want);
	}
	cmdline_free(&c);
}

static void test_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(__FILE__, rows[i].at, &rows[i]);
}

static void test_get_last_wins(void **state)
{
	struct cmdline c;
	int found;

	assert_int_equal(cmdline_split("ip=a ip=b quiet", &c), 0);
	assert_string_equal(cmdline_get(&c, "ip", &found), "b");
	assert_int_equal(found, 1);
	assert_null(cmdline_get(&c, "quiet", &found));
	assert_int_equal(found, 1);
	assert_null(cmdline_get(&c, "nope", &found));
	assert_int_equal(found, 0);
	cmdline_free(&c);
}

static void test_long_line(void **state)
{
	static char line[200000];
	struct cmdline c;
	size_t i;

	for (i = 0; i + 4 < sizeof(line); i += 4)
		memcpy(line + i, "a=b ", 4);
	line[i] = '\0';
	assert_int_equal(cmdline_split(line, &c), 0);
	assert_int_equal(c.n, i / 4);
	cmdline_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_get_last_wins),
		cmocka_unit_test(test_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
