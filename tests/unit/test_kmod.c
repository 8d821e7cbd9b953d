/* Table tests for kmod/kmod.c: index parsers (with malformed lines), alias globs, load order
 * with dependencies, soft dependencies, aliases and parameters, and coldplug on a fake sysfs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "kmod/kmod.h"
#include <lzma.h>
#include <zstd.h>

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


/* ---- hardware classes ------------------------------------------------------------------ */

struct class_row {
	const char *modalias;
	unsigned cls;
};

static void check_class(const char *file, int line, const struct class_row *r)
{
	unsigned c = kmod_modalias_class(r->modalias);

	if (c != r->cls)
		fail_msg("%s:%d: class of '%s' is %#x, expected %#x", file, line, r->modalias ? r->modalias : "(null)",
			 c, r->cls);
}

#define CLASS(...) check_class(__FILE__, __LINE__, &(struct class_row){ __VA_ARGS__ })

static void test_classes(void **state)
{
	(void)state;
	CLASS("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", KMOD_CLASS_NET);	/* virtio-net */
	CLASS("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00", KMOD_CLASS_NET);	/* e1000e */
	CLASS("pci:v000015B3d00001017sv000015B3sd00000020bc02sc00i00", KMOD_CLASS_NET);	/* mlx5 */
	CLASS("pci:v000015B3d00001003sv*sd*bc0Csc06i00", KMOD_CLASS_NET);		/* InfiniBand */
	CLASS("pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80", KMOD_CLASS_STORAGE);	/* PIIX IDE */
	CLASS("pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01", KMOD_CLASS_STORAGE);	/* AHCI */
	CLASS("pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02", KMOD_CLASS_STORAGE);	/* NVMe */
	CLASS("pci:v00001000d00000097sv*sd*bc01sc07i00", KMOD_CLASS_STORAGE);		/* SAS HBA */
	CLASS("pci:v00008086d00001E31sv*sd*bc0Csc03i30", KMOD_CLASS_STORAGE);		/* xHCI: USB sticks */
	CLASS("pci:v00001077d00002031sv*sd*bc0Csc04i00", KMOD_CLASS_STORAGE);		/* Fibre Channel */
	CLASS("pci:v00001217d00008621sv*sd*bc08sc05i01", KMOD_CLASS_STORAGE);		/* SD host */
	CLASS("pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00", KMOD_CLASS_OTHER);	/* VGA */
	CLASS("pci:v00008086d00007020sv*sd*bc0Csc03", KMOD_CLASS_STORAGE);		/* lower-case irrelevant, no i */
	CLASS("pci:v00008086d00007020sv*sd*bczzsc03i00", KMOD_CLASS_OTHER);		/* not hex */
	CLASS("pci:v00008086d00007020", KMOD_CLASS_OTHER);				/* no class at all */
	CLASS("virtio:d00000001v00001AF4", KMOD_CLASS_NET);
	CLASS("virtio:d00000002v00001AF4", KMOD_CLASS_STORAGE);
	CLASS("virtio:d00000008v00001AF4", KMOD_CLASS_STORAGE);
	CLASS("virtio:d00000004v00001AF4", KMOD_CLASS_OTHER);	/* rng */
	CLASS("virtio:d0001v00001AF4", KMOD_CLASS_OTHER);	/* short id */
	CLASS("virtio:x", KMOD_CLASS_OTHER);
	CLASS("scsi:t-0x00", KMOD_CLASS_STORAGE);
	CLASS("scsi:t-0x05", KMOD_CLASS_STORAGE);
	CLASS("mdio:00000000000111001100100000010110", KMOD_CLASS_NET);
	CLASS("xen:vif", KMOD_CLASS_NET);
	CLASS("xen:vbd", KMOD_CLASS_STORAGE);
	CLASS("xen:console", KMOD_CLASS_OTHER);
	CLASS("usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00", KMOD_CLASS_STORAGE);
	CLASS("usb:v0BDAp8153d3000dc00dsc00dp00ic02isc06ip00in00", KMOD_CLASS_NET);
	CLASS("usb:v046Dp C52Bd1201dc00dsc00dp00ic03isc01ip01in00", KMOD_CLASS_OTHER);	/* keyboard */
	CLASS("cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0001", KMOD_CLASS_CPU);
	CLASS("x86cpu:vendor:0000:family:0006:model:003F:feature:,0000", KMOD_CLASS_CPU);
	CLASS("platform:serial8250", KMOD_CLASS_OTHER);
	CLASS("acpi:PNP0A03:", KMOD_CLASS_OTHER);
	CLASS("pcix:v1", KMOD_CLASS_OTHER);	/* "pci" is a bus only up to the ':' */
	CLASS("", KMOD_CLASS_OTHER);
	CLASS(NULL, 0);
}

/* Coldplug loads drivers only for the classes asked for; CPU-feature modules only with CPU. */
static void test_coldplug_classes(void **state)
{
	static const struct {
		unsigned classes;
		const char *want;	/* modules inserted, sorted by the check below */
		const char *never;	/* ... and one that must not be */
	} rows[] = {
		{ KMOD_CLASS_ALL, "crc32c_intel e1000 virtio_blk virtio_net virtio_pci", NULL },
		{ KMOD_CLASS_ALL & ~KMOD_CLASS_CPU, "e1000 virtio_blk virtio_net virtio_pci", "crc32c_intel" },
		{ KMOD_CLASS_NET | KMOD_CLASS_OTHER, "e1000 virtio_net virtio_pci", "virtio_blk" },
		{ KMOD_CLASS_STORAGE | KMOD_CLASS_OTHER, "", "virtio_pci" },	/* its pci device is a NIC */
		{ KMOD_CLASS_OTHER, "", "e1000" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct kmod_ctx *k;
		struct rec rec = { 0 };
		char *sysfs = make_sysfs(NULL), p[600];
		const char *w;
		unsigned n = 99;

		snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0/modalias", sysfs);
		mkfile(p, "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n");
		snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:02.0/modalias", sysfs);
		mkfile(p, "pci:v00008086d0000100Esv00008086sd0000001Ebc02sc00i00\n");
		snprintf(p, sizeof(p), "%s/devices/system/cpu/cpu0/modalias", sysfs);
		mkfile(p, "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0001,0094\n");
		/* never walked: nothing under devices/virtual has a modalias */
		snprintf(p, sizeof(p), "%s/devices/virtual/misc/x/modalias", sysfs);
		mkfile(p, "dev-7-x\n");	/* (e1000's alias in the fixture: the OTHER row would load it) */
		/* nor under a device's power/ group (not a device): the same alias */
		snprintf(p, sizeof(p), "%s/devices/platform/serial8250/power/modalias", sysfs);
		mkfile(p, "dev-7-x\n");
		rec.sysfs = sysfs;
		assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, rec_event, &rec), 0);
		kmod_set_hooks(k, sysfs, rec_insert, &rec);
		assert_int_equal(kmod_set_classes(k, rows[i].classes), 0);
		assert_int_equal(kmod_coldplug(k, &n), 0);
		for (w = rows[i].want; *w;) {
			char name[64];
			size_t l = strcspn(w, " ");

			snprintf(name, sizeof(name), " %.*s ", (int)l, w);
			{
				char padded[2100];

				snprintf(padded, sizeof(padded), " %s ", rec.order);
				if (!strstr(padded, name))
					fail_msg("classes %#x: '%s' not loaded (order '%s')", rows[i].classes, name, rec.order);
			}
			w += l;
			while (*w == ' ')
				w++;
		}
		if (rows[i].never && strstr(rec.order, rows[i].never))
			fail_msg("classes %#x: %s loaded (order '%s')", rows[i].classes, rows[i].never, rec.order);
		if (!rows[i].want[0] && (n || rec.order[0]))
			fail_msg("classes %#x: %u loaded (order '%s'), expected none", rows[i].classes, n, rec.order);
		kmod_close(k);
		rm_rf(sysfs);
		free(sysfs);
	}
}

/* ---- parallel batches ------------------------------------------------------------------- */

/* An insert hook for several threads: it checks that every module's dependencies (and
 * pre: soft dependencies) were inserted before it, and counts how many run at once. */
struct prec {
	pthread_mutex_t lock;
	char done[2048];
	unsigned running, max_running, calls;
	const char *bad;	/* the first module inserted before what it needs */
	const char *fail_name;
};

static const struct {
	const char *mod, *needs;
} needs[] = {
	{ "ext4", " jbd2 mbcache crc16 crc32c_generic crc32c_intel " },
	{ "jbd2", " crc32c_generic crc32c_intel " },
	{ "virtio_pci", " virtio_ring virtio " },
	{ "virtio_net", " net_failover failover virtio_ring virtio " },
	{ "net_failover", " failover " },
	{ "virtio_blk", " virtio_ring virtio " },
	{ "e1000", " virtio_net " },	/* a post: soft dependency of virtio_net */
	{ "xfs", " libcrc32c " },
};

static int par_insert(void *ctx, const char *path, const char *params)
{
	struct prec *r = ctx;
	char name[128], padded[2100];
	size_t i;

	(void)params;
	basename_noext(path, name, sizeof(name));
	pthread_mutex_lock(&r->lock);
	r->calls++;
	snprintf(padded, sizeof(padded), " %s ", r->done);
	for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		const char *n;

		if (strcmp(needs[i].mod, name))
			continue;
		for (n = needs[i].needs; *n;) {
			char one[64];
			size_t l;

			while (*n == ' ')
				n++;
			l = strcspn(n, " ");
			if (!l)
				break;
			snprintf(one, sizeof(one), " %.*s ", (int)l, n);
			if (!strstr(padded, one) && !r->bad)
				r->bad = strdup(name);
			n += l;
		}
	}
	if (++r->running > r->max_running)
		r->max_running = r->running;
	pthread_mutex_unlock(&r->lock);
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000L }, NULL);	/* a module's init that waits */
	pthread_mutex_lock(&r->lock);
	r->running--;
	if (r->fail_name && !strcmp(name, r->fail_name)) {
		pthread_mutex_unlock(&r->lock);
		return -ENODEV;
	}
	snprintf(r->done + strlen(r->done), sizeof(r->done) - strlen(r->done), "%s%s", r->done[0] ? " " : "", name);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void test_parallel(void **state)
{
	static const char *const names[] = { "ext4", "virtio_net", "virtio_blk", "xfs", "virtio_pci" };
	struct kmod_ctx *k;
	struct prec r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	char *sysfs = make_sysfs(NULL);
	int rcs[5];
	unsigned jobs;

	(void)state;
	for (jobs = 1; jobs <= 8; jobs *= 8) {
		memset(r.done, 0, sizeof(r.done));
		r.calls = r.max_running = 0;
		r.bad = NULL;
		r.fail_name = NULL;
		assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, NULL, NULL), 0);
		kmod_set_hooks(k, sysfs, par_insert, &r);
		assert_int_equal(kmod_set_jobs(k, jobs), 0);
		assert_int_equal(kmod_load_list(k, names, 5, 0, rcs), 0);
		assert_int_equal(rcs[0] | rcs[1] | rcs[2] | rcs[3] | rcs[4], 0);
		if (r.bad)
			fail_msg("jobs %u: %s inserted before what it needs (order '%s')", jobs, r.bad, r.done);
		assert_int_equal(r.calls, 16);	/* 16 modules, each once */
		if (jobs == 1)
			assert_int_equal(r.max_running, 1);
		else if (r.max_running < 2)
			fail_msg("jobs %u: never more than one insert at a time (order '%s')", jobs, r.done);
		kmod_close(k);
	}

	/* A failed dependency fails its users without inserting them; the others go on. */
	memset(r.done, 0, sizeof(r.done));
	r.calls = 0;
	r.bad = NULL;
	r.fail_name = "failover";
	assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, NULL, NULL), 0);
	kmod_set_hooks(k, sysfs, par_insert, &r);
	kmod_set_jobs(k, 4);
	assert_int_equal(kmod_load_list(k, names, 5, 0, rcs), 1);
	assert_int_equal(rcs[0], 0);
	assert_int_equal(rcs[1], -ENODEV);
	assert_int_equal(rcs[2], 0);
	assert_null(strstr(r.done, "net_failover"));
	assert_null(strstr(r.done, "virtio_net"));
	assert_null(strstr(r.done, "e1000"));	/* the post: soft dependency of the failed one */
	kmod_close(k);

	/* In the background: the next call waits for it; names nothing serves are quiet. */
	{
		static const char *const bg[] = { "ext4", "no_such_module", "xfs" };

		memset(r.done, 0, sizeof(r.done));
		r.calls = 0;
		r.fail_name = NULL;
		assert_int_equal(kmod_open(&k, FIXTURES, NULL, 0, NULL, NULL), 0);
		kmod_set_hooks(k, sysfs, par_insert, &r);
		kmod_set_jobs(k, 4);
		assert_int_equal(kmod_load_background(k, bg, 3), 0);
		assert_int_equal(kmod_load(k, "ext4"), 0);	/* waited: nothing inserted twice */
		pthread_mutex_lock(&r.lock);
		assert_int_equal(r.calls, 8);
		pthread_mutex_unlock(&r.lock);
		assert_int_equal(kmod_load_background(k, bg, 3), 0);	/* all loaded: nothing to do */
		kmod_close(k);	/* joins */
		assert_int_equal(r.calls, 8);
	}
	rm_rf(sysfs);
	free(sysfs);
}

/* ---- compressed modules --------------------------------------------------------------- */

static void write_bytes(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	fclose(f);
}

static void expect_module(const char *path, const unsigned char *want, size_t wantlen, int rc_want)
{
	unsigned char *b = NULL;
	size_t n = 0;
	int rc = kmod_read_module(path, &b, &n);

	if (rc != rc_want)
		fail_msg("%s: rc %d, expected %d", path, rc, rc_want);
	if (!rc && (n != wantlen || memcmp(b, want, n)))
		fail_msg("%s: %zu bytes back, expected %zu identical ones", path, n, wantlen);
	free(b);
}

static void test_compressed(void **state)
{
	char tmpl[] = "/tmp/kmodz.XXXXXX", *dir = mkdtemp(tmpl), p[600];
	size_t n = 300000, i, zl, xl = 0;
	unsigned char *raw = malloc(n), *z, *x;
	ZSTD_CCtx *cc;

	(void)state;
	assert_non_null(dir);
	for (i = 0; i < n; i++)	/* half compressible, like a module */
		raw[i] = i % 2 ? (unsigned char)(i * 2654435761u >> 13) : (unsigned char)(i / 1000);
	z = malloc(ZSTD_compressBound(n));
	x = malloc(n + n / 2 + 65536);
	zl = ZSTD_compress(z, ZSTD_compressBound(n), raw, n, 3);
	assert_false(ZSTD_isError(zl));
	snprintf(p, sizeof(p), "%s/a.ko.zst", dir);
	write_bytes(p, z, zl);
	expect_module(p, raw, n, 0);
	/* a frame without its content size (streamed): the buffer grows; with a checksum, as
	 * the zstd command writes them */
	cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	zl = ZSTD_compress2(cc, z, ZSTD_compressBound(n), raw, n);
	ZSTD_freeCCtx(cc);
	assert_false(ZSTD_isError(zl));
	assert_int_equal(ZSTD_getFrameContentSize(z, zl), ZSTD_CONTENTSIZE_UNKNOWN);
	snprintf(p, sizeof(p), "%s/b.ko.zst", dir);
	write_bytes(p, z, zl);
	expect_module(p, raw, n, 0);
	/* corrupt: the middle of the frame overwritten (the checksum sees it) */
	memset(z + zl / 2, 0x55, 64);
	snprintf(p, sizeof(p), "%s/c.ko.zst", dir);
	write_bytes(p, z, zl);
	expect_module(p, raw, n, -EBADMSG);
	snprintf(p, sizeof(p), "%s/d.ko.zst", dir);
	write_bytes(p, "not zstd", 8);
	expect_module(p, raw, n, -EBADMSG);
	/* xz (Debian's later kernels ship .ko.xz) */
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, raw, n, x, &xl, n + n / 2 + 65536), LZMA_OK);
	snprintf(p, sizeof(p), "%s/e.ko.xz", dir);
	write_bytes(p, x, xl);
	expect_module(p, raw, n, 0);
	snprintf(p, sizeof(p), "%s/f.ko.xz", dir);
	write_bytes(p, x, xl / 2);	/* cut short */
	expect_module(p, raw, n, -EBADMSG);
	/* plain: as it is */
	snprintf(p, sizeof(p), "%s/g.ko", dir);
	write_bytes(p, raw, n);
	expect_module(p, raw, n, 0);
	snprintf(p, sizeof(p), "%s/missing.ko.zst", dir);
	expect_module(p, raw, n, -ENOENT);
	assert_int_equal(kmod_read_module(NULL, &z, &zl), -EINVAL);
	free(raw);
	free(z);
	free(x);
	rm_rf(dir);
}

/* ---- releasing the files of modules nothing loads --------------------------------------- */

static void test_release(void **state)
{
	/* modules.dep of a small initramfs: two NIC drivers with a library, a storage driver, a
	 * filesystem, a softdep target, and an alias-less module nothing depends on */
	static const char dep[] =
		"kernel/net/nic_a.ko: kernel/net/nic_lib.ko\n"
		"kernel/net/nic_b.ko: kernel/net/nic_lib.ko\n"
		"kernel/net/nic_lib.ko:\n"
		"kernel/ata/hba.ko: kernel/ata/libhba.ko\n"
		"kernel/ata/libhba.ko:\n"
		"kernel/fs/fsx.ko: kernel/lib/crcx.ko\n"
		"kernel/lib/crcx.ko:\n"
		"kernel/crypto/crc_fast.ko:\n"
		"kernel/block/zram.ko:\n";
	static const char alias[] =
		"alias pci:v00001111d*sv*sd*bc02sc*i* nic_a\n"
		"alias pci:v00002222d*sv*sd*bc02sc*i* nic_b\n"
		"alias pci:v00003333d*sv*sd*bc01sc*i* hba\n"
		"alias fs-fsx fsx\n"
		"alias cpu:type:x86,ven*fam*mod*:feature:*0094* crc_fast\n"
		"alias crypto-crcx crc_fast\n";
	static const char soft[] = "softdep crcx pre: crypto-crcx\n";
	static const char *const files[] = { "net/nic_a", "net/nic_b", "net/nic_lib", "ata/hba", "ata/libhba",
		"fs/fsx", "lib/crcx", "crypto/crc_fast", "block/zram" };
	/* nic_a is loaded (its device is there): nic_b goes, nic_lib stays; the hba and its
	 * library go; the filesystem, its library, the crypto module named by a softdep and an
	 * alias, and zram (no alias, no user: a later stage may ask for it) stay */
	static const char *const gone[] = { "net/nic_b", "ata/hba", "ata/libhba" };
	char tmpl[] = "/tmp/kmodrel.XXXXXX", *dir = mkdtemp(tmpl), p[700], *sysfs = make_sysfs(NULL);
	struct kmod_ctx *k;
	struct rec rec = { 0 };
	unsigned nf = 99;
	uint64_t nb = 0;
	size_t i, j;

	(void)state;
	assert_non_null(dir);
	snprintf(p, sizeof(p), "%s/modules.dep", dir);
	mkfile(p, dep);
	snprintf(p, sizeof(p), "%s/modules.alias", dir);
	mkfile(p, alias);
	snprintf(p, sizeof(p), "%s/modules.softdep", dir);
	mkfile(p, soft);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/kernel/%s.ko", dir, files[i]);
		mkfile(p, "0123456789");
	}
	snprintf(p, sizeof(p), "%s/devices/pci0000:00/0000:00:03.0/modalias", sysfs);
	mkfile(p, "pci:v00001111d00000001sv00000000sd00000000bc02sc00i00\n");
	assert_int_equal(kmod_open(&k, dir, NULL, 0, rec_event, &rec), 0);
	kmod_set_hooks(k, sysfs, rec_insert, &rec);
	assert_int_equal(kmod_coldplug(k, NULL), 0);
	assert_string_equal(rec.order, "nic_lib nic_a");
	assert_int_equal(kmod_release_unused(k, &nf, &nb), 0);
	assert_int_equal(nf, 3);
	assert_int_equal(nb, 30);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct stat st;
		int want_gone = 0;

		for (j = 0; j < sizeof(gone) / sizeof(gone[0]); j++)
			want_gone |= !strcmp(files[i], gone[j]);
		snprintf(p, sizeof(p), "%s/kernel/%s.ko", dir, files[i]);
		if ((stat(p, &st) != 0) != want_gone)
			fail_msg("%s: %s, expected it %s", files[i], want_gone ? "still there" : "unlinked",
				 want_gone ? "unlinked" : "kept");
	}
	/* what stayed still loads; what went is -ENOENT, without an insert attempt */
	assert_int_equal(kmod_load(k, "fs-fsx"), 0);
	assert_int_equal(kmod_load(k, "zram"), 0);
	rec.calls = 0;
	assert_int_equal(kmod_load(k, "hba"), -ENOENT);
	assert_int_equal(rec.calls, 0);
	assert_int_equal(kmod_release_unused(k, &nf, NULL), 0);	/* again: nothing more */
	assert_int_equal(nf, 0);
	kmod_close(k);
	rm_rf(dir);
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
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_coldplug_classes),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
