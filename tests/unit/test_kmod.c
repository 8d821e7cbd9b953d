/* Table tests for kmod/kmod.c: index parsers (with malformed lines), alias globs, load order
 * with dependencies, soft dependencies, aliases and parameters, and coldplug on a fake sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "kmod/kmod.h"

#define FIXTURES "tests/unit/fixtures/kmod"

/* Rows name only the fields they need. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- recording hooks -------------------------------------------------------------------- */

struct rec {
	char order[2048];	/* "name name ..." in insertion order */
	char params[2048];	/* "name[params] ..." for modules that got parameters */
	const char *fail_name;	/* insert fails for this module ... */
	int fail_rc;		/* ... with this */
	const char *sysfs;	/* coldplug: where to create devices */
	unsigned calls;
	unsigned warnings, malformed;
};

static void basename_noext(const char *path, char *out, size_t outlen)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strcspn(b, ".");
	snprintf(out, outlen, "%.*s", (int)n, b);
	for (; *out; out++)
		if (*out == '-')
			*out = '_';
}

static void mkfile(const char *path, const char *text)
{
	char tmp[1024], *p;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(tmp, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int rec_insert(void *ctx, const char *path, const char *params)
{
	struct rec *r = ctx;
	char name[128], p[1024];

	r->calls++;
	basename_noext(path, name, sizeof(name));
	if (r->fail_name && !strcmp(name, r->fail_name))
		return r->fail_rc;
	/* virtio_pci "creates" two virtio devices, as the real one does on probe. */
	if (r->sysfs && !strcmp(name, "virtio_pci")) {
		snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0/virtio0/modalias", r->sysfs);
		mkfile(p, "virtio:d00000001v00001AF4\n");
		snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:04.0/virtio1/modalias", r->sysfs);
		mkfile(p, "virtio:d00000002v00001AF4\n");
	}
	snprintf(r->order + strlen(r->order), sizeof(r->order) - strlen(r->order), "%s%s",
		 r->order[0] ? " " : "", name);
	if (params[0])
		snprintf(r->params + strlen(r->params), sizeof(r->params) - strlen(r->params),
			 "%s%s[%s]", r->params[0] ? " " : "", name, params);
	return 0;
}

static void rec_event(void *ctx, int level, const char *msg)
{
	struct rec *r = ctx;

	assert_non_null(msg);
	assert_null(strchr(msg, '\n'));
	if (level == EV_WARN)
		r->warnings++;
	if (strstr(msg, "malformed"))
		r->malformed++;
}

/* ---- parsers ------------------------------------------------------------------------------ */

struct parse_row {
	enum kmod_index which;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	int bad;		/* malformed lines expected */
	const char *load;	/* then load this (NULL: skip) ... */
	int load_rc;		/* ... expecting this rc ... */
	const char *order;	/* ... and this insertion order */
};

/* A context holding a fixed modules.dep, plus the row's text for its index. */
static const char base_dep[] =
	"kernel/a.ko: kernel/b.ko kernel/c-c.ko\n"
	"kernel/b.ko: kernel/c-c.ko\n"
	"kernel/c-c.ko:\n"
	"kernel/d.ko:\n";

static void check_parse(const char *file, int line, const struct parse_row *r)
{
	struct kmod_ctx *k;
	struct rec rec = { 0 };
	size_t len = r->len ? r->len : strlen(r->text);
	int rc;

	assert_int_equal(kmod_open(&k, NULL, NULL, 0, rec_event, &rec), 0);
	kmod_set_hooks(k, "/nonexistent-sysfs", rec_insert, &rec);
	if (r->which != KMOD_INDEX_DEP)
		assert_int_equal(kmod_parse_index(k, KMOD_INDEX_DEP, base_dep, strlen(base_dep)), 0);
	rc = kmod_parse_index(k, r->which, r->text, len);
	if (rc != r->bad)
		fail_msg("%s:%d: parse returned %d, expected %d malformed", file, line, rc, r->bad);
	if (rec.malformed != (unsigned)r->bad)
		fail_msg("%s:%d: %u malformed events, expected %d", file, line, rec.malformed, r->bad);
	if (r->load) {
		rc = kmod_load(k, r->load);
		if (rc != r->load_rc || strcmp(rec.order, r->order))
			fail_msg("%s:%d: load %s: rc %d order '%s'; expected rc %d order '%s'", file, line,
				 r->load, rc, rec.order, r->load_rc, r->order);
	}
	kmod_close(k);
}

#define PARSE(...) check_parse(__FILE__, __LINE__, &(const struct parse_row){ __VA_ARGS__ })

static void test_parsers(void **state)
{
	(void)state;
	/* modules.dep */
	PARSE(KMOD_INDEX_DEP, base_dep, 0, 0, "a", 0, "c_c b a");
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko: kernel/y.ko\nkernel/y.ko:", 0, 0, "x", 0, "y x");
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko:\r\nkernel/y.ko: kernel/x.ko\r\n", 0, 0, "y", 0, "x y");
	PARSE(KMOD_INDEX_DEP, "# only a comment\n\n   \n", 0, 0, "x", -ENOENT, "");
	PARSE(KMOD_INDEX_DEP, "no colon here\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, "kernel/x.txt:\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, ".ko:\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko: kernel/y\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko kernel/z.ko:\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, ":\n:::\n", 0, 2, NULL);
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko:\0 kernel/y.ko\nkernel/y.ko:\n", 39, 1, "y", 0, "y");
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko: kernel/ghost.ko\n", 0, 0, "x", -ENOENT, "");
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko.zst:\n", 0, 0, "x", 0, "x");
	PARSE(KMOD_INDEX_DEP, "kernel/x.kobj:\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_DEP, "kernel/x.ko:\nkernel/other/x.ko: kernel/ghost.ko\n", 0, 0, "x", 0, "x");
	/* modules.alias */
	PARSE(KMOD_INDEX_ALIAS, "alias fs-a a\n", 0, 0, "fs-a", 0, "c_c b a");
	PARSE(KMOD_INDEX_ALIAS, "alias fs_a a\n", 0, 0, "fs-a", 0, "c_c b a");
	PARSE(KMOD_INDEX_ALIAS, "alias pci:v1234d* d\n", 0, 0, "pci:v1234d0001", 0, "d");
	PARSE(KMOD_INDEX_ALIAS, "alias two d\nalias two b\n", 0, 0, "two", 0, "d c_c b");
	PARSE(KMOD_INDEX_ALIAS, "alias ghost nomod\n", 0, 0, "ghost", -ENOENT, "");
	PARSE(KMOD_INDEX_ALIAS, "alias onlyone\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_ALIAS, "alias a b c\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_ALIAS, "options a x=1\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_ALIAS, "alias\n\talias\tx\td\t\n", 0, 1, "x", 0, "d");
	/* modules.softdep */
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a pre: d\n", 0, 0, "a", 0, "d c_c b a");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a post: d\n", 0, 0, "a", 0, "c_c b a d");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a pre: d post: c-c\n", 0, 0, "a", 0, "d c_c b a");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a pre: nothing\n", 0, 0, "a", 0, "c_c b a");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a d\n", 0, 0, "a", 0, "c_c b a");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep a pre: a\n", 0, 0, "a", 0, "c_c b a");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep d pre: a\nsoftdep a pre: d\n", 0, 0, "d", 0, "c_c b a d");
	PARSE(KMOD_INDEX_SOFTDEP, "softdep\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_SOFTDEP, "softdep pre: a\n", 0, 1, NULL);
	PARSE(KMOD_INDEX_SOFTDEP, "soft a pre: b\n", 0, 1, NULL);
	/* modules.builtin */
	PARSE(KMOD_INDEX_BUILTIN, "kernel/net/bi.ko\n", 0, 0, "bi", 0, "");
	PARSE(KMOD_INDEX_BUILTIN, "kernel/net/b.ko\n", 0, 0, "b", 0, "c_c b");	/* modules.dep wins */
	PARSE(KMOD_INDEX_BUILTIN, "kernel/net/bi\nx y\n", 0, 2, NULL);
}

/* ---- glob ---------------------------------------------------------------------------------- */

struct glob_row {
	const char *pattern, *str;
	int match;
};

static void check_glob(const char *file, int line, const struct glob_row *r)
{
	int m = kmod_glob_match(r->pattern, r->str);

	if (m != r->match)
		fail_msg("%s:%d: glob '%s' vs '%s': %d, expected %d", file, line, r->pattern, r->str, m,
			 r->match);
}

#define GLOB(...) check_glob(__FILE__, __LINE__, &(const struct glob_row){ __VA_ARGS__ })

static void test_glob(void **state)
{
	(void)state;
	GLOB("abc", "abc", 1);
	GLOB("abc", "abcd", 0);
	GLOB("abcd", "abc", 0);
	GLOB("", "", 1);
	GLOB("", "a", 0);
	GLOB("*", "", 1);
	GLOB("*", "anything", 1);
	GLOB("a*", "a", 1);
	GLOB("*c", "abc", 1);
	GLOB("*c", "abd", 0);
	GLOB("a?c", "abc", 1);
	GLOB("a?c", "ac", 0);
	GLOB("a*b*c", "axxbyyc", 1);
	GLOB("a*b*c", "axxbyy", 0);
	GLOB("pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", 1);
	GLOB("pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Fsv00001AF4sd00001100bc02sc00i00", 0);
	GLOB("pci:v*d*sv*sd*bc01sc06i01*", "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01", 1);
	GLOB("usb:v*p*d*dc*dsc*dp*ic08isc06ip50in*", "usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00", 1);
	GLOB("[abc]x", "bx", 1);
	GLOB("[abc]x", "dx", 0);
	GLOB("[a-c]x", "cx", 1);
	GLOB("[!a-c]x", "cx", 0);
	GLOB("[!a-c]x", "dx", 1);
	GLOB("[^a]", "b", 1);
	GLOB("[]]", "]", 1);
	GLOB("[]a]", "a", 1);
	GLOB("[!]]", "]", 0);
	GLOB("[a-]", "-", 1);
	GLOB("[0-9]*", "7up", 1);
	GLOB("[", "[", 1);
	GLOB("[abc", "[abc", 1);
	GLOB("[abc", "a", 0);
	GLOB("a\\*", "a*", 1);
	GLOB("a\\*", "ab", 0);
	GLOB("a\\", "a\\", 1);
	GLOB("[\\]]", "]", 1);
	GLOB("***a***", "a", 1);
	GLOB("*?", "", 0);
	GLOB("*?", "x", 1);
	GLOB("?*?", "x", 0);
	GLOB("\xff*", "\xff\x01", 1);
	/* A pattern that is exponential for naive backtracking must still be fast. */
	GLOB("*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0);
	GLOB(NULL, "a", 0);
	GLOB("a", NULL, 0);
}

/* ---- loading from the fixture directory ---------------------------------------------------- */

struct load_row {
	const char *name;
	int rc;
	const char *order;
	const char *live;	/* space-separated modules that /sys/module already shows */
	const char *fail_name;	/* insert fails for this one ... */
	int fail_rc;		/* ... with this rc */
	const char *params;	/* expected "name[params]" record, NULL: none */
};

static const char *const cmdline_params[] = {
	"ext4.errors=remount-ro", "jbd2.msg=two words", "virtio-net.napi_tx=1", "virtio_net.flag",
	"e1000.debug=16", "bogus", ".x=1", "mod.=1", "a=b.c", "rd.live.image=1",
};

static char *make_sysfs(const char *live)
{
	char tmpl[] = "/tmp/kmodtest.XXXXXX", p[512], *dir = mkdtemp(tmpl), *copy, *tok, *save;

	assert_non_null(dir);
	dir = strdup(dir);
	snprintf(p, sizeof(p), "%s/module", dir);
	mkdir(p, 0755);
	if (live) {
		copy = strdup(live);
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			snprintf(p, sizeof(p), "%s/module/%s", dir, tok);
			mkdir(p, 0755);
		}
		free(copy);
	}
	return dir;
}

static void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void check_load(const char *file, int line, const struct load_row *r)
{
	struct kmod_ctx *k;
	struct rec rec = { .fail_name = r->fail_name, .fail_rc = r->fail_rc };
	char *sysfs = make_sysfs(r->live);
	unsigned calls;
	int rc;

	rc = kmod_open(&k, FIXTURES, cmdline_params, sizeof(cmdline_params) / sizeof(cmdline_params[0]),
		       rec_event, &rec);
	if (rc)
		fail_msg("%s:%d: kmod_open(%s): %d (run from the repository root)", file, line, FIXTURES, rc);
	kmod_set_hooks(k, sysfs, rec_insert, &rec);
	rc = kmod_load(k, r->name);
	if (rc != r->rc || strcmp(rec.order, r->order))
		fail_msg("%s:%d: load %s: rc %d order '%s'; expected rc %d order '%s'", file, line,
			 r->name, rc, rec.order, r->rc, r->order);
	if (strcmp(rec.params, r->params ? r->params : ""))
		fail_msg("%s:%d: load %s: params '%s', expected '%s'", file, line, r->name, rec.params,
			 r->params ? r->params : "");
	/* Loading again never inserts anything new and gives the same answer. */
	calls = rec.calls;
	rc = kmod_load(k, r->name);
	if (rc != r->rc || rec.calls != calls)
		fail_msg("%s:%d: second load %s: rc %d, %u more inserts", file, line, r->name, rc,
			 rec.calls - calls);
	kmod_close(k);
	rm_rf(sysfs);
	free(sysfs);
}

#define LOAD(...) check_load(__FILE__, __LINE__, &(const struct load_row){ __VA_ARGS__ })

static void test_load(void **state)
{
	(void)state;
	LOAD("ext4", 0, "crc32c_intel crc32c_generic crc16 mbcache jbd2 ext4",
	     .params = "jbd2[msg=\"two words\"] ext4[errors=remount-ro]");
	LOAD("fs-ext4", 0, "crc32c_intel crc32c_generic crc16 mbcache jbd2 ext4",
	     .params = "jbd2[msg=\"two words\"] ext4[errors=remount-ro]");
	LOAD("ext4", 0, "crc32c_intel crc32c_generic crc16 jbd2 ext4", .live = "mbcache",
	     .params = "jbd2[msg=\"two words\"] ext4[errors=remount-ro]");
	LOAD("ext4", 0, "", .live = "ext4");
	LOAD("crypto-crc32c", 0, "crc32c_intel crc32c_generic");
	LOAD("crypto_crc32c", 0, "crc32c_intel crc32c_generic");
	LOAD("crypto-crc32c", 0, "crc32c_generic", .fail_name = "crc32c_intel", .fail_rc = -ENODEV);
	LOAD("crc32c-intel", -ENODEV, "", .fail_name = "crc32c_intel", .fail_rc = -ENODEV);
	LOAD("crc32c-intel", 0, "", .fail_name = "crc32c_intel", .fail_rc = -EEXIST);
	LOAD("virtio-net", 0, "virtio virtio_ring failover net_failover virtio_net e1000",
	     .params = "virtio_net[napi_tx=1 flag] e1000[debug=16]");
	LOAD("virtio_net", -ENOENT, "virtio virtio_ring", .fail_name = "failover", .fail_rc = -ENOENT);
	LOAD("virtio_blk", 0, "virtio virtio_ring virtio_blk");
	LOAD("af_packet", 0, "");
	LOAD("net-pf-17", 0, "");
	LOAD("nosuch", -ENOENT, "");
	LOAD("nosuchmodule_alias", -ENOENT, "");
	LOAD("needs_missing", -ENOENT, "");
	LOAD("xfs", 0, "libcrc32c xfs");
	LOAD("cycle_a", 0, "cycle_b cycle_a");
	LOAD("dep_on_builtin", 0, "dep_on_builtin");
	LOAD("spaced", 0, "e1000 spaced", .params = "e1000[debug=16]");
	LOAD("dev-7-x", 0, "e1000", .params = "e1000[debug=16]");
	LOAD("dev-x-x", -ENOENT, "");
	LOAD("ext4", -EPERM, "crc32c_intel crc32c_generic crc16 mbcache", .fail_name = "jbd2",
	     .fail_rc = -EPERM);
	LOAD("", -EINVAL, "");
	LOAD("..", -ENOENT, "");
	LOAD("../../etc", -ENOENT, "");
}

static void test_fixture_malformed(void **state)
{
	struct kmod_ctx *k;
	struct rec rec = { 0 };

	(void)state;
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, rec_event, &rec), 0);
	/* 5 in modules.dep, 3 in modules.alias, 3 in modules.softdep, 1 in modules.builtin */
	assert_int_equal(rec.malformed, 12);
	kmod_close(k);
	assert_int_equal(kmod_open(&k, "/nonexistent-moddir", NULL, 0, NULL, NULL), -ENOENT);
	assert_null(k);
	assert_int_equal(kmod_open(NULL, NULL, NULL, 0, NULL, NULL), -EINVAL);
	assert_int_equal(kmod_load(NULL, "x"), -EINVAL);
	kmod_close(NULL);
}

/* ---- coldplug -------------------------------------------------------------------------- */

static void test_coldplug(void **state)
{
	struct kmod_ctx *k;
	struct rec rec = { 0 };
	char *sysfs = make_sysfs(NULL), p[600];
	unsigned n = 99;

	(void)state;
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0/modalias", sysfs);
	mkfile(p, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n");
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:02.0/modalias", sysfs);
	mkfile(p, "pci:v00008086d0000100Esv00008086sd0000001Ebc02sc00i00\n");
	snprintf(p, sizeof(p), "%s/devices/platform/serial8250/modalias", sysfs);
	mkfile(p, "platform:serial8250\n");
	snprintf(p, sizeof(p), "%s/devices/empty/modalias", sysfs);
	mkfile(p, "");
	/* A symlink loop must not be followed. */
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/loop", sysfs);
	assert_int_equal(symlink("..", p), 0);
	rec.sysfs = sysfs;
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, rec_event, &rec), 0);
	kmod_set_hooks(k, sysfs, rec_insert, &rec);
	assert_int_equal(kmod_coldplug(k, &n), 0);
	/* virtio_pci's devices appear only after it loads: a second pass picks them up. */
	if (!strstr(rec.order, "virtio_pci") || !strstr(rec.order, "e1000") ||
	    !strstr(rec.order, "virtio_net") || !strstr(rec.order, "virtio_blk") ||
	    strstr(rec.order, "ext4"))
		fail_msg("coldplug order '%s'", rec.order);
	assert_int_equal(n, 8);	/* virtio virtio_ring virtio_pci e1000 failover net_failover virtio_net virtio_blk */
	/* Nothing new the second time. */
	assert_int_equal(kmod_coldplug(k, &n), 0);
	assert_int_equal(n, 0);
	kmod_close(k);

	/* No /sys/devices at all: an error, not a crash. */
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, NULL, NULL), 0);
	kmod_set_hooks(k, "/nonexistent-sysfs", rec_insert, &rec);
	assert_int_equal(kmod_coldplug(k, NULL), -ENOENT);
	kmod_close(k);
	rm_rf(sysfs);
	free(sysfs);
}

/* rd.driver.blacklist= / modprobe.blacklist=: aliases of a blacklisted module are ignored
 * (coldplug and loads by alias), loads by name still insert it, as modprobe's blacklist. */
static void test_blacklist(void **state)
{
	struct kmod_ctx *k;
	struct rec rec = { 0 };
	char *sysfs = make_sysfs(NULL), p[600];
	unsigned n = 99;

	(void)state;
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0/modalias", sysfs);
	mkfile(p, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n");
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:02.0/modalias", sysfs);
	mkfile(p, "pci:v00008086d0000100Esv00008086sd0000001Ebc02sc00i00\n");
	rec.sysfs = sysfs;
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, rec_event, &rec), 0);
	kmod_set_hooks(k, sysfs, rec_insert, &rec);
	assert_int_equal(kmod_blacklist(k, "virtio-net"), 0);	/* '-' and '_' are the same */
	assert_int_equal(kmod_blacklist(k, "virtio_net"), 0);	/* twice is fine */
	assert_int_equal(kmod_blacklist(k, ""), -EINVAL);
	assert_int_equal(kmod_coldplug(k, &n), 0);
	if (!strstr(rec.order, "virtio_pci") || !strstr(rec.order, "e1000") || !strstr(rec.order, "virtio_blk") ||
	    strstr(rec.order, "virtio_net"))
		fail_msg("coldplug with virtio_net blacklisted: order '%s'", rec.order);
	/* by name it still loads */
	assert_int_equal(kmod_load(k, "virtio_net"), 0);
	assert_non_null(strstr(rec.order, "virtio_net"));
	kmod_close(k);

	/* a load by an alias only the blacklisted module serves: -EPERM, nothing inserted */
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, rec_event, &rec), 0);
	kmod_set_hooks(k, sysfs, rec_insert, &rec);
	assert_int_equal(kmod_blacklist(k, "ext4"), 0);
	assert_int_equal(kmod_load(k, "fs-ext4"), -EPERM);
	assert_string_equal(rec.order, "");
	kmod_close(k);
	rm_rf(sysfs);
	free(sysfs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_fixture_malformed),
		cmocka_unit_test(test_coldplug),
		cmocka_unit_test(test_blacklist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
