/* Unit tests: the boot plan's deployment and persistent-overlay parameters
 * (rd.kiwi.live.system/reset, rd.live.overlay.persistent/cowfs/readonly/reset,
 * rd.overlay=<device>[:<path>]) and when a disk deployment needs the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "init/plan.h"

static struct boot_plan plan;

static int build(const char *line)
{
	struct cmdline c;
	int rc;

	assert_int_equal(cmdline_split(line, &c), 0);
	rc = plan_build(&c, &plan);
	cmdline_free(&c);
	return rc;
}

enum field { F_SYSTEM, F_RESET, F_PERSIST, F_COWFS, F_RO, F_OVRESET, F_DEV, F_PATH, F_NEEDNET };

static void field(enum field f, char *out, size_t len)
{
	switch (f) {
	case F_SYSTEM: snprintf(out, len, "%s", plan.kiwi_system); break;
	case F_RESET: snprintf(out, len, "%d", plan.kiwi_reset); break;
	case F_PERSIST: snprintf(out, len, "%d", plan.overlay_persistent); break;
	case F_COWFS: snprintf(out, len, "%s", plan.cowfs); break;
	case F_RO: snprintf(out, len, "%d", plan.overlay_readonly); break;
	case F_OVRESET: snprintf(out, len, "%d", plan.overlay_reset); break;
	case F_DEV: snprintf(out, len, "%s", plan.overlay_dev); break;
	case F_PATH: snprintf(out, len, "%s", plan.overlay_path); break;
	case F_NEEDNET: snprintf(out, len, "%d", net_plan_wanted(&plan.net)); break;
	}
}

struct row {
	int at;
	const char *line;
	enum field f;
	const char *want;	/* field value; or for BAD rows a needle in the errors */
	bool bad;
};

#define URL "root=live:http://10.0.2.2/live.iso "
#define OK(l, f, w) { __LINE__, l, f, w, false }
#define BAD(l, w) { __LINE__, l, 0, w, true }
static const struct row rows[] = {
	OK(URL "rd.kiwi.live.system=/dev/vda", F_SYSTEM, "/dev/vda"),
	OK(URL "rd.kiwi.live.system=LABEL=target", F_SYSTEM, "LABEL=target"),
	/* decided at boot: the plan itself does not bring the network up */
	OK(URL "rd.kiwi.live.system=/dev/vda", F_NEEDNET, "0"),
	OK(URL "rd.kiwi.live.system=/dev/vda ip=dhcp", F_NEEDNET, "1"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.neednet=1", F_NEEDNET, "1"),
	OK(URL, F_NEEDNET, "1"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.kiwi.live.reset", F_RESET, "1"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.kiwi.live.reset=0", F_RESET, "0"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent", F_PERSIST, "1"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent", F_COWFS, "ext4"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs", F_COWFS, "xfs"),
	OK(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=btrfs", F_COWFS, "btrfs"),
	OK("root=live:/dev/vda rd.live.overlay.persistent", F_PERSIST, "1"),
	OK("root=live:CDLABEL=KIWI rd.live.overlay.persistent", F_PERSIST, "1"),
	OK(URL "rd.overlay=LABEL=persist", F_DEV, "LABEL=persist"),
	OK(URL "rd.overlay=LABEL=persist", F_PATH, ""),
	OK(URL "rd.overlay=LABEL=persist:/LiveOS/ovl", F_DEV, "LABEL=persist"),
	OK(URL "rd.overlay=LABEL=persist:/LiveOS/ovl", F_PATH, "/LiveOS/ovl"),
	OK(URL "rd.live.overlay=UUID=0a1b:auto", F_DEV, "UUID=0a1b"),
	OK(URL "rd.live.overlay=UUID=0a1b:auto", F_PATH, ""),
	OK(URL "rd.overlay=/dev/disk/by-path/pci-0000:00:04.0", F_DEV, "/dev/disk/by-path/pci-0000:00:04.0"),
	OK(URL "rd.overlay=/dev/disk/by-path/pci-0000:00:04.0:/o", F_PATH, "/o"),
	OK(URL "rd.overlay=LABEL=persist rd.overlay=tmpfs", F_DEV, ""),
	OK(URL "rd.overlay=LABEL=persist rd.live.overlay=none", F_DEV, ""),
	OK(URL "rd.live.overlay=1", F_DEV, ""),
	OK(URL "rd.overlay=LABEL=p rd.overlay.reset", F_OVRESET, "1"),
	OK(URL "rd.overlay=LABEL=p rd.live.overlay.reset", F_OVRESET, "1"),
	OK(URL "rd.overlay=LABEL=p rd.live.overlay.reset rd.overlay.reset=0", F_OVRESET, "0"),
	OK(URL "rd.overlay=LABEL=p rd.overlay.readonly", F_RO, "1"),
	OK(URL "rd.overlay=LABEL=p rd.live.overlay.readonly", F_RO, "1"),
	OK(URL, F_RO, "0"),

	BAD("root=/dev/vda rd.kiwi.live.system=/dev/vdb", "rd.kiwi.live.system=/dev/vdb: expected together with root=live:<URL>"),
	BAD(URL "rd.kiwi.live.system=vdb", "rd.kiwi.live.system=vdb: expected a disk"),
	BAD(URL "rd.kiwi.live.system", "rd.kiwi.live.system=: expected a disk"),
	BAD(URL "rd.kiwi.live.reset=maybe", "rd.kiwi.live.reset=maybe: expected a boolean"),
	BAD(URL "rd.live.overlay.persistent", "rd.live.overlay.persistent: expected rd.kiwi.live.system=<disk> or root=live:<disk>"),
	BAD("root=live:/x.img rd.live.overlay.persistent", "rd.live.overlay.persistent: expected"),
	BAD(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=zfs",
	    "rd.live.overlay.cowfs=zfs: expected ext4, xfs or btrfs"),
	BAD(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.overlay=LABEL=p",
	    "expected one persistent overlay, not both"),
	BAD(URL "rd.overlay=LABEL=p:/a/../../etc", "rd.overlay=LABEL=p:/a/../../etc: expected <device>[:<absolute path"),
	BAD(URL "rd.overlay=nonsense", "rd.overlay=nonsense: expected tmpfs, tmpfs:size=<size>, or a device"),
	BAD(URL "rd.overlay.readonly=2", "rd.overlay.readonly=2: expected a boolean"),
};

static bool has_error(const char *needle)
{
	for (size_t i = 0; i < plan.nerrors; i++)
		if (strstr(plan.errors[i], needle))
			return true;
	return false;
}

static void test_rows(void **state)
{
	char got[PLAN_URL];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int rc = build(r->line);

		if (r->bad) {
			if (rc == 0 || !has_error(r->want))
				fail_msg("%s:%d: '%s': rc %d, %zu errors (first: %s), expected one with \"%s\"", __FILE__,
					 r->at, r->line, rc, plan.nerrors, plan.nerrors ? plan.errors[0] : "-", r->want);
			continue;
		}
		if (rc != 0)
			fail_msg("%s:%d: '%s': refused: %s", __FILE__, r->at, r->line, plan.errors[0]);
		field(r->f, got, sizeof(got));
		if (strcmp(got, r->want))
			fail_msg("%s:%d: '%s': field %d is \"%s\", expected \"%s\"", __FILE__, r->at, r->line, r->f, got,
				 r->want);
	}
}

/* the plan printer shows the deployment and the persistent overlay */
static void test_print(void **state)
{
	char buf[8192];
	FILE *f;

	assert_int_equal(build(URL "rd.kiwi.live.system=/dev/vda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs "
			       "rd.overlay.readonly"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "onto the disk /dev/vda (rd.kiwi.live.system)"));
	assert_non_null(strstr(buf, "persistent upper on the cow partition (xfs, created once), read-only under a tmpfs"));
	f = fmemopen(buf, sizeof(buf), "w");
	plan_print(&plan, f, true);
	fclose(f);
	assert_non_null(strstr(buf, "\"deploy\":{\"disk\":\"/dev/vda\",\"reset\":false,\"persistent\":true,"
				    "\"cowfs\":\"xfs\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
