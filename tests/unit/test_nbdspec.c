/* Table tests for blockdev/nbdspec.c: every documented form, and malformed rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "blockdev/nbdspec.h"

struct ok_row {
	const char *form, *value;
	const char *host;
	unsigned port;
	const char *export_name, *fstype, *rootflags;
	unsigned io_timeout, dead_timeout, bs;
	int persist;
	unsigned n_ignored;
};

static void check_ok(const char *file, int line, const struct ok_row *r)
{
	struct nbd_spec s;
	char err[256];
	int rc = nbd_spec_parse(r->form, r->value, &s, err, sizeof(err));

	if (rc != 0)
		fail_msg("%s:%d: %s '%s': rc %d: %s", file, line, r->form, r->value, rc, err);
	if (strcmp(s.host, r->host) || s.port != r->port || strcmp(s.export_name, r->export_name) ||
	    strcmp(s.fstype, r->fstype) || strcmp(s.rootflags, r->rootflags) ||
	    s.io_timeout_s != r->io_timeout || s.dead_timeout_s != r->dead_timeout ||
	    s.block_size != r->bs || s.persist != r->persist || s.n_ignored_opts != r->n_ignored)
		fail_msg("%s:%d: '%s': got host=%s port=%u export=%s fstype=%s flags=%s to=%u dead=%u bs=%u persist=%d ign=%u",
			 file, line, r->value, s.host, s.port, s.export_name, s.fstype, s.rootflags,
			 s.io_timeout_s, s.dead_timeout_s, s.block_size, s.persist, s.n_ignored_opts);
}

#define D NBD_DEFAULT_IO_TIMEOUT_S, NBD_DEFAULT_DEAD_TIMEOUT_S, 0, 1, 0
/* One row: the failing row's own line is reported. */
#define OK(...) check_ok(__FILE__, __LINE__, &(const struct ok_row){ __VA_ARGS__ })

struct bad_row {
	const char *form, *value;
	const char *needle; /* must occur in the error line */
};

#define BAD(...) check_bad(__FILE__, __LINE__, &(const struct bad_row){ __VA_ARGS__ })

static void check_bad(const char *file, int line, const struct bad_row *r)
{
	struct nbd_spec s;
	char err[256] = "";
	int rc = nbd_spec_parse(r->form, r->value, &s, err, sizeof(err));

	if (rc != -EINVAL)
		fail_msg("%s:%d: '%s': expected -EINVAL, got %d", file, line, r->value, rc);
	if (!strstr(err, r->needle) || strchr(err, '\n'))
		fail_msg("%s:%d: '%s': error '%s' lacks '%s'", file, line, r->value, err, r->needle);
	if (s.host[0] || s.export_name[0])
		fail_msg("%s:%d: output not reset on error", file, line);
}


static void test_ok(void **state)
{
	(void)state;
	/* KIWI: root=overlay:nbd=<server>[:<port>]:<export> */
	OK("kiwi", "192.168.100.1:export", "192.168.100.1", 10809, "export", "", "", D);
	OK("kiwi", "server-ip:export", "server-ip", 10809, "export", "", "", D);
	OK("kiwi", "nbd.example:10810:root-img", "nbd.example", 10810, "root-img", "", "", D);
	OK("kiwi", "[fd00::1]:export", "fd00::1", 10809, "export", "", "", D);
	OK("kiwi", "[fd00::1]:9000:export", "fd00::1", 9000, "export", "", "", D);
	OK("kiwi", "srv:1:a:b", "srv", 1, "a:b", "", "", D);
	/* dracut: nbd:<server>:<port|export>[:<fstype>[:<rootflags>[:<nbdopts>]]] */
	OK("dracut", "10.0.2.2:10809", "10.0.2.2", 10809, "", "", "", D);
	OK("dracut", "nbd:10.0.2.2:10809", "10.0.2.2", 10809, "", "", "", D);
	OK("dracut", "10.0.2.2:rootimg", "10.0.2.2", 10809, "rootimg", "", "", D);
	OK("dracut", "srv:2000:ext4", "srv", 2000, "", "ext4", "", D);
	OK("dracut", "srv:root:auto:ro,noatime", "srv", 10809, "root", "", "ro,noatime", D);
	OK("dracut", "srv:root:xfs::", "srv", 10809, "root", "xfs", "", D);
	OK("dracut", "srv:root:ext4:ro:timeout=10,bs=4096", "srv", 10809, "root", "ext4", "ro",
	  10, NBD_DEFAULT_DEAD_TIMEOUT_S, 4096, 1, 0 );
	OK("dracut", "srv:root:::dead_timeout=60,nopersist,-swap,persist,sdp", "srv", 10809, "root", "", "",
	  NBD_DEFAULT_IO_TIMEOUT_S, 60, 0, 1, 2 );
	OK("dracut", "srv:root:::nopersist", "srv", 10809, "root", "", "",
	  NBD_DEFAULT_IO_TIMEOUT_S, NBD_DEFAULT_DEAD_TIMEOUT_S, 0, 0, 0 );
	OK("dracut", "[2001:db8::5]:10809:squashfs", "2001:db8::5", 10809, "", "squashfs", "", D);
	OK("dracut", "[2001:db8::5]:exp", "2001:db8::5", 10809, "exp", "", "", D);
}

static void test_bad(void **state)
{
	(void)state;
	BAD("kiwi", "", "empty value" );
	BAD("kiwi", "server", "missing export" );
	BAD("kiwi", "server:", "empty export" );
	BAD("kiwi", ":export", "missing server" );
	BAD("kiwi", "srv:port:export", "bad port" );
	BAD("kiwi", "srv:0:export", "bad port" );
	BAD("kiwi", "srv:65536:export", "bad port" );
	BAD("kiwi", "srv:99999999999999999999:e", "bad port" );
	BAD("kiwi", "[fd00::1:export", "no closing" );
	BAD("kiwi", "[]:export", "empty server" );
	BAD("kiwi", "[fd00::1]x:export", "after ']'" );
	BAD("kiwi", "[host]:export", "IPv6" );
	BAD("kiwi", "srv:exp\x01ort", "control character" );
	BAD("dracut", "srv", "missing port or export" );
	BAD("dracut", "srv:", "missing port or export" );
	BAD("dracut", "srv::ext4", "missing port or export" );
	BAD("dracut", "srv:0", "port out of range" );
	BAD("dracut", "srv:70000", "port out of range" );
	BAD("dracut", "srv:e:ext4:ro:timeout=x", "timeout=" );
	BAD("dracut", "srv:e:ext4:ro:timeout=0", "timeout=" );
	BAD("dracut", "srv:e:ext4:ro:bs=1000", "bs=" );
	BAD("dracut", "srv:e:ext4:ro:bs=256", "bs=" );
	BAD("dracut", "srv:e:ext4:ro:dead_timeout=", "dead_timeout=" );
	BAD("dracut", "srv:e:ext4:ro:opts:extra", "too many" );
	BAD("other", "srv:e", "unknown form" );
}

static void test_long_fields(void **state)
{
	char v[700], err[256];
	struct nbd_spec s;

	(void)state;
	memset(v, 'a', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	assert_int_equal(nbd_spec_parse("kiwi", v, &s, err, sizeof(err)), -EINVAL);
	memcpy(v, "srv:", 4);
	assert_int_equal(nbd_spec_parse("kiwi", v, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than 255"));
	assert_true(strlen(err) < 200);
	assert_int_equal(nbd_spec_parse("dracut", v, &s, err, sizeof(err)), -EINVAL);
	/* a tiny error buffer is truncated, never overrun */
	assert_int_equal(nbd_spec_parse("dracut", "srv", &s, err, 4), -EINVAL);
	assert_int_equal(strlen(err), 3);
}

static void test_describe(void **state)
{
	struct nbd_spec s;
	char err[128], buf[300];

	(void)state;
	assert_int_equal(nbd_spec_parse("kiwi", "[fd00::1]:99:exp", &s, err, sizeof(err)), 0);
	nbd_spec_describe(&s, buf, sizeof(buf));
	assert_string_equal(buf, "[fd00::1]:99/exp");
	assert_int_equal(nbd_spec_parse("dracut", "h:10809", &s, err, sizeof(err)), 0);
	nbd_spec_describe(&s, buf, sizeof(buf));
	assert_string_equal(buf, "h:10809/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
