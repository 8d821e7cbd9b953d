/* Table tests for oci/layer.c: layers built in memory, applied in order into a fresh
 * directory, the result checked entry by entry. Whiteout and opaque semantics,
 * replacement rules, refusals, digest and size checks, and hostile depths (the path
 * limits; opaque markers, whiteouts and replacements deep down or over deep trees).
 * Each layer is applied on a thread started as the registry pull starts its applier
 * (util/thread.h: the same stack size). Built twice: with the host's gcc, glibc and
 * libarchive under ASan+UBSan, and with musl-gcc against build/sysroot, the product's
 * libc and libarchive (musl's nftw and thread stacks differ from glibc's). */
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
#ifdef NETINIT_UNIT_MUSL
#include "tests/unit/minicmocka.h"
#else
#include <cmocka.h>
#endif
#include <archive.h>
#include <archive_entry.h>

#include "oci/layer.h"
#include "crypto/sha256.h"
#include "util/fsutil.h"
#include "util/thread.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* rows name only what they need */

#define MAXE 8
#define MAXL 3

/* One tar entry: 'f' file (data), 'd' directory, 'l' symlink (data = target), 'h' hard link,
 * 'D' a directory entry for each prefix of the path ("a/b": "a", "a/b"). */
struct ent { char type; const char *path, *data; };
struct layer { struct ent e[MAXE]; };
/* After all layers: path and what must be there: "" absent, "d" dir, "l:<target>", else content. */
struct want { const char *path, *is; };

struct row {
	struct layer l[MAXL];
	int rc;                 /* of the last layer applied (earlier ones must succeed) */
	const char *needle;     /* in err when rc != 0 */
	struct want w[MAXE];
};

static size_t make_tar(const struct layer *l, unsigned char *buf, size_t cap)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t used = 0;
	int i;

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < MAXE && l->e[i].type; i++) {
		const struct ent *x = &l->e[i];

		if (x->type == 'D') {
			char *p = strdup(x->path), *s = p;

			assert_non_null(p);
			do {
				s = strchr(s + 1, '/');
				if (s)
					*s = '\0';
				e = archive_entry_new();
				archive_entry_set_pathname(e, p);
				archive_entry_set_mtime(e, 1700000000, 0);
				archive_entry_set_filetype(e, AE_IFDIR);
				archive_entry_set_perm(e, 0755);
				assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
				archive_entry_free(e);
				if (s)
					*s = '/';
			} while (s);
			free(p);
			continue;
		}
		e = archive_entry_new();
		archive_entry_set_pathname(e, x->path);
		archive_entry_set_mtime(e, 1700000000, 0);
		switch (x->type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(x->data ? x->data : ""));
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, x->data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, x->data);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (x->type == 'f' && x->data && *x->data)
			archive_write_data(a, x->data, strlen(x->data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

struct memsrc { const unsigned char *p; size_t left; };

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
	struct memsrc *m = ctx;

	if (len > m->left)
		len = m->left;
	if (len > 1000)
		len = 1000; /* small reads: the applier must not care */
	memcpy(buf, m->p, len);
	m->p += len;
	m->left -= len;
	return (ssize_t)len;
}

static void desc_for(struct oci_desc *d, const unsigned char *buf, size_t len)
{
	struct sha256 h;

	memset(d, 0, sizeof(*d));
	strcpy(d->media_type, OCI_MT_LAYER_GZ);
	strcpy(d->digest, "sha256:test");
	sha256_init(&h);
	sha256_update(&h, buf, len);
	sha256_final(&h, d->sha256);
	d->size = len;
}

struct job {
	const char *root;
	struct oci_desc d;
	struct oci_stream s;
	char *err;
	size_t errlen;
	int rc;
};

static void *apply_thread(void *arg)
{
	struct job *j = arg;

	j->rc = oci_layer_apply(j->root, &j->d, &j->s, NULL, j->err, j->errlen);
	return NULL;
}

static int apply(const char *root, const struct layer *l, int tamper, char *err, size_t errlen)
{
	static unsigned char buf[1 << 17];
	size_t len = make_tar(l, buf, sizeof(buf));
	struct memsrc m = { buf, len };
	struct job j = { .root = root, .s = { mem_read, &m }, .err = err, .errlen = errlen };
	pthread_t th;

	desc_for(&j.d, buf, len);
	if (tamper == 1)
		j.d.sha256[0] ^= 1;
	if (tamper == 2)
		j.d.size--;
	assert_int_equal(thread_start(&th, apply_thread, &j), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	return j.rc;
}

static void check(const char *file, int line, const struct row *r, int tamper)
{
	char root[] = "/tmp/netinit-oci-layer-XXXXXX", got[256], err[512] = "";
	struct stat st;
	int i, n = 0, rc = 0, rfd, fd;

	assert_non_null(mkdtemp(root));
	while (n < MAXL && r->l[n].e[0].type)
		n++;
	for (i = 0; i < n; i++) {
		rc = apply(root, &r->l[i], i == n - 1 ? tamper : 0, err, sizeof(err));
		if (i < n - 1 && rc)
			fail_msg("%s:%d: layer %d: rc %d: %s", file, line, i + 1, rc, err);
	}
	if (rc != r->rc)
		fail_msg("%s:%d: rc %d (%s), expected %d", file, line, rc, err, r->rc);
	if (rc && (!r->needle || !strstr(err, r->needle) || strchr(err, '\n')))
		fail_msg("%s:%d: error '%s' lacks '%s'", file, line, err, r->needle ? r->needle : "");
	/* paths relative to the root: they may be up to 4095 bytes */
	rfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(rfd >= 0);
	for (i = 0; i < MAXE && r->w[i].path; i++) {
		const char *is = r->w[i].is, *p = r->w[i].path;

		if (fstatat(rfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (*is)
				fail_msg("%s:%d: %.80s is missing", file, line, r->w[i].path);
			continue;
		}
		if (!*is)
			fail_msg("%s:%d: %s exists", file, line, r->w[i].path);
		if (strcmp(is, "d") == 0) {
			if (!S_ISDIR(st.st_mode))
				fail_msg("%s:%d: %s is not a directory", file, line, r->w[i].path);
		} else if (strncmp(is, "l:", 2) == 0) {
			ssize_t k = readlinkat(rfd, p, got, sizeof(got) - 1);

			got[k < 0 ? 0 : k] = '\0';
			if (!S_ISLNK(st.st_mode) || strcmp(got, is + 2))
				fail_msg("%s:%d: %s is not a symlink to %s", file, line, r->w[i].path, is + 2);
		} else {
			ssize_t k;

			fd = openat(rfd, p, O_RDONLY | O_NOFOLLOW);
			k = fd >= 0 ? read(fd, got, sizeof(got) - 1) : 0;
			if (fd >= 0)
				close(fd);
			got[k < 0 ? 0 : k] = '\0';
			if (!S_ISREG(st.st_mode) || strcmp(got, is))
				fail_msg("%s:%d: %s has '%s', expected '%s'", file, line, r->w[i].path, got, is);
		}
	}
	close(rfd);
	assert_int_equal(fs_remove_tree(root), 0);
	if (lstat(root, &st) == 0)
		fail_msg("%s:%d: %s was not removed", file, line, root);
}
#define ROW(tamper, ...) check(__FILE__, __LINE__, &(const struct row){ __VA_ARGS__ }, tamper)
#define L(...) { { __VA_ARGS__ } }

static void test_layers(void **state)
{
	/* whiteouts remove lower entries and never appear themselves */
	ROW(0, .l = { L({ 'd', "etc" }, { 'f', "etc/a", "1" }, { 'f', "etc/b", "2" }), L({ 'f', "etc/.wh.a" }) },
	    .w = { { "etc/a", "" }, { "etc/b", "2" }, { "etc/.wh.a", "" } });
	/* opaque after a sibling of the same layer: the sibling stays, lower contents go */
	ROW(0, .l = { L({ 'd', "o" }, { 'f', "o/low", "l" }, { 'd', "o/sub" }, { 'f', "o/sub/deep", "x" }),
		      L({ 'd', "o" }, { 'd', "o/sub" }, { 'f', "o/new", "n" }, { 'f', "o/.wh..wh..opq" }) },
	    .w = { { "o/low", "" }, { "o/new", "n" }, { "o/sub", "d" }, { "o/sub/deep", "" }, { "o/.wh..wh..opq", "" } });
	/* opaque first, then the new contents */
	ROW(0, .l = { L({ 'f', "o/low", "l" }), L({ 'f', "o/.wh..wh..opq" }, { 'f', "o/new", "n" }) },
	    .w = { { "o/low", "" }, { "o/new", "n" } });
	/* a whiteout of a whole directory, then a file of the same name in a later layer */
	ROW(0, .l = { L({ 'd', "x" }, { 'f', "x/y", "1" }), L({ 'f', ".wh.x" }), L({ 'f', "x", "file" }) },
	    .w = { { "x", "file" } });
	/* a file replaces a directory, a directory replaces a symlink, a file replaces a symlink */
	ROW(0, .l = { L({ 'd', "a" }, { 'f', "a/in", "1" }, { 'l', "b", "/etc" }, { 'l', "c", "a" }),
		      L({ 'f', "a", "now a file" }, { 'd', "b" }, { 'f', "c", "plain" }) },
	    .w = { { "a", "now a file" }, { "b", "d" }, { "c", "plain" } });
	/* hard links inside the root, and an overwritten link target keeps the link's content */
	ROW(0, .l = { L({ 'f', "h/orig", "o" }, { 'h', "h/link", "h/orig" }), L({ 'f', "h/orig", "new" }) },
	    .w = { { "h/link", "o" }, { "h/orig", "new" } });
	/* a whiteout for a name that does not exist is fine */
	ROW(0, .l = { L({ 'f', "k", "1" }), L({ 'f', "zz/.wh.none" }) }, .w = { { "k", "1" } });
	/* refusals */
	ROW(0, .l = { L({ 'f', "../x", "1" }) }, .rc = -EPERM, .needle = "leaves the root");
	ROW(0, .l = { L({ 'f', "/abs", "1" }) }, .rc = -EPERM, .needle = "leaves the root");
	ROW(0, .l = { L({ 'l', "s", "/tmp" }, { 'f', "s/x", "1" }) }, .rc = -EPERM, .needle = "passes through the symlink");
	ROW(0, .l = { L({ 'l', "s", ".." }), L({ 'f', "s/.wh.x" }) }, .rc = -EPERM, .needle = "passes through the symlink");
	ROW(0, .l = { L({ 'h', "h", "../../etc/passwd" }) }, .rc = -EPERM, .needle = "leaves the root");
	ROW(0, .l = { L({ 'd', "d" }, { 'h', "h", "d" }) }, .rc = -EPERM, .needle = "a directory");
	ROW(0, .l = { L({ 'f', "a/.wh." }) }, .rc = -EBADMSG, .needle = "whiteout naming nothing");
	/* digest and size */
	ROW(1, .l = { L({ 'f', "x", "1" }) }, .rc = -EBADMSG, .needle = "digest mismatch");
	ROW(2, .l = { L({ 'f', "x", "1" }) }, .rc = -EBADMSG, .needle = "longer than its descriptor");
}

/* Strings built for the deep rows, freed at the end of the test. */
static char *made[64];
static size_t nmade;

/* unit n times, then tail: rep("a/", 2, "f") = "a/a/f" */
static const char *rep(const char *unit, int n, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(ul * (size_t)n + tl + 1), *p = s;

	assert_non_null(s);
	assert_true(nmade < sizeof(made) / sizeof(made[0]));
	for (int i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return made[nmade++] = s;
}

/* dir "/" name */
static const char *in(const char *dir, const char *name)
{
	char *s = malloc(strlen(dir) + strlen(name) + 2);

	assert_non_null(s);
	assert_true(nmade < sizeof(made) / sizeof(made[0]));
	sprintf(s, "%s/%s", dir, name);
	return made[nmade++] = s;
}

static void test_deep(void **state)
{
	const char *n250 = rep("n", 250, "/"), *n254 = rep("n", 254, "/");
	const char *d40 = rep("o/", 39, "o"), *d300 = rep("o/", 299, "o"), *a99 = rep("a/", 99, "f");
	char err[512];

	/* the limits: 512 components and 4095 bytes, refused before anything is written */
	ROW(0, .l = { L({ 'f', rep("a/", 999, "f"), "x" }) }, .rc = -ENAMETOOLONG,
	    .needle = "layer sha256:test: entry \"a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/…\" "
		      "is 1000 levels deep, at most 512 are allowed",
	    .w = { { "a", "" } });
	ROW(0, .l = { L({ 'f', rep("a/", 512, "f"), "x" }) }, .rc = -ENAMETOOLONG, .needle = "is 513 levels deep",
	    .w = { { "a", "" } });
	ROW(0, .l = { L({ 'f', rep("a/", 511, "f"), "x" }) }, .w = { { rep("a/", 511, "f"), "x" } });
	ROW(0, .l = { L({ 'f', rep(n250, 17, "f"), "x" }) }, .rc = -ENAMETOOLONG,
	    .needle = "is longer than 4095 bytes, at most 4095 are allowed", .w = { { rep("n", 250, ""), "" } });
	ROW(0, .l = { L({ 'f', rep(n254, 16, "fffffffffffffff"), "x" }) },          /* 4095 bytes */
	    .w = { { rep(n254, 16, "fffffffffffffff"), "x" } });
	ROW(0, .l = { L({ 'f', rep(n254, 16, "ffffffffffffffff"), "x" }) }, .rc = -ENAMETOOLONG,
	    .needle = "is longer than 4095 bytes");
	/* an opaque marker 40 and 300 levels down: the lower contents go, this layer's stay */
	ROW(0, .l = { L({ 'f', in(d40, "low"), "l" }, { 'f', in(d40, "sub/deep"), "x" }),
		      L({ 'f', in(d40, "new"), "n" }, { 'f', in(d40, ".wh..wh..opq") }) },
	    .w = { { d40, "d" }, { in(d40, "low"), "" }, { in(d40, "sub"), "" }, { in(d40, "new"), "n" },
		   { in(d40, ".wh..wh..opq"), "" } });
	ROW(0, .l = { L({ 'f', in(d300, "low"), "l" }, { 'f', in(d300, rep("s/", 150, "x")), "x" }),
		      L({ 'd', in(d300, "keep") }, { 'f', in(d300, "keep/k"), "k" }, { 'f', in(d300, ".wh..wh..opq") }) },
	    .w = { { d300, "d" }, { in(d300, "low"), "" }, { in(d300, "s"), "" }, { in(d300, "keep/k"), "k" } });
	/* an opaque marker over a tree of the same layer 40 and 300 levels deep: only the
	 * lower contents go, at every level */
	ROW(0, .l = { L({ 'f', "t/low", "l" }, { 'f', in(in("t", d40), "lower"), "l" }),
		      L({ 'D', in("t", d40) }, { 'f', in(in("t", d40), "new"), "n" }, { 'f', "t/.wh..wh..opq" }) },
	    .w = { { "t/low", "" }, { in(in("t", d40), "lower"), "" }, { in(in("t", d40), "new"), "n" } });
	ROW(0, .l = { L({ 'f', "t/low", "l" }, { 'f', in(in("t", d300), "lower"), "l" }, { 'f', in(d300, "x"), "x" }),
		      L({ 'D', in("t", d300) }, { 'f', in(in("t", d300), "new"), "n" }, { 'f', "t/.wh..wh..opq" }) },
	    .w = { { "t/low", "" }, { in(in("t", d300), "lower"), "" }, { in(in("t", d300), "new"), "n" },
		   { in(d300, "x"), "x" } });
	/* over a lower tree 100 levels deep: a whiteout, a file replacing it, an opaque marker */
	ROW(0, .l = { L({ 'f', in("w", a99), "1" }, { 'f', "w2", "2" }), L({ 'f', ".wh.w" }) },
	    .w = { { "w", "" }, { "w2", "2" } });
	ROW(0, .l = { L({ 'f', in("r", a99), "1" }), L({ 'f', "r", "file" }) }, .w = { { "r", "file" } });
	ROW(0, .l = { L({ 'f', in("q", a99), "1" }, { 'f', "q/top", "t" }), L({ 'f', "q/.wh..wh..opq" }) },
	    .w = { { "q", "d" }, { "q/a", "" }, { "q/top", "" } });
	/* the message stays one short line whatever the path */
	{
		char root[] = "/tmp/netinit-oci-layer-XXXXXX";
		const struct layer l = L({ 'f', rep("a/", 2000, "f"), "x" });

		assert_non_null(mkdtemp(root));
		assert_int_equal(apply(root, &l, 0, err, sizeof(err)), -ENAMETOOLONG);
		if (strlen(err) > 160 || !strstr(err, "is 2001 levels deep"))
			fail_msg("'%s'", err);
		assert_int_equal(rmdir(root), 0);
	}
	while (nmade)
		free(made[--nmade]);
}

static void test_media_type(void **state)
{
	struct oci_desc d = { .media_type = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" };
	struct memsrc m = { NULL, 0 };
	struct oci_stream s = { mem_read, &m };
	char err[256];

	assert_int_equal(oci_layer_apply("/tmp", &d, &s, NULL, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "media type"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_media_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
