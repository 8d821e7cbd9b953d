/*
 * net/env.c + util/shquote.c: /run/netinit/net/<iface>.env is safe to source in sh.
 * Values a DHCP server controls (boot file, host name, domain, TFTP server) holding
 * $(...), backquotes, quotes, newlines, blanks and globs come back byte for byte
 * from `. file` in a real sh, and nothing in them runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/env.h"
#include "util/shquote.h"

static char dir[64];

static void quote_row(const char *file, int line, const char *val, const char *want)
{
	char out[256];
	size_t n = sh_quote(out, sizeof(out), val);

	if (n != strlen(want) || strcmp(out, want))
		fail_msg("%s:%d: sh_quote(%s) = %s (%zu), expected %s", file, line, val, out, n, want);
}

static void test_quote(void **state)
{
	char small[4];

	(void)state;
	quote_row(__FILE__, __LINE__, "", "''");
	quote_row(__FILE__, __LINE__, "pxelinux.0", "'pxelinux.0'");
	quote_row(__FILE__, __LINE__, "a'b", "'a'\\''b'");
	quote_row(__FILE__, __LINE__, "'", "''\\'''");
	quote_row(__FILE__, __LINE__, "$(x) `y` \"z\"", "'$(x) `y` \"z\"'");
	/* too small: the length it needs, and a terminated buffer */
	assert_int_equal(sh_quote(small, sizeof(small), "abcdef"), 8);
	assert_int_equal(strlen(small), 3);
}

/* Source the file in sh; each variable comes back NUL-terminated. */
static size_t source(const char *path, const char *const *keys, size_t nkeys, char *out, size_t cap)
{
	char script[1024];
	size_t used = 0, sl;
	FILE *p;

	sl = (size_t)snprintf(script, sizeof(script), "cd %s && . %s && printf '%%s\\0'", dir, path);
	for (size_t i = 0; i < nkeys; i++)
		sl += (size_t)snprintf(script + sl, sizeof(script) - sl, " \"$%s\"", keys[i]);
	p = popen(script, "r");
	assert_non_null(p);
	used = fread(out, 1, cap, p);
	assert_int_equal(pclose(p), 0);
	return used;
}

static void test_env_sourced(void **state)
{
	static const char *const keys[] = { "IFACE", "METHOD", "ADDRESS", "PREFIX", "GATEWAY", "DNS", "DOMAIN",
					    "HOSTNAME", "TFTP_SERVER", "BOOT_FILE", "SEARCH", "ROUTES", "MTU" };
	static char text[NET_ENV_MAX], got[NET_ENV_MAX];
	const char *boot = "$(touch pwned1)`touch pwned2`'; touch pwned3; '\"x\"\nBOOT_FILE=evil $HOME *";
	struct net_result r;
	struct dhcp_msg m;
	char path[128], want[NET_ENV_MAX], hostile[256], *g;
	size_t n, wl = 0;
	FILE *f;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.iface, sizeof(r.iface), "eth0");
	r.dhcp = true;
	inet_pton(AF_INET, "10.0.2.15", &r.addr);
	r.prefix = 24;
	inet_pton(AF_INET, "10.0.2.2", &r.gw);
	inet_pton(AF_INET, "10.0.2.3", &r.dns[0]);
	inet_pton(AF_INET, "10.0.2.4", &r.dns[1]);
	r.n_dns = 2;
	snprintf(r.domain, sizeof(r.domain), "a b\tc;d&&e|f");
	snprintf(r.hostname, sizeof(r.hostname), "'''");
	snprintf(r.tftp_server, sizeof(r.tftp_server), "\\n\\\\ \\'");
	snprintf(r.boot_file, sizeof(r.boot_file), "%s", boot);
	m.has_classless = true;
	m.n_routes = 1;
	inet_pton(AF_INET, "192.168.0.0", &m.routes[0].dst);
	m.routes[0].prefix = 16;
	inet_pton(AF_INET, "10.0.2.1", &m.routes[0].gw);
	assert_int_equal(net_env_format(&r, 1500, "x.example $(touch pwned4)", &m, text, sizeof(text)), 0);
	snprintf(path, sizeof(path), "%s/eth0.env", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	n = source("./eth0.env", keys, sizeof(keys) / sizeof(keys[0]), got, sizeof(got));
	{
		const char *vals[] = { "eth0", "dhcp", "10.0.2.15", "24", "10.0.2.2", "10.0.2.3 10.0.2.4",
				       "a b\tc;d&&e|f", "'''", "\\n\\\\ \\'", boot, "x.example $(touch pwned4)",
				       "192.168.0.0/16,10.0.2.1", "1500" };

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			memcpy(want + wl, vals[i], strlen(vals[i]) + 1);
			wl += strlen(vals[i]) + 1;
		}
	}
	g = got;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && g < got + n; i++) {
		const char *w = want;

		for (size_t k = 0; k < i; k++)
			w += strlen(w) + 1;
		if (strcmp(g, w))
			fail_msg("%s: sourced as [%s], expected [%s]\n%s", keys[i], g, w, text);
		g += strlen(g) + 1;
	}
	assert_int_equal(n, wl);
	for (int i = 1; i <= 4; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/pwned%d", dir, i);
		if (stat(path, &st) == 0)
			fail_msg("sourcing the .env file ran a command from a value (%s exists)\n%s", path, text);
	}
	/* a buffer too small is an error, never a cut inside a quote */
	memset(hostile, '\'', sizeof(hostile) - 1);
	hostile[sizeof(hostile) - 1] = '\0';
	snprintf(r.boot_file, sizeof(r.boot_file), "%s", hostile);
	assert_int_equal(net_env_format(&r, 1500, NULL, NULL, text, 300), -ENOSPC);
	/* the worst case fits NET_ENV_MAX */
	snprintf(r.domain, sizeof(r.domain), "%s", hostile);
	snprintf(r.tftp_server, sizeof(r.tftp_server), "%s", hostile);
	memset(r.hostname, '\'', sizeof(r.hostname) - 1);
	r.hostname[sizeof(r.hostname) - 1] = '\0';
	assert_int_equal(net_env_format(&r, 1500, hostile, &m, text, sizeof(text)), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/netinit-env-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test_setup_teardown(test_env_sourced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
