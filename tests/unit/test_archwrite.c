/* Unit tests for oci/archwrite: the oci-archive a registry pull keeps is a tar our own
 * reader (oci/tarindex) indexes back to the same blobs at the offsets the writer gave,
 * with oci-layout and an index.json naming the manifest by ref.name, at a base offset,
 * whatever order and how often the blob bytes were written; sizes past 8 GiB use base-256. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/archwrite.h"
#include "oci/tarindex.h"

static ssize_t fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	const int *a = ctx; /* a[0] fd, a[1] base */

	return pread(a[0], buf, len, (off_t)(off + (uint64_t)a[1]));
}

static void desc(struct oci_desc *d, const char *mt, unsigned char fill, uint64_t size)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	memset(d, 0, sizeof(*d));
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt);
	memset(d->sha256, fill, 32);
	memcpy(d->digest, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		d->digest[7 + 2 * i] = hex[fill >> 4];
		d->digest[8 + 2 * i] = hex[fill & 15];
	}
	d->size = size;
}

static char *read_at(int fd, uint64_t off, uint64_t len)
{
	char *b = calloc(1, (size_t)len + 1);

	assert_non_null(b);
	assert_int_equal(pread(fd, b, (size_t)len, (off_t)off), (ssize_t)len);
	return b;
}

static void test_layout(void **state)
{
	static const char man[] = "{\"schemaVersion\":2,\"manifest\":\"bytes\"}";
	static const char cfg[] = "{\"config\":1}";
	char l1[1000], l2[3], err[256], name[96], *got;
	struct oci_desc md, layers[3];
	struct oci_manifest m = { .layers = layers, .nlayers = 3 };
	struct oci_archive_writer w;
	const struct oci_aw_blob *b;
	const struct tar_member *t;
	struct tar_index ix;
	struct oci_index oi;
	struct stat sb;
	FILE *f = tmpfile();
	int fd, a[2], i;
	size_t pick;

	assert_non_null(f);
	fd = fileno(f);
	memset(l1, 'x', sizeof(l1));
	memcpy(l2, "abc", 3);
	desc(&md, OCI_MT_MANIFEST, 0x11, strlen(man));
	desc(&m.config, OCI_MT_CONFIG, 0x22, strlen(cfg));
	desc(&layers[0], OCI_MT_LAYER_GZ, 0x33, sizeof(l1));
	desc(&layers[1], OCI_MT_LAYER_GZ, 0x44, sizeof(l2));
	layers[2] = layers[0]; /* the same blob twice: stored once */
	assert_int_equal(oci_aw_start(&w, fd, 120, &md, man, strlen(man), &m, "v1", err, sizeof(err)), 0);
	assert_int_equal(w.n, 4);
	assert_int_equal(w.total % TAR_BLOCK, 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, 120 + w.total);
	/* out of order, in pieces, some twice: a resume, an ignored Range, a prefetch */
	b = oci_aw_find(&w, layers[0].sha256);
	assert_non_null(b);
	assert_int_equal(oci_aw_write(&w, b, 500, l1 + 500, 500), 0);
	assert_int_equal(oci_aw_write(&w, b, 0, l1, 700), 0);
	assert_int_equal(oci_aw_write(&w, b, 300, l1 + 300, 700), 0);
	assert_int_equal(oci_aw_write(&w, b, 999, l1, 2), -ERANGE);
	assert_int_equal(oci_aw_write(&w, oci_aw_find(&w, layers[1].sha256), 0, l2, 3), 0);
	assert_int_equal(oci_aw_write(&w, oci_aw_find(&w, m.config.sha256), 0, cfg, strlen(cfg)), 0);
	assert_null(oci_aw_find(&w, (const uint8_t *)"no such digest, no such digest.."));
	/* nothing before the base */
	got = read_at(fd, 0, 120);
	for (i = 0; i < 120; i++)
		assert_int_equal(got[i], 0);
	free(got);
	/* read back as an archive at base 120 */
	a[0] = fd;
	a[1] = 120;
	assert_int_equal(tar_index_build(fd_pread, a, w.total, &ix, err, sizeof(err)), 0);
	assert_int_equal(ix.n, 6); /* oci-layout, index.json, 4 blobs (directories are not indexed) */
	t = tar_index_find(&ix, "oci-layout");
	assert_non_null(t);
	got = read_at(fd, 120 + t->offset, t->size);
	assert_string_equal(got, OCI_LAYOUT_JSON);
	free(got);
	t = tar_index_find(&ix, "index.json");
	assert_non_null(t);
	got = read_at(fd, 120 + t->offset, t->size);
	assert_int_equal(oci_index_parse(got, t->size, &oi, err, sizeof(err)), 0);
	free(got);
	assert_int_equal(oi.n, 1);
	assert_int_equal(oci_index_pick_label(&oi, "v1", false, &pick, err, sizeof(err)), 0);
	assert_string_equal(oi.d[0].digest, md.digest);
	assert_int_equal(oi.d[0].size, md.size);
	assert_string_equal(oi.d[0].media_type, OCI_MT_MANIFEST);
	oci_index_free(&oi);
	{
		const struct oci_desc *all[] = { &md, &m.config, &layers[0], &layers[1] };
		const char *data[] = { man, cfg, l1, l2 };

		for (i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "blobs/sha256/%s", all[i]->digest + 7);
			t = tar_index_find(&ix, name);
			assert_non_null(t);
			assert_int_equal(t->size, all[i]->size);
			b = oci_aw_find(&w, all[i]->sha256);
			assert_int_equal(b->off, 120 + t->offset); /* where the writer put it is where the reader finds it */
			got = read_at(fd, b->off, t->size);
			assert_memory_equal(got, data[i], t->size);
			free(got);
		}
	}
	tar_index_free(&ix);
	oci_aw_free(&w);
	fclose(f);
}

static void test_huge_and_errors(void **state)
{
	static const char man[] = "{}";
	struct oci_desc md, layer;
	struct oci_manifest m = { .layers = &layer, .nlayers = 1 };
	struct oci_archive_writer w;
	const struct tar_member *t;
	struct tar_index ix;
	char err[256], name[96];
	FILE *f = tmpfile();
	int a[2];

	assert_non_null(f);
	desc(&md, "", 0x55, 2);
	desc(&m.config, OCI_MT_CONFIG, 0x66, 2);
	desc(&layer, OCI_MT_LAYER_ZST, 0x77, 10ull << 30); /* 10 GiB: past the 11 octal digits */
	/* the manifest's bytes must be what its descriptor says */
	assert_int_equal(oci_aw_start(&w, fileno(f), 0, &md, man, 1, &m, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "descriptor says 2"));
	assert_int_equal(oci_aw_start(&w, fileno(f), 0, &md, man, 2, &m, NULL, err, sizeof(err)), 0);
	a[0] = fileno(f);
	a[1] = 0;
	assert_int_equal(tar_index_build(fd_pread, a, w.total, &ix, err, sizeof(err)), 0);
	snprintf(name, sizeof(name), "blobs/sha256/%s", layer.digest + 7);
	t = tar_index_find(&ix, name);
	assert_non_null(t);
	assert_int_equal(t->size, 10ull << 30);
	assert_true(w.total > (10ull << 30));
	tar_index_free(&ix);
	oci_aw_free(&w);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_huge_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
