/*
 * Table tests for blockdev/part.c: reading MBR/GPT from sector bytes, the free
 * space after an image, adding an MBR entry (checked against sfdisk when it is
 * installed), partition node names, CRC-32, and random sectors that must never
 * crash the reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockdev/part.h"

#define MAXE 4

/* One MBR slot to put into a test sector. */
struct slot {
	uint8_t status, type;
	uint32_t start, count;
};

enum layout { L_ZERO, L_MBR, L_NO_SIG, L_FAT, L_GPT512, L_GPT4096 };

static void make_disk(uint8_t *buf, size_t len, enum layout l, const struct slot *s)
{
	memset(buf, 0, len);
	if (l == L_FAT) {
		buf[0] = 0xeb; buf[1] = 0x3c; buf[2] = 0x90;
		memcpy(buf + 3, "mkfs.fat", 8);
		buf[446] = 0x12;	/* boot code bytes where entries would be */
		buf[510] = 0x55; buf[511] = 0xaa;
		return;
	}
	if (l == L_GPT512)
		memcpy(buf + 512, "EFI PART", 8);
	if (l == L_GPT4096)
		memcpy(buf + 4096, "EFI PART", 8);
	if (l == L_ZERO || l == L_GPT512 || l == L_GPT4096)
		return;
	for (unsigned i = 0; s && i < MAXE; i++) {
		struct part_mbr_entry e = { .status = s[i].status, .type = s[i].type,
					    .lba_first = htole32(s[i].start), .lba_count = htole32(s[i].count) };

		memcpy(buf + PART_MBR_TABLE_OFFSET + i * sizeof(e), &e, sizeof(e));
	}
	if (l == L_MBR) {
		buf[510] = 0x55;
		buf[511] = 0xaa;
	}
}

/* ---- part_read ----------------------------------------------------------- */

struct read_row {
	enum layout layout;
	struct slot slots[MAXE];
	size_t len;
	int rc;
	enum part_scheme scheme;
	unsigned n;
	unsigned first_number;	/* number of the first used entry (n > 0) */
};

static void check_read(const char *file, int line, const struct read_row *r)
{
	static uint8_t buf[PART_PROBE_BYTES];
	struct part_table t;
	int rc;

	make_disk(buf, sizeof(buf), r->layout, r->slots);
	rc = part_read(buf, r->len ? r->len : sizeof(buf), &t);
	if (rc != r->rc || (rc == 0 && (t.scheme != r->scheme || t.n != r->n)) ||
	    (rc == 0 && r->n && t.e[0].number != r->first_number))
		fail_msg("%s:%d: rc %d scheme %s n %u (first %u), expected rc %d scheme %s n %u (first %u)", file, line,
			 rc, part_scheme_name(t.scheme), t.n, t.n ? t.e[0].number : 0, r->rc,
			 part_scheme_name(r->scheme), r->n, r->first_number);
}

#define RD(...) { __FILE__, __LINE__, { __VA_ARGS__ } }
static const struct {
	const char *file;
	int line;
	struct read_row r;
} read_rows[] = {
	RD(.layout = L_ZERO, .scheme = PART_NONE),
	RD(.layout = L_MBR, .slots = { { 0, 0x83, 2048, 4096 } }, .scheme = PART_MBR, .n = 1, .first_number = 1),
	RD(.layout = L_MBR, .slots = { { 0, 0, 0, 0 }, { 0x80, 0x0c, 63, 100 } }, .scheme = PART_MBR, .n = 1,
	   .first_number = 2),
	RD(.layout = L_MBR, .slots = { { 0, 0x83, 2048, 4096 }, { 0, 0x83, 8192, 10 }, { 0, 0x82, 9000, 10 },
				      { 0, 0x07, 20000, 1 } }, .scheme = PART_MBR, .n = 4, .first_number = 1),
	/* a GPT's protective entry, and the header itself at LBA 1 of either sector size */
	RD(.layout = L_MBR, .slots = { { 0, 0xee, 1, 0xffffffff } }, .scheme = PART_GPT),
	RD(.layout = L_GPT512, .scheme = PART_GPT),
	RD(.layout = L_GPT4096, .scheme = PART_GPT),
	RD(.layout = L_GPT4096, .len = 4096, .scheme = PART_NONE), /* not read that far */
	/* not a table: a FAT boot sector, overlapping entries, a bad status, no 55aa */
	RD(.layout = L_FAT, .scheme = PART_NONE),
	RD(.layout = L_MBR, .slots = { { 0, 0x83, 2048, 4096 }, { 0, 0x83, 4000, 10 } }, .scheme = PART_NONE),
	/* isohybrid: one entry from LBA 0 over the whole ISO */
	RD(.layout = L_MBR, .slots = { { 0x80, 0x17, 0, 4096 } }, .scheme = PART_MBR, .n = 1, .first_number = 1),
	RD(.layout = L_MBR, .slots = { { 0x12, 0x83, 2048, 4096 } }, .scheme = PART_NONE),
	RD(.layout = L_NO_SIG, .slots = { { 0, 0x83, 2048, 4096 } }, .scheme = PART_NONE),
	RD(.layout = L_MBR, .scheme = PART_NONE),	/* 55aa, every slot empty */
	RD(.layout = L_MBR, .slots = { { 0, 0x83, 2048, 0 } }, .scheme = PART_NONE), /* a type without sectors */
	RD(.layout = L_ZERO, .len = 511, .rc = -EINVAL),
};

static void test_read(void **state)
{
	for (size_t i = 0; i < sizeof(read_rows) / sizeof(read_rows[0]); i++)
		check_read(read_rows[i].file, read_rows[i].line, &read_rows[i].r);
}

/* ---- part_free_after ----------------------------------------------------- */

struct free_row {
	struct slot slots[MAXE];
	uint64_t min_start, limit, align;
	int rc;
	uint64_t start, count;
};

static void check_free(const char *file, int line, const struct free_row *r)
{
	static uint8_t buf[PART_SECTOR];
	struct part_table t;
	uint64_t start = 0, count = 0;
	int rc;

	make_disk(buf, sizeof(buf), L_MBR, r->slots);
	part_read(buf, sizeof(buf), &t);
	rc = part_free_after(&t, r->min_start, r->limit, r->align, &start, &count);
	if (rc != r->rc || (rc == 0 && (start != r->start || count != r->count)))
		fail_msg("%s:%d: rc %d start %llu count %llu, expected rc %d start %llu count %llu", file, line, rc,
			 (unsigned long long)start, (unsigned long long)count, r->rc, (unsigned long long)r->start,
			 (unsigned long long)r->count);
}

#define FR(...) { __FILE__, __LINE__, { __VA_ARGS__ } }
static const struct {
	const char *file;
	int line;
	struct free_row r;
} free_rows[] = {
	/* an ISO of 100 sectors on a 1 GiB disk: from the first MiB to the limit */
	FR(.min_start = 100, .limit = 2097152 - 2048, .align = 2048, .start = 2048, .count = 2097152 - 4096),
	/* exactly aligned image end */
	FR(.min_start = 4096, .limit = 10240, .align = 2048, .start = 4096, .count = 6144),
	/* after an existing entry that ends later than the image */
	FR(.slots = { { 0, 0x17, 64, 5000 } }, .min_start = 100, .limit = 20480, .align = 2048, .start = 6144,
	   .count = 14336),
	/* limit not aligned: rounded down */
	FR(.min_start = 1, .limit = 5000, .align = 2048, .start = 2048, .count = 2048),
	/* no room */
	FR(.min_start = 3000, .limit = 5000, .align = 2048, .rc = -ENOSPC),
	FR(.min_start = 4096, .limit = 4096, .align = 2048, .rc = -ENOSPC),
	/* MBR's 32-bit limit: a disk of 4 TiB gets a partition up to 2 TiB */
	FR(.min_start = 2048, .limit = 1ull << 33, .align = 2048, .start = 2048, .count = (1ull << 32) - 2048),
	FR(.min_start = 1ull << 32, .limit = 1ull << 33, .align = 2048, .rc = -E2BIG),
	FR(.min_start = 1, .limit = 100, .align = 0, .rc = -EINVAL),
};

static void test_free_after(void **state)
{
	for (size_t i = 0; i < sizeof(free_rows) / sizeof(free_rows[0]); i++)
		check_free(free_rows[i].file, free_rows[i].line, &free_rows[i].r);
}

/* ---- part_mbr_add -------------------------------------------------------- */

struct add_row {
	enum layout layout;
	struct slot slots[MAXE];
	uint64_t start, count;
	int rc;
	unsigned number;
};

static void check_add(const char *file, int line, const struct add_row *r)
{
	static uint8_t buf[PART_PROBE_BYTES], before[PART_SECTOR];
	struct part_table t;
	unsigned number = 0, i;
	uint32_t sig;
	int rc;

	make_disk(buf, sizeof(buf), r->layout, r->slots);
	buf[17] = 0x42;	/* boot code / ISO system area bytes must survive */
	memcpy(before, buf, sizeof(before));
	rc = part_mbr_add(buf, PART_MBR_TYPE_LINUX, r->start, r->count, 0xdeadbeef, &number);
	if (rc != r->rc || (rc == 0 && number != r->number))
		fail_msg("%s:%d: rc %d number %u, expected rc %d number %u", file, line, rc, number, r->rc, r->number);
	if (rc != 0) {
		if (memcmp(before, buf, sizeof(before)))
			fail_msg("%s:%d: a refused add changed the sector", file, line);
		return;
	}
	if (memcmp(before, buf, PART_MBR_SIG_OFFSET))
		fail_msg("%s:%d: bytes before the disk signature changed", file, line);
	part_read(buf, PART_SECTOR, &t);
	for (i = 0; i < t.n && t.e[i].number != number; i++)
		;
	if (t.scheme != PART_MBR || i == t.n || t.e[i].start != r->start || t.e[i].count != r->count ||
	    t.e[i].type != PART_MBR_TYPE_LINUX)
		fail_msg("%s:%d: the table read back does not hold the new entry", file, line);
	memcpy(&sig, buf + PART_MBR_SIG_OFFSET, 4);
	if (r->layout == L_ZERO && le32toh(sig) != 0xdeadbeef)
		fail_msg("%s:%d: disk signature %08x, expected deadbeef", file, line, le32toh(sig));
}

#define AD(...) { __FILE__, __LINE__, { __VA_ARGS__ } }
static const struct {
	const char *file;
	int line;
	struct add_row r;
} add_rows[] = {
	AD(.layout = L_ZERO, .start = 2048, .count = 4096, .number = 1),
	AD(.layout = L_NO_SIG, .slots = { { 0x77, 0x83, 5, 5 } }, .start = 2048, .count = 4096, .number = 1),
	AD(.layout = L_MBR, .slots = { { 0x80, 0x17, 64, 1000 } }, .start = 2048, .count = 4096, .number = 2),
	AD(.layout = L_MBR, .slots = { { 0, 0x83, 64, 100 }, { 0, 0, 0, 0 }, { 0, 0x83, 500, 10 } }, .start = 2048,
	   .count = 10, .number = 2),
	AD(.layout = L_MBR, .slots = { { 0x80, 0x17, 64, 3000 } }, .start = 2048, .count = 4096, .rc = -EEXIST),
	AD(.layout = L_MBR, .slots = { { 0x80, 0x17, 0, 2000 } }, .start = 2048, .count = 4096, .number = 2),
	AD(.layout = L_MBR, .slots = { { 0, 1, 1, 1 }, { 0, 1, 2, 1 }, { 0, 1, 3, 1 }, { 0, 1, 4, 1 } },
	   .start = 2048, .count = 1, .rc = -ENOSPC),
	AD(.layout = L_MBR, .slots = { { 0, 0xee, 1, 100 } }, .start = 2048, .count = 1, .rc = -ENOTSUP),
	AD(.layout = L_FAT, .start = 2048, .count = 1, .rc = -EEXIST),
	AD(.layout = L_ZERO, .start = 0xffffffffull, .count = 2, .rc = -E2BIG),
	AD(.layout = L_ZERO, .start = 2048, .count = 0, .rc = -EINVAL),
	AD(.layout = L_ZERO, .start = 0, .count = 10, .rc = -EINVAL),
};

static void test_mbr_add(void **state)
{
	for (size_t i = 0; i < sizeof(add_rows) / sizeof(add_rows[0]); i++)
		check_add(add_rows[i].file, add_rows[i].line, &add_rows[i].r);
}

/* What we write, sfdisk reads the same way (skipped without sfdisk). */
static void test_mbr_add_sfdisk(void **state)
{
	char path[] = "/tmp/netinit-part-XXXXXX", cmd[256], line[256];
	uint8_t sector[PART_SECTOR] = { 0 };
	unsigned number;
	bool seen = false;
	FILE *p;
	int fd;

	if (system("command -v sfdisk >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	assert_int_equal(part_mbr_add(sector, PART_MBR_TYPE_LINUX, 4096, 8192, 0x1234abcd, &number), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, sector, sizeof(sector), 0), (ssize_t)sizeof(sector));
	assert_int_equal(ftruncate(fd, 16 << 20), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sfdisk --dump %s 2>&1", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "label-id: 0x1234abcd"))
			seen = true;
		if (strstr(line, "1 : start=")) {
			assert_non_null(strstr(line, "start=        4096, size=        8192, type=83"));
		}
	}
	pclose(p);
	unlink(path);
	assert_true(seen);
}

/* ---- names, CRC, hostile bytes ------------------------------------------- */

static void test_dev_name(void **state)
{
	static const struct {
		const char *disk;
		unsigned n;
		const char *out;
	} rows[] = {
		{ "/dev/vda", 1, "/dev/vda1" },		{ "/dev/sdb", 3, "/dev/sdb3" },
		{ "/dev/nvme0n1", 1, "/dev/nvme0n1p1" }, { "/dev/mmcblk0", 2, "/dev/mmcblk0p2" },
		{ "/dev/loop7", 1, "/dev/loop7p1" },
	};
	char out[32], tiny[8];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(part_dev_name(rows[i].disk, rows[i].n, out, sizeof(out)), 0);
		assert_string_equal(out, rows[i].out);
	}
	assert_int_equal(part_dev_name("/dev/nvme0n1", 1, tiny, sizeof(tiny)), -ENAMETOOLONG);
}

static void test_crc32(void **state)
{
	assert_int_equal(part_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(part_crc32(0, "", 0), 0);
	/* chained calls equal one call */
	assert_int_equal(part_crc32(part_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void test_random_sectors(void **state)
{
	static uint8_t buf[PART_PROBE_BYTES];
	struct part_table t;
	uint64_t s, c;
	unsigned n;

	srand(1);
	for (int i = 0; i < 20000; i++) {
		for (size_t j = 0; j < sizeof(buf); j++)
			buf[j] = (uint8_t)rand();
		if (i & 1) {	/* keep the boot signature so the entries get parsed */
			buf[510] = 0x55;
			buf[511] = 0xaa;
			for (int k = 0; k < 4; k++)
				buf[446 + 16 * k] = (uint8_t)((rand() & 1) ? 0x80 : 0);
		}
		assert_int_equal(part_read(buf, sizeof(buf), &t), 0);
		assert_true(t.n <= PART_MBR_ENTRIES);
		part_free_after(&t, (uint64_t)rand(), (uint64_t)rand() << 8, 2048, &s, &c);
		part_mbr_add(buf, PART_MBR_TYPE_LINUX, 1 + (uint64_t)(rand() & 0xffff), 1 + (uint64_t)(rand() & 0xffff),
			     1, &n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),	     cmocka_unit_test(test_free_after),
		cmocka_unit_test(test_mbr_add),	     cmocka_unit_test(test_mbr_add_sfdisk),
		cmocka_unit_test(test_dev_name),     cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_random_sectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
