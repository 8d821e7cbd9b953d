/*
 * Table tests for fs/mkerofs.c's pure parts: how directory entries are packed
 * into 4 KiB blocks (dirents first, then the names, never split over a block), the
 * size that gives, and the inline xattr encoding (prefix indexes, sorting, 4-byte
 * alignment, names EROFS cannot store, a set too large for its block). The whole
 * writer is checked against the kernel and erofs-utils by tests/host/erofs.sh; here
 * only its 16 TiB limit, with sparse files on a tmpfs (no data behind them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fs/mkerofs.h"

/* n entries named <prefix><i> padded to len bytes (len >= 6). */
static struct erofs_dent_in *names(size_t n, size_t len, char ***store)
{
	struct erofs_dent_in *d = calloc(n, sizeof(*d));
	char **s = calloc(n, sizeof(*s));
	size_t i;

	for (i = 0; i < n; i++) {
		s[i] = malloc(len + 1);
		snprintf(s[i], len + 1, "%06zu%0*d", i, (int)(len - 6), 0);
		d[i].name = s[i];
		d[i].nid = 100 + i;
		d[i].ftype = 1;
	}
	*store = s;
	return d;
}

static void free_names(struct erofs_dent_in *d, char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
	free(d);
}

struct dir_row {
	int at;
	size_t n, len;          /* n names of len bytes */
	uint64_t size;          /* expected erofs_dir_size */
	size_t per_block;       /* entries in the first block */
};

#define DIR_ROW(n, len, size, per) { __LINE__, n, len, size, per }
static const struct dir_row dir_rows[] = {
	DIR_ROW(1, 6, 12 + 6, 1),
	DIR_ROW(2, 6, 2 * 18, 2),
	/* 4096 / (12 + 20) = 128 entries fill a block exactly */
	DIR_ROW(128, 20, 4096, 128),
	DIR_ROW(129, 20, 4096 + 32, 128),
	/* 4096 / 30 = 136 with 16 bytes left: the next entry starts block 2 */
	DIR_ROW(137, 18, 4096 + 30, 136),
	/* 255-byte names: 15 per block (15 * 267 = 4005) */
	DIR_ROW(15, 255, 15 * 267, 15),
	DIR_ROW(16, 255, 4096 + 267, 15),
	DIR_ROW(31, 255, 2 * 4096 + 267, 15),
};

static void check_dir(const char *file, int line, const struct dir_row *r)
{
	char **s;
	struct erofs_dent_in *d = names(r->n, r->len, &s);
	uint64_t size = erofs_dir_size(d, r->n);
	uint8_t *buf = calloc(1, size + 1);
	size_t i, k, blk = 0, seen = 0;

	if (size != r->size)
		_fail(file, line);
	erofs_dir_write(d, r->n, buf);
	/* read it back as the kernel does: nameoff of the first dirent / 12 entries a block */
	while (seen < r->n) {
		const uint8_t *b = buf + blk * EROFS_BLKSIZ;
		uint16_t first;
		size_t maxsize = size - blk * EROFS_BLKSIZ < EROFS_BLKSIZ ? size - blk * EROFS_BLKSIZ : EROFS_BLKSIZ;

		memcpy(&first, b + 8, 2);
		k = first / 12;
		if (blk == 0 && k != r->per_block)
			_fail(file, line);
		for (i = 0; i < k; i++) {
			uint64_t nid;
			uint16_t off, next = 0;
			size_t nl;

			memcpy(&nid, b + i * 12, 8);
			memcpy(&off, b + i * 12 + 8, 2);
			if (i + 1 < k)
				memcpy(&next, b + (i + 1) * 12 + 8, 2);
			nl = i + 1 < k ? (size_t)(next - off) : strnlen((const char *)b + off, maxsize - off);
			if (nid != 100 + seen || b[i * 12 + 10] != 1 || nl != r->len ||
			    memcmp(b + off, d[seen].name, nl) != 0)
				_fail(file, line);
			seen++;
		}
		if (k == 0)
			_fail(file, line);
		blk++;
	}
	free(buf);
	free_names(d, s, r->n);
}

static void test_dir_layout(void **state)
{
	for (size_t i = 0; i < sizeof(dir_rows) / sizeof(dir_rows[0]); i++)
		check_dir(__FILE__, dir_rows[i].at, &dir_rows[i]);
}

/* ---- xattrs ---- */

struct xattr_row {
	int at;
	const char *names[4];   /* NULL-terminated */
	const char *values[4];
	size_t cap;
	int rc;                 /* expected size or -errno */
	const char *layout;     /* expected entries "index:suffix=value;..." in order */
};

static const struct xattr_row xattr_rows[] = {
	{ __LINE__, { NULL }, { NULL }, 4096, 0, "" },
	/* 12 header + align4(4 + 4 + 2) = 12 + 12 */
	{ __LINE__, { "user.test", NULL }, { "hi", NULL }, 4096, 24, "1:test=hi;" },
	/* sorted by index then suffix: trusted(4) before security(6), user(1) first */
	{ __LINE__, { "security.capability", "trusted.b", "user.z", NULL }, { "cap", "bb", "z", NULL }, 4096,
	  12 + 8 + 8 + 20, "1:z=z;4:b=bb;6:capability=cap;" },
	{ __LINE__, { "trusted.b", "trusted.a", NULL }, { "2", "1", NULL }, 4096, 12 + 8 + 8, "4:a=1;4:b=2;" },
	/* POSIX ACLs: the whole name is the prefix, the suffix is empty */
	{ __LINE__, { "system.posix_acl_access", "system.posix_acl_default", NULL }, { "acl", "dflt", NULL }, 4096,
	  12 + 8 + 8, "2:=acl;3:=dflt;" },
	{ __LINE__, { "system.nfs4_acl", NULL }, { "x", NULL }, 4096, -EOPNOTSUPP, "" },
	{ __LINE__, { "system.posix_acl_accessX", NULL }, { "x", NULL }, 4096, -EOPNOTSUPP, "" },
	{ __LINE__, { "os2.foo", NULL }, { "x", NULL }, 4096, -EOPNOTSUPP, "" },
	{ __LINE__, { "user.test", NULL }, { "hi", NULL }, 23, -E2BIG, "" },
	{ __LINE__, { "user.test", NULL }, { "hi", NULL }, 11, -E2BIG, "" },
};

static void check_xattr(const char *file, int line, const struct xattr_row *r)
{
	char *nm[4];
	const uint8_t *val[4];
	uint16_t sz[4];
	uint8_t out[4096];
	char lay[512] = "";
	size_t n = 0, off = 12;
	int rc;

	while (n < 4 && r->names[n]) {
		nm[n] = (char *)r->names[n];
		val[n] = (const uint8_t *)r->values[n];
		sz[n] = (uint16_t)strlen(r->values[n]);
		n++;
	}
	memset(out, 0xAA, sizeof(out));
	rc = erofs_xattr_encode(nm, val, sz, n, out, r->cap);
	if (rc != r->rc)
		_fail(file, line);
	if (rc <= 0)
		return;
	if (out[0] || out[1] || out[2] || out[3] || out[4] /* shared count */)
		_fail(file, line);
	while (off < (size_t)rc) {
		uint8_t nl = out[off], ix = out[off + 1];
		uint16_t vs;
		size_t l = strlen(lay);

		memcpy(&vs, out + off + 2, 2);
		snprintf(lay + l, sizeof(lay) - l, "%u:%.*s=%.*s;", ix, nl, (const char *)out + off + 4, vs,
			 (const char *)out + off + 4 + nl);
		off += (4u + nl + vs + 3u) & ~3u;
	}
	if (off != (size_t)rc || strcmp(lay, r->layout) != 0) {
		print_error("got layout %s, want %s\n", lay, r->layout);
		_fail(file, line);
	}
}

static void test_xattr_encode(void **state)
{
	for (size_t i = 0; i < sizeof(xattr_rows) / sizeof(xattr_rows[0]); i++)
		check_xattr(__FILE__, xattr_rows[i].at, &xattr_rows[i]);
}

/* One sparse file of size bytes in a tree on /dev/shm (tmpfs: 8 EiB files, no blocks
 * behind a hole). Over the limit the writer must refuse it before creating the image;
 * at the limit it goes on to copy, which RLIMIT_FSIZE stops after 4 MiB. */
static void check_big(const char *file, int line, uint64_t size, bool refused)
{
	char dir[] = "/dev/shm/netinit-erofs-XXXXXX", src[64], f[96], img[96], err[512] = "", cmd[128];
	struct rlimit lim, old;
	struct statfs sf;
	int fd, rc;

	if (statfs("/dev/shm", &sf) < 0 || sf.f_type != 0x01021994 /* TMPFS_MAGIC */)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(f, sizeof(f), "%s/big", src);
	snprintf(img, sizeof(img), "%s/img", dir);
	assert_int_equal(mkdir(src, 0755), 0);
	fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = (struct rlimit){ 4u << 20, old.rlim_max }; /* the soft limit only: it can be raised again */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = mkerofs(src, img, NULL, NULL, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	if (rc != -EFBIG)
		fail_msg("%s:%d: size %llu: rc %d (%s), expected -EFBIG", file, line, (unsigned long long)size, rc, err);
	if (refused != (strstr(err, "would exceed EROFS's 16 TiB") != NULL))
		fail_msg("%s:%d: size %llu: '%s': %s", file, line, (unsigned long long)size, err,
			 refused ? "not refused by the size check" : "refused, but it fits");
	if (refused && access(img, F_OK) == 0)
		fail_msg("%s:%d: size %llu: the image was created", file, line, (unsigned long long)size);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}
#define BIG(size, refused) check_big(__FILE__, __LINE__, size, refused)

static void test_16tib(void **state)
{
	const uint64_t tib16 = 1ull << 44, blk = EROFS_BLKSIZ;

	BIG(tib16, true);               /* 2^32 blocks: a 32-bit count of them is 0 */
	BIG(tib16 + 3 * blk + 1, true);
	BIG(2 * tib16, true);
	BIG(tib16 - blk, true);         /* 2^32 - 1 blocks + the superblock's */
	BIG(tib16 - blk - 1, true);     /* the tail needs that block too */
	BIG(tib16 - 2 * blk, false);    /* 2^32 - 2 + 1: the largest image EROFS can number */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_layout),
		cmocka_unit_test(test_xattr_encode),
		cmocka_unit_test(test_16tib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
