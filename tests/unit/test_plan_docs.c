/* Unit test: docs/cmdline.md and the parser's table in init/plan.c name the same keys.
 * Every key of the table appears in the first column of a table row of the reference, and
 * every key the reference's first columns name is one the parser knows, so neither can
 * drift from the other. Network keys are net/ipconf.c's (documented in docs/network.md); one
 * that docs/cmdline.md lists anyway counts as parsed when net_plan_arg recognises it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/plan.h"

#define DOC "docs/cmdline.md"
#define MAX_KEYS 512

static char doc_keys[MAX_KEYS][64];
static int doc_lines[MAX_KEYS];
static size_t ndoc;

/* A parameter key: starts with a lower-case letter, then [a-z0-9_.-]; "UUID=" in
 * "(`UUID=`, `PARTUUID=`, …)" or "live:LABEL=" are forms of a value, not keys. */
static int key_of(const char *tok, size_t n, char *out, size_t outlen)
{
	size_t i;

	if (n == 0 || !islower((unsigned char)tok[0]))
		return 0;
	for (i = 0; i < n && tok[i] != '=' && tok[i] != '['; i++)
		if (!islower((unsigned char)tok[i]) && !isdigit((unsigned char)tok[i]) && !strchr("_.-", tok[i]))
			return 0;
	if (i >= outlen)
		return 0;
	memcpy(out, tok, i);
	out[i] = '\0';
	return 1;
}

/* The backticked tokens in the first cell of each row of the parameter tables (those whose
 * header row starts with "| parameter"; other tables, such as measurements, do not count). */
static void read_doc(void)
{
	char line[8192];
	FILE *f = fopen(DOC, "r");
	int lineno = 0, in_params = 0;

	if (!f)
		fail_msg("%s: cannot open (run from the repository root)", DOC);
	ndoc = 0;
	while (fgets(line, sizeof(line), f)) {
		char *cell, *end, *p;

		lineno++;
		if (line[0] != '|') {
			in_params = 0;
			continue;
		}
		if (strncmp(line, "| parameter", 11) == 0) {
			in_params = 1;
			continue;
		}
		if (!in_params || strncmp(line, "|---", 4) == 0)
			continue;
		cell = line + 1;
		/* the first cell ends at the first '|' that is not escaped (`\|` inside code) */
		for (end = cell; *end && !(*end == '|' && end[-1] != '\\'); end++)
			;
		*end = '\0';
		for (p = cell; (p = strchr(p, '`')) != NULL;) {
			char *q = strchr(p + 1, '`');

			if (!q)
				break;
			if (ndoc < MAX_KEYS && key_of(p + 1, (size_t)(q - p - 1), doc_keys[ndoc], sizeof(doc_keys[0])))
				doc_lines[ndoc++] = lineno;
			p = q + 1;
		}
	}
	fclose(f);
}

static int in_doc(const char *key)
{
	size_t i;

	for (i = 0; i < ndoc; i++)
		if (strcmp(doc_keys[i], key) == 0)
			return 1;
	return 0;
}

/* A key of the parser's table, or one the network parser (net/ipconf.c, which plan_build
 * asks next) recognises: net_plan_arg returns 0 only for keys that are not its own. */
static int in_table(const char *key)
{
	struct net_plan np;
	char err[256];
	const char *k;
	size_t i;

	for (i = 0; (k = plan_param_key(i)) != NULL; i++)
		if (strcmp(k, key) == 0)
			return 1;
	net_plan_init(&np);
	return net_plan_arg(&np, key, "1", err, sizeof(err)) != 0;
}

static void test_every_table_key_documented(void **state)
{
	const char *k;
	size_t i, missing = 0;

	read_doc();
	assert_true(ndoc > 20);
	for (i = 0; (k = plan_param_key(i)) != NULL; i++) {
		if (!in_doc(k)) {
			print_error("%s: the parser's key '%s' (init/plan.c) is in no parameter table row's first column\n", DOC, k);
			missing++;
		}
	}
	assert_true(i > 20);
	assert_int_equal(missing, 0);
}

static void test_every_documented_key_parsed(void **state)
{
	size_t i, unknown = 0;

	read_doc();
	for (i = 0; i < ndoc; i++) {
		if (!in_table(doc_keys[i])) {
			print_error("%s:%d: documents '%s', which the parser's table (init/plan.c) does not know\n", DOC,
				    doc_lines[i], doc_keys[i]);
			unknown++;
		}
	}
	assert_int_equal(unknown, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_table_key_documented),
		cmocka_unit_test(test_every_documented_key_parsed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
