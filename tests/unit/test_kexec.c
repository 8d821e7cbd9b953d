/* Unit tests for bootc.kexec's pure parts: the next kernel's command line (cmdline/kexeccmd)
 * and the newc cpio header and trailer the combined initrd is built from (util/newc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmdline/kexeccmd.h"
#include "util/newc.h"

/* ---- command lines ---- */
struct cmd_row {
	const char *in;
	int reuse;
	const char *label;
	const char *want;
};

static void check_cmd(const char *file, int line, const struct cmd_row *r)
{
	char out[512];
	int rc = kexec_cmdline_build(r->in, r->reuse, r->label, out, sizeof(out));

	if (rc != 0)
		fail_msg("%s:%d: \"%s\": rc %d", file, line, r->in, rc);
	if (strcmp(out, r->want))
		fail_msg("%s:%d: \"%s\" -> \"%s\", expected \"%s\"", file, line, r->in, out, r->want);
}
#define CMD(...) check_cmd(__FILE__, __LINE__, &(const struct cmd_row){ __VA_ARGS__ })

static void test_cmdline(void **state)
{
	/* reuse-image=0: only bootc.kexec* go */
	CMD("console=ttyS0 root=bootc-live:http://h/r.oci bootc.kexec bootc.kexec.reuse-image=0", 0, NULL,
	    "console=ttyS0 root=bootc-live:http://h/r.oci");
	CMD("bootc.kexec=1 quiet", 0, NULL, "quiet");
	/* a key that only starts like bootc.kexec stays */
	CMD("bootc.kexecutor=1 bootc.kexec", 0, NULL, "bootc.kexecutor=1");
	/* reuse: every root= goes (the last one wins in netinit's plan: leave only ours), ours is appended */
	CMD("console=ttyS0 panic=-1 root=bootc-live:http://10.0.2.2:8080/root.oci bootc.kexec", 1, NULL,
	    "console=ttyS0 panic=-1 bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	CMD("root=/dev/vda root=bootc-live:/x.oci netroot=nbd:h:e bootc.kexec.reuse-image=1 bootc.kexec ip=dhcp", 1, NULL,
	    "ip=dhcp bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* a registry pull's archive is labelled with the tag: bootclabel= names it */
	CMD("root=bootc-live:docker://r:5000/os:v1 bootclabel=old bootc.kexec bootc.registry.unsecure", 1, "v1",
	    "bootc.registry.unsecure bootclabel=v1 bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* an archive source keeps the user's bootclabel */
	CMD("root=bootc-live:/root.oci bootclabel=stable bootc.kexec", 1, NULL,
	    "bootclabel=stable bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* quoted values keep their quotes; bare keys stay bare; key= stays */
	CMD("a=\"x y\" b c= bootc.kexec root=/dev/vda", 1, NULL,
	    "a=\"x y\" b c= bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	CMD("", 1, NULL, "bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* an unbalanced quote (found by fuzz_kexeccmd) must not swallow the root= we append: the
	 * kernel read the rest of the line as one parameter, and so does the next kernel */
	CMD("x\" bootc.kexec root=/dev/vda", 1, NULL,
	    "\"x bootc.kexec root=/dev/vda\" bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	CMD("a=b\"c d", 1, NULL, "a=\"bc d\" bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* '--"' is no end marker here, but would be one once its quote is dropped */
	CMD("a b --\"", 1, NULL, "a b bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	CMD("a -\"\"-", 1, NULL, "a bootc.kexec.reuse-image=0 root=bootc-live:/root.oci");
	/* a quoted parameter whose key has a blank stays one parameter */
	CMD("\"k y=v\" quiet", 0, NULL, "\"k y=v\" quiet");
}

static void test_cmdline_too_long(void **state)
{
	char out[40];

	assert_int_equal(kexec_cmdline_build("console=ttyS0 root=x", 1, NULL, out, sizeof(out)), -ENOSPC);
	assert_string_equal(out, "");
	assert_int_equal(kexec_cmdline_build("console=ttyS0", 0, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "console=ttyS0");
}

/* ---- newc ---- */
static void test_newc_header(void **state)
{
	char b[256];
	ssize_t n = newc_file_header(b, sizeof(b), "root.oci", 0644, 0x12345, 7);

	assert_int_equal(n, 120); /* 110 + "root.oci\0" = 119, padded to 4 */
	assert_int_equal(newc_header_len("root.oci"), 120);
	assert_memory_equal(b, "070701" "00000007" "000081A4" "00000000" "00000000" "00000001" "00000000" "00012345"
			    "00000000" "00000000" "00000000" "00000000" "00000009" "00000000" "root.oci\0\0", 120);
	n = newc_trailer(b, sizeof(b));
	assert_int_equal(n, 124); /* 110 + "TRAILER!!!\0" = 121, padded to 4 */
	assert_memory_equal(b, "070701" "00000000" "00000000" "00000000" "00000000" "00000001" "00000000" "00000000"
			    "00000000" "00000000" "00000000" "00000000" "0000000B" "00000000" "TRAILER!!!\0\0\0\0", 124);
	/* the name, its NUL and the padding: 110+1+1 = 112, already aligned */
	assert_int_equal(newc_file_header(b, sizeof(b), "a", 0600, 0, 1), 112);
}

static void test_newc_limits(void **state)
{
	char b[256];

	assert_int_equal(newc_file_header(b, sizeof(b), "root.oci", 0644, (uint64_t)NEWC_SIZE_MAX + 1, 1), -EFBIG);
	assert_int_equal(newc_file_header(b, sizeof(b), "root.oci", 0644, NEWC_SIZE_MAX, 1), 120);
	assert_int_equal(newc_file_header(b, 119, "root.oci", 0644, 1, 1), -ENOSPC);
	assert_int_equal(newc_file_header(b, sizeof(b), "", 0644, 1, 1), -EINVAL);
	assert_int_equal(newc_trailer(b, 100), -ENOSPC);
	assert_int_equal(newc_align(121, 4), 124);
	assert_int_equal(newc_align(124, 4), 124);
	assert_int_equal(newc_align(1, 512), 512);
	assert_int_equal(newc_align(0, 512), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline),     cmocka_unit_test(test_cmdline_too_long),
		cmocka_unit_test(test_newc_header), cmocka_unit_test(test_newc_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
