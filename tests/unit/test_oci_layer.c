/* Table tests for oci/layer.c with the host's libarchive: layers built in memory, applied
 * in order into a fresh directory, the result checked entry by entry. Whiteout and opaque
 * semantics, replacement rules, refusals, digest and size checks. */
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
#include <archive.h>
#include <archive_entry.h>

#include "oci/layer.h"
#include "fetch/sha256.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* rows name only what they need */

#define MAXE 8
#define MAXL 3

/* One tar entry: 'f' file (data), 'd' directory, 'l' symlink (data = target), 'h' hard link. */
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

static int apply(const char *root, const struct layer *l, int tamper, char *err, size_t errlen)
{
	static unsigned char buf[1 << 16];
	struct oci_desc d;
	size_t len = make_tar(l, buf, sizeof(buf));
	struct memsrc m = { buf, len };
	struct oci_stream s = { mem_read, &m };

	desc_for(&d, buf, len);
	if (tamper == 1)
		d.sha256[0] ^= 1;
	if (tamper == 2)
		d.size--;
	return oci_layer_apply(root, &d, &s, NULL, err, errlen);
}

static void check(const char *file, int line, const struct row *r, int tamper)
{
	char root[] = "/tmp/netinit-oci-layer-XXXXXX", p[512], got[256], err[512] = "";
	struct stat st;
	int i, n = 0, rc = 0;

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
	for (i = 0; i < MAXE && r->w[i].path; i++) {
		const char *is = r->w[i].is;

		snprintf(p, sizeof(p), "%s/%s", root, r->w[i].path);
		if (lstat(p, &st) < 0) {
			if (*is)
				fail_msg("%s:%d: %s is missing", file, line, r->w[i].path);
			continue;
		}
		if (!*is)
			fail_msg("%s:%d: %s exists", file, line, r->w[i].path);
		if (strcmp(is, "d") == 0) {
			if (!S_ISDIR(st.st_mode))
				fail_msg("%s:%d: %s is not a directory", file, line, r->w[i].path);
		} else if (strncmp(is, "l:", 2) == 0) {
			ssize_t k = readlink(p, got, sizeof(got) - 1);

			got[k < 0 ? 0 : k] = '\0';
			if (!S_ISLNK(st.st_mode) || strcmp(got, is + 2))
				fail_msg("%s:%d: %s is not a symlink to %s", file, line, r->w[i].path, is + 2);
		} else {
			FILE *f = fopen(p, "r");
			size_t k = f ? fread(got, 1, sizeof(got) - 1, f) : 0;

			if (f)
				fclose(f);
			got[k] = '\0';
			if (!S_ISREG(st.st_mode) || strcmp(got, is))
				fail_msg("%s:%d: %s has '%s', expected '%s'", file, line, r->w[i].path, got, is);
		}
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
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
		cmocka_unit_test(test_media_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
