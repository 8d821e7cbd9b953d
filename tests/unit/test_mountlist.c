/*
 * fs/mountlist.c: the mount points below /oldroot in the order the shutdown unmounts them,
 * from a /proc/self/mountinfo captured after systemd-shutdown's pivot into /run/initramfs
 * (Debian 12 on an NBD overlay root), plus escaped, hostile and overlong lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fs/mountlist.h"

static const char pivoted[] =
	"23 1 0:22 /initramfs /oldroot/run/initramfs rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,mode=755\n"
	"1 0 0:30 / /oldroot rw,relatime - overlay overlay rw,lowerdir=/run/rootfsbase,upperdir=/run/overlayfs/rw\n"
	"2 1 0:5 / /oldroot/dev rw,nosuid - devtmpfs devtmpfs rw,size=4096k\n"
	"3 2 0:24 / /oldroot/dev/pts rw,nosuid,noexec - devpts devpts rw,gid=5,mode=620\n"
	"4 1 0:21 / /oldroot/proc rw,nosuid,nodev,noexec - proc proc rw\n"
	"5 1 0:20 / /oldroot/sys rw,nosuid,nodev,noexec - sysfs sysfs rw\n"
	"6 5 0:26 / /oldroot/sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
	"7 1 0:22 / /oldroot/run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755\n"
	"8 7 43:0 / /oldroot/run/rootfsbase ro,relatime - ext4 /dev/nbd0 ro\n"
	"9 7 0:31 / /oldroot/run/overlayfs rw - tmpfs tmpfs rw\n"
	"10 7 0:40 / /oldroot/run/user/0 rw - tmpfs tmpfs rw\n"
	"11 1 0:41 / /oldroot/mnt/with\\040space rw - tmpfs tmpfs rw\n"
	"12 0 0:22 /initramfs / rw - tmpfs tmpfs rw\n"
	"13 12 0:21 / /proc rw - proc proc rw\n"
	"14 12 0:22 / /oldrootx rw - tmpfs tmpfs rw\n";

static void test_order(void **state)
{
	static struct mountlist ml;
	static const char *const want[] = {
		"/oldroot/run/user/0", "/oldroot/sys/fs/cgroup",
		"/oldroot/mnt/with space", "/oldroot/run/overlayfs", "/oldroot/run/rootfsbase", "/oldroot/dev/pts",
		"/oldroot/run/initramfs",
		"/oldroot/run", "/oldroot/sys", "/oldroot/proc", "/oldroot/dev", "/oldroot",
	};

	(void)state;
	mountlist_under(pivoted, "/oldroot", &ml);
	assert_int_equal(ml.dropped, 0);
	assert_int_equal(ml.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < ml.n; i++)
		if (strcmp(ml.path[i], want[i]))
			fail_msg("position %u: \"%s\", expected \"%s\"", i, ml.path[i], want[i]);
	/* only the ext4 lower has a block device (43:0) */
	for (unsigned i = 0; i < ml.n; i++)
		if (ml.virt[i] != (strcmp(ml.path[i], "/oldroot/run/rootfsbase") != 0))
			fail_msg("%s: virt %d", ml.path[i], ml.virt[i]);
	/* a trailing slash names the same directory */
	mountlist_under(pivoted, "/oldroot/", &ml);
	assert_int_equal(ml.n, sizeof(want) / sizeof(want[0]));
}

static void test_hostile(void **state)
{
	static struct mountlist ml;
	static char big[MOUNTLIST_PATH + 200];

	(void)state;
	/* no fields, too few fields, a relative mount point, an escaped NUL, a missing newline */
	mountlist_under("\n\ngarbage\n1 2 3 4\n1 0 0:1 / oldroot rw - x x rw\n"
			"1 0 0:1 / /oldroot/a\\000b rw - x x rw\n1 0 0:1 / /oldroot/last rw - x x rw", "/oldroot", &ml);
	assert_int_equal(ml.n, 1);
	assert_string_equal(ml.path[0], "/oldroot/last");
	assert_int_equal(ml.dropped, 4);
	/* a mount point longer than MOUNTLIST_PATH is dropped, never cut */
	snprintf(big, sizeof(big), "1 0 0:1 / /oldroot/%0*d rw - x x rw\n", MOUNTLIST_PATH, 7);
	mountlist_under(big, "/oldroot", &ml);
	assert_int_equal(ml.n, 0);
	assert_int_equal(ml.dropped, 1);
	mountlist_under("", "/oldroot", &ml);
	assert_int_equal(ml.n, 0);
	mountlist_under(NULL, "/oldroot", &ml);
	assert_int_equal(ml.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
