/*
 * Table tests for blockdev/deploy.c: the deployment record (round trip, every way
 * it can be damaged), the verdict for each kind of disk, inspect/mark on an
 * image file, and the mkfs runner (real mkfs.ext4 when installed; unknown
 * filesystems; a failing mkfs reports its last line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockdev/part.h"
#include "blockdev/deploy.h"
#include "fs/probe.h"

static const uint8_t sum_a[32] = { 0xaa, 1, 2, 3 };
static const uint8_t sum_b[32] = { 0xbb, 1, 2, 3 };

static struct deploy_info info(enum deploy_state st, const char *url, const uint8_t *sum, uint64_t disk)
{
	struct deploy_info i;

	memset(&i, 0, sizeof(i));
	i.state = st;
	i.image_bytes = 1 << 20;
	i.disk_bytes = disk;
	snprintf(i.url, sizeof(i.url), "%s", url);
	if (sum) {
		i.has_sha256 = true;
		memcpy(i.image_sha256, sum, 32);
	}
	return i;
}

/* ---- the record ---------------------------------------------------------- */

static void test_record_roundtrip(void **state)
{
	static const struct {
		enum deploy_state st;
		const char *url;
		const uint8_t *sum;
	} rows[] = {
		{ DEPLOY_STATE_WRITING, "http://10.0.2.2/live.iso", NULL },
		{ DEPLOY_STATE_COMPLETE, "https://a.example/x/y.iso.xz?token=1", sum_a },
		{ DEPLOY_STATE_COMPLETE, "", NULL },
	};
	uint8_t buf[DEPLOY_RECORD_SIZE];
	struct deploy_info in, out;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		in = info(rows[i].st, rows[i].url, rows[i].sum, 8ull << 30);
		assert_int_equal(deploy_record_encode(&in, buf), 0);
		assert_int_equal(deploy_record_decode(buf, sizeof(buf), &out), 0);
		assert_int_equal(out.state, in.state);
		assert_int_equal(out.image_bytes, in.image_bytes);
		assert_int_equal(out.disk_bytes, in.disk_bytes);
		assert_int_equal(out.has_sha256, in.has_sha256);
		assert_memory_equal(out.image_sha256, in.image_sha256, 32);
		assert_string_equal(out.url, in.url);
	}
}

enum damage { D_FLIP_URL, D_FLIP_CRC, D_MAGIC, D_VERSION, D_STATE, D_NO_NUL, D_SHORT, D_SHAFLAG };

/* Damage a good record; with recrc the CRC is made right again so the
 * field checks, not the CRC, must catch it. */
static void check_damage(const char *file, int line, enum damage d, bool recrc, int want)
{
	uint8_t buf[DEPLOY_RECORD_SIZE];
	struct deploy_record *r = (struct deploy_record *)buf;
	struct deploy_info in = info(DEPLOY_STATE_COMPLETE, "http://x/y.iso", NULL, 1 << 30), out;
	size_t len = sizeof(buf);
	int rc;

	assert_int_equal(deploy_record_encode(&in, buf), 0);
	switch (d) {
	case D_FLIP_URL: r->url[3] ^= 1; break;
	case D_FLIP_CRC: r->crc32 ^= 1; break;
	case D_MAGIC: r->magic[0] = 'X'; break;
	case D_VERSION: r->version = htole32(2); break;
	case D_STATE: r->state = htole32(7); break;
	case D_NO_NUL: memset(r->url, 'a', sizeof(r->url)); break;
	case D_SHORT: len = sizeof(buf) - 1; break;
	case D_SHAFLAG: r->has_sha256 = htole32(5); break;
	}
	if (recrc)
		r->crc32 = htole32(part_crc32(0, buf, offsetof(struct deploy_record, crc32)));
	rc = deploy_record_decode(buf, len, &out);
	if (rc != want)
		fail_msg("%s:%d: damage %d: rc %d, expected %d", file, line, d, rc, want);
}

static void test_record_damage(void **state)
{
	static const struct {
		int line;
		enum damage d;
		bool recrc;
		int rc;
	} rows[] = {
		{ __LINE__, D_FLIP_URL, false, -EBADMSG }, { __LINE__, D_FLIP_CRC, false, -EBADMSG },
		{ __LINE__, D_MAGIC, false, -ENOENT },     { __LINE__, D_VERSION, true, -EBADMSG },
		{ __LINE__, D_STATE, true, -EBADMSG },     { __LINE__, D_NO_NUL, true, -EBADMSG },
		{ __LINE__, D_SHORT, false, -ENOENT },     { __LINE__, D_SHAFLAG, true, -EBADMSG },
		{ __LINE__, D_VERSION, false, -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_damage(__FILE__, rows[i].line, rows[i].d, rows[i].recrc, rows[i].rc);
}

/* The longest URL the record keeps survives whole. */
static void test_record_long_url(void **state)
{
	struct deploy_info in = info(DEPLOY_STATE_COMPLETE, "", NULL, 1), out;
	uint8_t buf[DEPLOY_RECORD_SIZE];

	memset(in.url, 'u', sizeof(in.url) - 1);
	in.url[sizeof(in.url) - 1] = '\0';
	assert_int_equal(deploy_record_encode(&in, buf), 0);
	assert_int_equal(deploy_record_decode(buf, sizeof(buf), &out), 0);
	assert_int_equal(strlen(out.url), DEPLOY_URL_MAX - 1);
}

/* ---- the verdict --------------------------------------------------------- */

enum head { H_ZERO, H_MBR, H_GPT };

struct judge_row {
	enum head head;
	bool has_fs;
	int rec_rc;
	enum deploy_state rec_state;
	const char *rec_url;
	const uint8_t *rec_sum;
	uint64_t rec_disk;
	const char *url;
	const uint8_t *sum;
	enum deploy_verdict want;
	const char *needle;
};

#define DISK (1ull << 30)
#define URL "http://s/live.iso"

static void check_judge(const char *file, int line, const struct judge_row *r)
{
	static uint8_t head[PART_PROBE_BYTES];
	struct deploy_info rec = info(r->rec_state, r->rec_url ? r->rec_url : "", r->rec_sum, r->rec_disk);
	char why[256] = "";
	enum deploy_verdict v;

	memset(head, 0, sizeof(head));
	if (r->head == H_MBR) {
		unsigned n;

		assert_int_equal(part_mbr_add(head, PART_MBR_TYPE_LINUX, 2048, 2048, 1, &n), 0);
	}
	if (r->head == H_GPT)
		memcpy(head + 512, "EFI PART", 8);
	v = deploy_judge(head, sizeof(head), r->has_fs, r->rec_rc, &rec, DISK, r->url, r->sum, why, sizeof(why));
	if (v != r->want || !strstr(why, r->needle))
		fail_msg("%s:%d: verdict %s (%s), expected %s with \"%s\"", file, line, deploy_verdict_name(v), why,
			 deploy_verdict_name(r->want), r->needle);
}

#define JR(...) { __FILE__, __LINE__, { __VA_ARGS__ } }
static const struct {
	const char *file;
	int line;
	struct judge_row r;
} judge_rows[] = {
	JR(.rec_rc = -ENOENT, .url = URL, .want = DEPLOY_BLANK, .needle = "blank"),
	JR(.head = H_MBR, .rec_rc = -ENOENT, .url = URL, .want = DEPLOY_FOREIGN, .needle = "an MBR partition table"),
	JR(.head = H_GPT, .rec_rc = -ENOENT, .url = URL, .want = DEPLOY_FOREIGN, .needle = "GPT partition table"),
	JR(.has_fs = true, .rec_rc = -ENOENT, .url = URL, .want = DEPLOY_FOREIGN, .needle = "a filesystem"),
	JR(.has_fs = true, .rec_rc = -EBADMSG, .url = URL, .want = DEPLOY_FOREIGN, .needle = "a filesystem"),
	/* ours: the ISO is a filesystem and the cow entry a table; the record decides */
	JR(.head = H_MBR, .has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_disk = DISK,
	   .url = URL, .want = DEPLOY_SAME, .needle = "this image"),
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_sum = sum_a, .rec_disk = DISK,
	   .url = URL, .sum = sum_a, .want = DEPLOY_SAME, .needle = "this image"),
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_sum = sum_a, .rec_disk = DISK,
	   .url = URL, .want = DEPLOY_SAME, .needle = "this image"), /* no sum asked: the URL decides */
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_sum = sum_a, .rec_disk = DISK,
	   .url = URL, .sum = sum_b, .want = DEPLOY_OTHER, .needle = "another sha256"),
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_disk = DISK, .url = URL,
	   .sum = sum_b, .want = DEPLOY_OTHER, .needle = "no sha256"),
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = "http://s/old.iso", .rec_disk = DISK,
	   .url = URL, .want = DEPLOY_OTHER, .needle = "http://s/old.iso"),
	JR(.rec_state = DEPLOY_STATE_WRITING, .rec_url = "http://s/old.iso", .rec_disk = DISK, .url = URL,
	   .want = DEPLOY_INCOMPLETE, .needle = "interrupted"),
	JR(.head = H_MBR, .rec_state = DEPLOY_STATE_WRITING, .rec_url = URL, .rec_disk = DISK, .url = URL,
	   .want = DEPLOY_INCOMPLETE, .needle = "interrupted"),
	/* a record written for another disk size (the disk was copied or grown): not ours */
	JR(.has_fs = true, .rec_state = DEPLOY_STATE_COMPLETE, .rec_url = URL, .rec_disk = DISK / 2, .url = URL,
	   .want = DEPLOY_FOREIGN, .needle = "a filesystem"),
};

static void test_judge(void **state)
{
	for (size_t i = 0; i < sizeof(judge_rows) / sizeof(judge_rows[0]); i++)
		check_judge(judge_rows[i].file, judge_rows[i].line, &judge_rows[i].r);
}

/* ---- inspect and mark on an image file ----------------------------------- */

static int tmp_image(char *path, uint64_t size)
{
	int fd;

	strcpy(path, "/tmp/netinit-deploy-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	return 0;
}

static void test_inspect_mark(void **state)
{
	char path[64], why[256], err[256];
	struct deploy_info rec, in;
	enum deploy_verdict v;
	uint64_t size;

	tmp_image(path, 8 << 20);
	assert_int_equal(deploy_inspect(path, URL, NULL, &v, &rec, &size, why, sizeof(why)), 0);
	assert_int_equal(v, DEPLOY_BLANK);
	assert_int_equal(size, 8 << 20);

	in = info(DEPLOY_STATE_WRITING, URL, NULL, size);
	assert_int_equal(deploy_mark(path, &in, err, sizeof(err)), 0);
	assert_int_equal(deploy_inspect(path, URL, NULL, &v, &rec, &size, why, sizeof(why)), 0);
	assert_int_equal(v, DEPLOY_INCOMPLETE);

	in.state = DEPLOY_STATE_COMPLETE;
	assert_int_equal(deploy_mark(path, &in, err, sizeof(err)), 0);
	assert_int_equal(deploy_inspect(path, URL, NULL, &v, &rec, &size, why, sizeof(why)), 0);
	assert_int_equal(v, DEPLOY_SAME);
	assert_int_equal(rec.image_bytes, 1 << 20);
	assert_int_equal(deploy_inspect(path, "http://s/other.iso", NULL, &v, &rec, &size, why, sizeof(why)), 0);
	assert_int_equal(v, DEPLOY_OTHER);

	/* a record meant for another size is refused before it is written */
	in.disk_bytes = size + 4096;
	assert_int_equal(deploy_mark(path, &in, err, sizeof(err)), -ESTALE);
	assert_non_null(strstr(err, path));
	unlink(path);

	tmp_image(path, 512 << 10);
	assert_int_equal(deploy_inspect(path, URL, NULL, &v, &rec, &size, why, sizeof(why)), -ENOSPC);
	assert_non_null(strstr(why, "too small"));
	unlink(path);
	assert_int_equal(deploy_inspect("/nonexistent/disk", URL, NULL, &v, &rec, &size, why, sizeof(why)), -ENOENT);
}

/* ---- mkfs ---------------------------------------------------------------- */

static bool have(const char *prog)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "test -x /sbin/%s || test -x /usr/sbin/%s", prog, prog);
	return system(cmd) == 0;
}

static void test_mkfs(void **state)
{
	char path[64], err[512];
	struct probe_info pi;

	assert_int_equal(deploy_mkfs("zfs", "/dev/null", "cow", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected ext4, xfs or btrfs"));
	if (!have("mkfs.ext4")) {
		skip();
		return;
	}
	assert_int_equal(deploy_mkfs_find("ext4", path, sizeof(path), err, sizeof(err)), 0);
	assert_non_null(strstr(path, "/mkfs.ext4"));
	assert_int_equal(deploy_mkfs_find("btrfs2", NULL, 0, err, sizeof(err)), -EINVAL);
	tmp_image(path, 16 << 20);
	assert_int_equal(deploy_mkfs("ext4", path, "cow", err, sizeof(err)), 0);
	assert_int_equal(probe_path(path, &pi), 0);
	assert_string_equal(pi.fstype, "ext4");
	assert_string_equal(pi.label, "cow");
	unlink(path);
	/* a failure names the command and carries mkfs's own last line */
	assert_int_equal(deploy_mkfs("ext4", "/nonexistent/dev", "cow", err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "mkfs.ext4 -L cow /nonexistent/dev failed (exit"));
	assert_non_null(strstr(err, "/nonexistent/dev"));
	assert_null(strchr(err, '\n'));
}

/* deploy_complete: the only way to a complete record; a wrong digest or an odd
 * byte count leaves the "writing" record as it was. */
static void test_complete(void **state)
{
	const uint64_t disk = 64ull << 20;
	struct deploy_info m, before;
	uint8_t buf[DEPLOY_RECORD_SIZE];
	char err[256];
	struct deploy_info back;

	(void)state;
	m = info(DEPLOY_STATE_WRITING, "http://h/a.iso", sum_a, disk);
	m.image_bytes = 0;
	before = m;
	/* a mismatch: no complete record */
	assert_int_equal(deploy_complete(&m, 5 << 20, sum_a, sum_b, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "sha256"));
	assert_memory_equal(&m, &before, sizeof(m));
	/* nothing written, or more than the disk outside its record area */
	assert_int_equal(deploy_complete(&m, 0, sum_a, sum_a, err, sizeof(err)), -EINVAL);
	assert_int_equal(deploy_complete(&m, disk - DEPLOY_RESERVE + 1, sum_a, sum_a, err, sizeof(err)), -EINVAL);
	assert_memory_equal(&m, &before, sizeof(m));
	/* the digest matches: complete, with the bytes written as the image's size */
	assert_int_equal(deploy_complete(&m, (5 << 20) + 123, sum_a, sum_a, err, sizeof(err)), 0);
	assert_int_equal(m.state, DEPLOY_STATE_COMPLETE);
	assert_int_equal(m.image_bytes, (5 << 20) + 123);
	assert_true(m.has_sha256);
	assert_memory_equal(m.image_sha256, sum_a, 32);
	assert_int_equal(deploy_record_encode(&m, buf), 0);
	assert_int_equal(deploy_record_decode(buf, sizeof(buf), &back), 0);
	assert_int_equal(back.state, DEPLOY_STATE_COMPLETE);
	assert_int_equal(back.image_bytes, (5 << 20) + 123);
	/* a complete record is not completed again */
	assert_int_equal(deploy_complete(&m, 1 << 20, NULL, sum_a, err, sizeof(err)), -EINVAL);
	/* no expected digest: complete, and the record says it was not checked */
	m = info(DEPLOY_STATE_WRITING, "http://h/a.iso", NULL, disk);
	assert_int_equal(deploy_complete(&m, 1 << 20, NULL, sum_b, err, sizeof(err)), 0);
	assert_false(m.has_sha256);
	assert_int_equal(m.image_bytes, 1 << 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_roundtrip), cmocka_unit_test(test_record_damage),
		cmocka_unit_test(test_record_long_url),  cmocka_unit_test(test_judge),
		cmocka_unit_test(test_inspect_mark),	 cmocka_unit_test(test_mkfs), cmocka_unit_test(test_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
