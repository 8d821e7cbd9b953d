/* Table tests for tools/cpiolist.c: every entry type, ${VAR} expansion, malformed lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "tools/cpiolist.h"

/* Rows name only the fields they need. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static const char *fake_env(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "KDIR"))
		return "/lib/modules/6.1";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

struct ok_row {
	const char *line;
	int rc;			/* 0 entry, 1 blank/comment */
	enum cpio_kind kind;
	const char *name, *source;
	unsigned mode, uid, gid;
	char devtype;
	unsigned major, minor;
	const char *links;	/* hard links joined by ' ' */
};

static void check_ok(const char *file, int line, const struct ok_row *r)
{
	struct cpio_entry e;
	char err[256] = "", links[512] = "";
	size_t i;
	int rc = cpiolist_parse_line(r->line, strlen(r->line), &e, fake_env, NULL, err, sizeof(err));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d (%s), expected %d", file, line, r->line, rc, err, r->rc);
	if (rc)
		return;
	for (i = 0; i < e.nlinks; i++)
		snprintf(links + strlen(links), sizeof(links) - strlen(links), "%s%s", i ? " " : "",
			 e.links[i]);
	if (e.kind != r->kind || strcmp(e.name, r->name) ||
	    strcmp(e.source ? e.source : "", r->source ? r->source : "") || e.mode != r->mode ||
	    e.uid != r->uid || e.gid != r->gid || e.devtype != r->devtype || e.major != r->major ||
	    e.minor != r->minor || strcmp(links, r->links ? r->links : ""))
		fail_msg("%s:%d: '%s': got kind %d name %s source %s mode %o uid %u gid %u dev %c %u:%u links '%s'",
			 file, line, r->line, e.kind, e.name, e.source ? e.source : "-", e.mode, e.uid,
			 e.gid, e.devtype ? e.devtype : '-', e.major, e.minor, links);
	cpiolist_entry_free(&e);
}

#define OK(...) check_ok(__FILE__, __LINE__, &(const struct ok_row){ __VA_ARGS__ })

struct bad_row {
	const char *line;
	const char *needle;	/* must occur in the one-line error */
	size_t len;		/* 0: strlen */
};

static void check_bad(const char *file, int line, const struct bad_row *r)
{
	struct cpio_entry e;
	char err[256] = "";
	size_t len = r->len ? r->len : strlen(r->line);
	int rc = cpiolist_parse_line(r->line, len, &e, fake_env, NULL, err, sizeof(err));

	if (rc != -EINVAL)
		fail_msg("%s:%d: '%s': rc %d, expected -EINVAL", file, line, r->line, rc);
	if (!strstr(err, r->needle) || strchr(err, '\n'))
		fail_msg("%s:%d: '%s': error '%s' lacks '%s'", file, line, r->line, err, r->needle);
}

#define BAD(...) check_bad(__FILE__, __LINE__, &(const struct bad_row){ __VA_ARGS__ })

static void test_lines(void **state)
{
	(void)state;
	OK("", 1);
	OK("   \t ", 1);
	OK("# a comment", 1);
	OK("   # indented comment with file words", 1);
	OK("dir /dev 0755 0 0", 0, CPIO_DIR, "/dev", NULL, 0755, 0, 0);
	OK("dir\t/tmp\t1777\t0\t0\r", 0, CPIO_DIR, "/tmp", NULL, 01777, 0, 0);
	OK("dir /dev 755 0 0", 0, CPIO_DIR, "/dev", NULL, 0755, 0, 0);
	OK("nod /dev/console 0600 0 0 c 5 1", 0, CPIO_NOD, "/dev/console", NULL, 0600, 0, 0, 'c', 5, 1);
	OK("nod /dev/sda 0660 0 6 b 8 0", 0, CPIO_NOD, "/dev/sda", NULL, 0660, 0, 6, 'b', 8, 0);
	OK("slink /bin/sh busybox 0777 0 0", 0, CPIO_SLINK, "/bin/sh", "busybox", 0777, 0, 0);
	OK("pipe /run/fifo 0600 1000 1000", 0, CPIO_PIPE, "/run/fifo", NULL, 0600, 1000, 1000);
	OK("sock /run/sock 0600 0 4294967295", 0, CPIO_SOCK, "/run/sock", NULL, 0600, 0, 4294967295u);
	OK("file /init build/init 0755 0 0", 0, CPIO_FILE, "/init", "build/init", 0755, 0, 0);
	OK("file /bin/a /x/a 0755 0 0 /bin/b /bin/c", 0, CPIO_FILE, "/bin/a", "/x/a", 0755, 0, 0,
	   .links = "/bin/b /bin/c");
	OK("file /m.ko ${KDIR}/kernel/m.ko 0644 0 0", 0, CPIO_FILE, "/m.ko", "/lib/modules/6.1/kernel/m.ko",
	   0644, 0, 0);
	OK("file /m.ko ${KDIR}${KDIR} 0644 0 0", 0, CPIO_FILE, "/m.ko", "/lib/modules/6.1/lib/modules/6.1",
	   0644, 0, 0);
	OK("file /m.ko $KDIR 0644 0 0", 0, CPIO_FILE, "/m.ko", "$KDIR", 0644, 0, 0);
	OK("file /a/./b x 0644 0 0", 0, CPIO_FILE, "/a/./b", "x", 0644, 0, 0);
	OK("dir relative/dir 0755 0 0", 0, CPIO_DIR, "relative/dir", NULL, 0755, 0, 0);

	BAD("directory /dev 0755 0 0", "unknown entry type 'directory'");
	BAD("dir /dev 0755 0", "expected 'dir <name> <mode> <uid> <gid>'");
	BAD("dir /dev 0755 0 0 extra", "dir: 5 fields");
	BAD("dir /dev 0855 0 0", "bad mode");
	BAD("dir /dev 017777 0 0", "bad mode");
	BAD("dir /dev -1 0 0", "bad mode");
	BAD("dir /dev 0755 root 0", "bad uid/gid");
	BAD("dir /dev 0755 0 4294967296", "bad uid/gid");
	BAD("dir / 0755 0 0", "empty or '/'");
	BAD("dir // 0755 0 0", "empty or '/'");
	BAD("dir /a/../b 0755 0 0", "'..'");
	BAD("dir .. 0755 0 0", "'..'");
	BAD("nod /dev/x 0600 0 0 x 1 1", "expected b or c");
	BAD("nod /dev/x 0600 0 0 cc 1 1", "expected b or c");
	BAD("nod /dev/x 0600 0 0 c 1", "nod: 6 fields");
	BAD("nod /dev/x 0600 0 0 c one 1", "bad device number");
	BAD("slink /x 0777 0 0", "slink: 4 fields");
	BAD("file /x 0755 0 0", "file: 4 fields");
	BAD("file /x ${NOPE}/y 0644 0 0", "${NOPE}");
	BAD("file /x ${EMPTY} 0644 0 0", "expands to nothing");
	BAD("file /x ${KDIR 0644 0 0", "expected ${NAME}");
	BAD("file /x ${} 0644 0 0", "expected ${NAME}");
	BAD("file /x y 0644 0 0 /a/../../etc", "'..'");
	BAD("dir /d\0ev 0755 0 0", "NUL", 17);
	BAD("file /x y 0644 0 0 a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a "
	    "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a", "more than");
}

static void test_list(void **state)
{
	static const char text[] =
		"# header\n"
		"dir /dev 0755 0 0\n"
		"\n"
		"nod /dev/null 0666 0 0 c 1 3\n"
		"file /etc/x /etc/hostname 0644 0 0";	/* no final newline */
	static const char broken[] = "dir /a 0755 0 0\ndir /b 0755 0 0\nbogus\ndir /c 0755 0 0\n";
	struct cpio_list l = { 0 };
	char err[256] = "";

	(void)state;
	assert_int_equal(cpiolist_parse(&l, text, sizeof(text) - 1, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.e[0].name, "/dev");
	assert_int_equal(l.e[0].line, 2);
	assert_int_equal(l.e[1].line, 4);
	assert_int_equal(l.e[2].line, 5);
	assert_string_equal(l.e[2].source, "/etc/hostname");
	cpiolist_free(&l);

	assert_int_equal(cpiolist_parse(&l, broken, sizeof(broken) - 1, NULL, NULL, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(err, "line 3: unknown entry type 'bogus'"));
	cpiolist_free(&l);

	assert_int_equal(cpiolist_parse(&l, "", 0, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(l.n, 0);
	cpiolist_free(&l);
	cpiolist_free(NULL);
	cpiolist_entry_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
