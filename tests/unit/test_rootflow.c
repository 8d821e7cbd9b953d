/* Unit tests: the root stage's steps return -errno with what failed (stage, what, why,
 * hint) in a struct stage_err, and only root_assemble() dies. Each row is a boot that
 * must stop before it changes anything on this machine: a missing image, too little
 * RAM for rd.minmem, a device that never appears. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tests/unit/minicmocka.h"

#include "cmdline/cmdline.h"
#include "init/download.h"
#include "init/plan.h"
#include "init/root.h"

static struct boot_plan plan;

static int run(const char *line, struct stage_err *e)
{
	struct cmdline c;
	struct root_ctx ctx = { .plan = &plan, .e = e };

	memset(e, 0, sizeof(*e));
	assert_int_equal(cmdline_split(line, &c), 0);
	assert_int_equal(plan_build(&c, &plan), 0);
	cmdline_free(&c);
	return root_run(&ctx);
}

static void expect(const struct stage_err *e, int rc, const char *stage, const char *what, const char *why,
		   const char *hint)
{
	assert_int_equal(e->rc, rc);
	if (strcmp(e->stage, stage) != 0)
		fail_msg("stage \"%s\", expected \"%s\"", e->stage, stage);
	if (!strstr(e->what, what))
		fail_msg("what \"%s\" does not name \"%s\"", e->what, what);
	if (!strstr(e->why, why))
		fail_msg("why \"%s\" does not say \"%s\"", e->why, why);
	if (hint ? !strstr(e->hint, hint) : e->hint[0] != '\0')
		fail_msg("hint \"%s\", expected \"%s\"", e->hint, hint ? hint : "");
}

static void test_live_file_missing(void **state)
{
	struct stage_err e;

	(void)state;
	assert_int_equal(run("root=live:/no/such/image.squashfs", &e), -ENOENT);
	expect(&e, -ENOENT, "root", "live:/no/such/image.squashfs", "no such file in the initramfs",
	       "append it as a second initrd");
}

/* rd.minmem above what this machine has: refused before the tmpfs is mounted */
static void test_live_url_too_little_ram(void **state)
{
	struct stage_err e;

	(void)state;
	assert_int_equal(run("root=live:http://192.0.2.1/x.squashfs rd.minmem=4194304", &e), -ENOMEM);
	expect(&e, -ENOMEM, "download", "http://192.0.2.1/x.squashfs", "MiB of RAM available, rd.minmem keeps 4194304 MiB free",
	       "give the machine more RAM or lower rd.minmem=");
}

/* a long signed URL (e2e 23) reaches the fatal line whole */
static void test_long_url_whole(void **state)
{
	static char line[2200], url[2000];
	struct stage_err e;
	int n;

	(void)state;
	n = snprintf(url, sizeof(url), "http://192.0.2.1/bucket/root.squashfs?X-Amz-Signature=");
	memset(url + n, 'f', 1800 - (size_t)n);
	url[1800] = '\0';
	snprintf(line, sizeof(line), "root=live:%s rd.minmem=4194304", url);
	assert_int_equal(run(line, &e), -ENOMEM);
	assert_int_equal(strlen(e.what), 1800);
	assert_true(strcmp(e.what, url) == 0);
}

static void test_bootc_too_little_ram(void **state)
{
	struct stage_err e;

	(void)state;
	assert_int_equal(run("root=bootc-live:http://192.0.2.1/x.oci rd.minmem=4194304", &e), -ENOMEM);
	expect(&e, -ENOMEM, "root", "bootc-live:http://192.0.2.1/x.oci", "rd.minmem keeps 4194304 MiB free",
	       "give the machine more RAM");
}

static void test_device_never_appears(void **state)
{
	struct stage_err e;

	(void)state;
	assert_int_equal(run("root=/dev/netinit-unit-no-such-disk rd.retry=1", &e), -ETIMEDOUT);
	expect(&e, -ETIMEDOUT, "root", "/dev/netinit-unit-no-such-disk", "no such device appeared after 1 s (block devices present:",
	       "raise rd.retry=");
}

static void test_hints(void **state)
{
	(void)state;
	assert_true(strstr(download_hint(-EKEYREJECTED, DL_RAM), "rd.noverifyssl") != NULL);
	assert_true(strstr(download_hint(-EKEYREJECTED, DL_REGISTRY), "bootc.registry.unsecure") != NULL);
	assert_true(strstr(download_hint(-EFBIG, DL_DISK), "bigger disk") != NULL);
	assert_true(strstr(download_hint(-EFBIG, DL_RAM), "more RAM") != NULL);
	assert_true(strstr(download_hint(-EBADMSG, DL_RAM), "rd.live.sha256") != NULL);
	assert_true(strstr(download_hint(-EBADMSG, DL_REGISTRY), "manifest") != NULL);
	assert_true(strstr(download_hint(-EACCES, DL_REGISTRY), "registry-auth") != NULL);
	assert_true(strstr(download_hint(-ENOENT, DL_RAM), "check the URL") != NULL);
	assert_true(strstr(download_hint(-EINVAL, DL_REGISTRY), "registries.conf") != NULL);
	assert_true(strstr(download_hint(-ECONNREFUSED, DL_REGISTRY), "registry is up") != NULL);
	assert_true(strstr(download_hint(-ECONNREFUSED, DL_RAM), "server is up") != NULL);
}

static void test_stage_fail(void **state)
{
	struct stage_err e;

	(void)state;
	assert_int_equal(stage_fail(&e, 0, "root", "x", "y", NULL), -EIO);
	assert_int_equal(stage_fail(&e, -ENOSPC, "root", "x", "y", "z"), -ENOSPC);
	assert_true(strcmp(e.hint, "z") == 0);
}

static void test_image_name(void **state)
{
	char out[64];

	(void)state;
	root_image_name("http://h/a/root.squashfs.zst?x=1", SINK_CODEC_ZSTD, out, sizeof(out));
	assert_true(strcmp(out, "root.squashfs") == 0);
	root_image_name("http://h/", SINK_CODEC_NONE, out, sizeof(out));
	assert_true(strcmp(out, "image") == 0);
	root_image_name("http://h/..", SINK_CODEC_NONE, out, sizeof(out));
	assert_true(strcmp(out, "image") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_file_missing),
		cmocka_unit_test(test_live_url_too_little_ram),
		cmocka_unit_test(test_long_url_whole),
		cmocka_unit_test(test_bootc_too_little_ram),
		cmocka_unit_test(test_device_never_appears),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_stage_fail),
		cmocka_unit_test(test_image_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
