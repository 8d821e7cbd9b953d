/* Tests for blockdev/aoe.c against a fake /dev/etherd and /sys/block tree in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "blockdev/aoe.h"

static char root[64], dev[128], sys[160];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/aoe-test-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(dev, sizeof(dev), "%s/etherd", root);
	snprintf(sys, sizeof(sys), "%s/block", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s", dev, sys);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/discover", dev);
	put(cmd, "");
	snprintf(cmd, sizeof(cmd), "%s/interfaces", dev);
	put(cmd, "");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

/* A target as the aoe driver shows it: sysfs dir with state and netif, and a device node. */
static void target(const char *name, const char *state, const char *netif)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/etherd!%s", sys, name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etherd!%s/state", sys, name);
	put(path, state);
	snprintf(path, sizeof(path), "%s/etherd!%s/netif", sys, name);
	put(path, netif);
	snprintf(path, sizeof(path), "%s/%s", dev, name);
	put(path, "");
}

struct row {
	const char *value;
	unsigned timeout_ms;
	int rc;
	const char *expect; /* dev_out suffix when rc == 0, else a piece of err */
};

static void check(const char *file, int line, const struct row *r)
{
	struct aoe_paths p = { .dev_etherd = dev, .sys_block = sys };
	char out[256] = "", err[256] = "";
	int rc = aoe_attach_at(&p, r->value, r->timeout_ms, 10, out, sizeof(out), err, sizeof(err));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d, expected %d (%s)", file, line, r->value, rc, r->rc, err);
	if (rc == 0) {
		size_t n = strlen(out), k = strlen(r->expect);
		if (n < k || strcmp(out + n - k, r->expect))
			fail_msg("%s:%d: '%s': device %s, expected .../%s", file, line, r->value, out, r->expect);
	} else if (!strstr(err, r->expect) || strchr(err, '\n')) {
		fail_msg("%s:%d: '%s': err '%s' lacks '%s'", file, line, r->value, err, r->expect);
	}
}
#define ROW(...) check(__FILE__, __LINE__, &(const struct row){ __VA_ARGS__ })

static void is_target(const char *file, int line, const char *s, int want)
{
	if (aoe_is_target(s) != want)
		fail_msg("%s:%d: aoe_is_target(%s) != %d", file, line, s ? s : "NULL", want);
}
#define IS_TARGET(s, w) is_target(__FILE__, __LINE__, s, w)

static void test_names(void **state)
{
	(void)state;
	IS_TARGET("e0.1", 1);
	IS_TARGET("e65534.254", 1);
	IS_TARGET("e12.0", 1);
	IS_TARGET("e65535.1", 0);
	IS_TARGET("e0.255", 0);
	IS_TARGET("e0", 0);
	IS_TARGET("e.1", 0);
	IS_TARGET("e0.", 0);
	IS_TARGET("e0.1x", 0);
	IS_TARGET("eth0", 0);
	IS_TARGET("", 0);
	IS_TARGET(NULL, 0);
	IS_TARGET("e99999999999999999999.1", 0);
}

static void test_target(void **state)
{
	char path[256], buf[16] = "";
	FILE *f;

	(void)state;
	target("e0.1", "up\n", "eth0\n");
	target("e0.2", "down\n", "eth0\n");
	ROW("e0.1", 50, 0, "etherd/e0.1");
	ROW("e0.2", 50, -ETIMEDOUT, "target e0.2 did not appear within 50 ms");
	ROW("e7.7", 30, -ETIMEDOUT, "vblade");
	ROW("", 30, -EINVAL, "empty value");
	ROW("../../x", 30, -EINVAL, "neither a target");
	ROW("averyveryverylongifname", 30, -EINVAL, "neither a target");
	/* discovery was triggered */
	snprintf(path, sizeof(path), "%s/discover", dev);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "1\n");
}

static void test_iface(void **state)
{
	char path[256], buf[32] = "";
	FILE *f;

	(void)state;
	target("e1.1", "up\n", "eth1\n");
	target("e2.1", "up,kickme\n", "eth0,eth2\n");
	target("e2.2", "up\n", "eth2\n");
	target("e3.3", "down\n", "eth3\n");
	ROW("eth1", 3000, 0, "etherd/e1.1");
	snprintf(path, sizeof(path), "%s/interfaces", dev);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "eth1");
	ROW("eth2", 3000, -ENOTUNIQ, "2 targets answer on interface eth2 (e2.");
	ROW("eth3", 40, -ETIMEDOUT, "no AoE target answered on interface eth3");
	ROW("eth9", 40, -ETIMEDOUT, "eth9");
}

static void test_no_module(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/discover", dev);
	unlink(path);
	ROW("e0.1", 30, -ENODEV, "aoe module loaded");
	snprintf(path, sizeof(path), "%s/interfaces", dev);
	unlink(path);
	ROW("eth0", 30, -ENODEV, "aoe module loaded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_module, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
