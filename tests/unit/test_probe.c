/*
 * Table tests for fs/probe.c on real images made by Debian's mkfs tools
 * (tests/unit/fixtures/probe/mkimages.sh, run at startup into
 * $NETINIT_BUILD/unit/fixtures/probe), cross-checked against blkid, plus
 * truncated, corrupted and hand-made hostile images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/probe.h"

static char fixdir[512];

static int make_fixtures(void **state)
{
	const char *root = getenv("NETINIT_ROOT");
	const char *build = getenv("NETINIT_BUILD");
	char cmd[1200];

	(void)state;
	if (!root)
		root = ".";
	if (!build)
		build = "build";
	snprintf(fixdir, sizeof(fixdir), "%s/unit/fixtures/probe", build);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/unit/fixtures/probe/mkimages.sh' '%s'", root, fixdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_probe: fixture script failed; image rows will skip\n");
	return 0;
}

static bool fixture(const char *name, char *path, size_t len)
{
	struct stat st;

	snprintf(path, len, "%s/%s", fixdir, name);
	return stat(path, &st) == 0;
}

#define SIZE_ANY UINT64_MAX	/* size recorded but tool-dependent: only > 0 */

struct image_row {
	const char *file;
	int rc;
	enum probe_type type;
	const char *fstype, *label, *uuid;
	uint64_t size;
};

static void check_image(const char *file, int line, const struct image_row *r)
{
	char path[700];
	struct probe_info pi;
	int rc;

	if (!fixture(r->file, path, sizeof(path))) {
		print_message("%s:%d: SKIP %s (tool missing)\n", file, line, r->file);
		return;
	}
	rc = probe_path(path, &pi);
	if (rc != r->rc)
		fail_msg("%s:%d: %s: rc %d, want %d", file, line, r->file, rc, r->rc);
	if (rc)
		return;
	if (pi.type != r->type || strcmp(pi.fstype, r->fstype) || strcmp(pi.label, r->label) ||
	    strcmp(pi.uuid, r->uuid))
		fail_msg("%s:%d: %s: got %s label='%s' uuid='%s'; want %s label='%s' uuid='%s'",
			 file, line, r->file, pi.fstype, pi.label, pi.uuid, r->fstype, r->label, r->uuid);
	if (r->size == SIZE_ANY ? pi.size == 0 : pi.size != r->size)
		fail_msg("%s:%d: %s: size %llu, want %llu", file, line, r->file,
			 (unsigned long long)pi.size, (unsigned long long)r->size);
}

#define IMG(...) check_image(__FILE__, __LINE__, &(const struct image_row){ __VA_ARGS__ })

static void test_real_images(void **state)
{
	(void)state;
	IMG("ext4.img", 0, PROBE_EXT4, "ext4", "rootfs", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 16 << 20);
	IMG("ext2.img", 0, PROBE_EXT4, "ext4", "old-ext2", "11111111-2222-3333-4444-555555555555", 4 << 20);
	IMG("ext4-odd.img", 0, PROBE_EXT4, "ext4", "my/data 1", "22222222-3333-4444-5555-666666666666", 4 << 20);
	IMG("xfs.img", 0, PROBE_XFS, "xfs", "xfsroot", "a1b2c3d4-e5f6-4788-99aa-bbccddeeff00", 300 << 20);
	IMG("squashfs.img", 0, PROBE_SQUASHFS, "squashfs", "", "", SIZE_ANY);
	IMG("erofs.img", 0, PROBE_EROFS, "erofs", "", "0a0b0c0d-1e1f-4a4b-8c8d-9e9fa0a1a2a3", SIZE_ANY);
	IMG("erofs-null.img", 0, PROBE_EROFS, "erofs", "", "", SIZE_ANY);
	IMG("iso.img", 0, PROBE_ISO9660, "iso9660", "NETINIT_LIVE", "2024-01-02-03-04-05-06", SIZE_ANY);
	IMG("iso-long.img", 0, PROBE_ISO9660, "iso9660", "THIS_IS_A_LONG_VOLUME_ID_1234",
	    "2023-12-31-23-59-59-99", SIZE_ANY);
	IMG("vfat16.img", 0, PROBE_VFAT, "vfat", "BOOTLBL", "1234-ABCD", 8 << 20);
	IMG("vfat32.img", 0, PROBE_VFAT, "vfat", "ESP32", "DEAD-BEEF", 40 << 20);
	IMG("udf.img", 0, PROBE_UDF, "udf", "UdfVolume", "0123456789abcdef", 0);
	IMG("btrfs.img", 0, PROBE_BTRFS, "btrfs", "btrlabel", "5a5b5c5d-6e6f-4070-8182-939495969798", 128 << 20);
	/* Partition tables are not filesystems. */
	IMG("gpt.img", -EMEDIUMTYPE, PROBE_UNKNOWN, "unknown", "", "", 0);
	IMG("mbr.img", -EMEDIUMTYPE, PROBE_UNKNOWN, "unknown", "", "", 0);
}

/* blkid value of KEY for path ("" if none), via `blkid -p -o export`. */
static void blkid_value(const char *path, const char *key, char *out, size_t len)
{
	char cmd[800], line[512];
	size_t klen = strlen(key);
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "blkid -p -o export '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			/* export format escapes spaces etc. with a backslash */
			size_t n = 0;
			for (const char *s = line + klen + 1; *s && n + 1 < len; s++) {
				if (*s == '\\' && s[1])
					s++;
				out[n++] = *s;
			}
			out[n] = '\0';
		}
	}
	pclose(p);
}

/* Every fixture: type, label and UUID must be what blkid says. */
static void test_against_blkid(void **state)
{
	static const char *const files[] = {
		"ext4.img", "ext2.img", "ext4-odd.img", "xfs.img", "squashfs.img", "erofs.img",
		"erofs-null.img", "iso.img", "iso-long.img", "vfat16.img", "vfat32.img", "udf.img",
		"btrfs.img",
	};
	char path[700], type[64], label[300], uuid[64];
	struct probe_info pi;

	(void)state;
	if (system("command -v blkid >/dev/null 2>&1") != 0)
		skip();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!fixture(files[i], path, sizeof(path)))
			continue;
		assert_int_equal(probe_path(path, &pi), 0);
		blkid_value(path, "TYPE", type, sizeof(type));
		blkid_value(path, "LABEL", label, sizeof(label));
		blkid_value(path, "UUID", uuid, sizeof(uuid));
		if (!strcmp(type, "ext2") || !strcmp(type, "ext3"))
			strcpy(type, "ext4");
		if (strcmp(type, pi.fstype) || strcmp(label, pi.label) || strcmp(uuid, pi.uuid))
			fail_msg("%s: blkid says %s '%s' '%s', probe says %s '%s' '%s'", files[i], type,
				 label, uuid, pi.fstype, pi.label, pi.uuid);
	}
}

/* An in-memory file with the given bytes. */
static int mem_file(const void *data, size_t len)
{
	int fd = memfd_create("probe-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	if (len)
		assert_int_equal(pwrite(fd, data, len, 0), (ssize_t)len);
	return fd;
}

static void *slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf = malloc(max);
	ssize_t n;

	assert_true(fd >= 0);
	assert_non_null(buf);
	n = pread(fd, buf, max, 0);
	close(fd);
	assert_true(n > 0);
	*len = (size_t)n;
	return buf;
}

/* The result must be a clean "found" or "unknown", strings terminated. */
static void check_sane(const char *what, size_t arg, int rc, const struct probe_info *pi)
{
	if (rc != 0 && rc != -EMEDIUMTYPE)
		fail_msg("%s (%zu): rc %d", what, arg, rc);
	assert_non_null(pi->fstype);
	assert_true(memchr(pi->label, '\0', sizeof(pi->label)) != NULL);
	assert_true(memchr(pi->uuid, '\0', sizeof(pi->uuid)) != NULL);
	if (rc == 0)
		assert_int_not_equal(pi->type, PROBE_UNKNOWN);
}

static const char *const all_images[] = {
	"ext4.img", "ext2.img", "xfs.img", "squashfs.img", "erofs.img", "iso.img", "iso-long.img",
	"vfat16.img", "vfat32.img", "udf.img", "btrfs.img", "gpt.img", "mbr.img",
};

#define PREFIX_MAX (256 * 1024)

/* Every prefix length around the superblocks of every image. */
static void test_truncated(void **state)
{
	static const size_t cuts[] = {
		0, 1, 11, 36, 64, 90, 511, 512, 513, 1024, 1080, 1100, 1124, 1200, 2048, 4096,
		8192, 32768, 32769, 32774, 33000, 34816, 36864, 40960, 65536, 65600, 65700,
		65900, 69632, 131072, 131584, 135168, 200000,
	};
	char path[700];

	(void)state;
	for (size_t i = 0; i < sizeof(all_images) / sizeof(all_images[0]); i++) {
		size_t len;
		if (!fixture(all_images[i], path, sizeof(path)))
			continue;
		char *img = slurp(path, PREFIX_MAX, &len);
		for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
			struct probe_info pi;
			int fd = mem_file(img, cuts[c] < len ? cuts[c] : len);
			int rc = probe_fd(fd, &pi);
			close(fd);
			check_sane(all_images[i], cuts[c], rc, &pi);
		}
		free(img);
	}
}

/* Random byte corruption of the superblock area: never a crash or a hang. */
static void test_corrupted(void **state)
{
	char path[700];
	uint32_t x = 0x9e3779b9;

	(void)state;
	for (size_t i = 0; i < sizeof(all_images) / sizeof(all_images[0]); i++) {
		size_t len;
		if (!fixture(all_images[i], path, sizeof(path)))
			continue;
		char *img = slurp(path, PREFIX_MAX, &len);
		char *copy = malloc(len);
		assert_non_null(copy);
		for (int round = 0; round < 300; round++) {
			struct probe_info pi;
			memcpy(copy, img, len);
			for (int k = 0; k < 16; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				/* bias towards the superblock areas: first 72 KiB */
				size_t off = x % (len < 73728 ? len : 73728);
				copy[off] = (char)(x >> 24);
			}
			int fd = mem_file(copy, len);
			int rc = probe_fd(fd, &pi);
			close(fd);
			check_sane(all_images[i], (size_t)round, rc, &pi);
		}
		free(copy);
		free(img);
	}
}

/* ---- hand-made hostile images ------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

struct crafted_row {
	const char *name;
	void (*build)(uint8_t *img, size_t len);
	size_t len;
	int rc;
	const char *fstype, *label, *uuid;
	uint64_t size;
};

/* FAT32 whose root directory cluster chain points at itself. */
static void fat32_loop(uint8_t *b, size_t len)
{
	(void)len;
	b[0] = 0xeb; b[1] = 0x58; b[2] = 0x90;
	put16(b + 11, 512);	/* bytes per sector */
	b[13] = 1;		/* sectors per cluster */
	put16(b + 14, 32);	/* reserved */
	b[16] = 2;		/* FATs */
	b[21] = 0xf8;		/* media */
	put32(b + 32, 70000);	/* sectors */
	put32(b + 36, 600);	/* FAT length */
	put32(b + 44, 2);	/* root cluster */
	b[66] = 0x29;
	put32(b + 67, 0xcafef00d);
	memcpy(b + 71, "BOOTSECTLBL", 11);
	memcpy(b + 82, "FAT32   ", 8);
	put32(b + 32 * 512 + 2 * 4, 2);	/* FAT[2] = 2: a loop */
	/* root dir (cluster 2 at sector 32 + 2*600) is full of file entries */
	for (size_t off = (32 + 1200) * 512; off < (32 + 1201) * 512; off += 32) {
		memcpy(b + off, "FILE    TXT", 11);
		b[off + 11] = 0x20;
	}
}

/* FAT16 with a label entry in the root directory and "NO NAME" in the BPB. */
static void fat16_rootlabel(uint8_t *b, size_t len)
{
	(void)len;
	b[0] = 0xeb; b[1] = 0x3c; b[2] = 0x90;
	put16(b + 11, 512);
	b[13] = 4;
	put16(b + 14, 1);
	b[16] = 2;
	put16(b + 17, 512);	/* root entries */
	put16(b + 19, 40000);
	b[21] = 0xf8;
	put16(b + 22, 40);	/* FAT length */
	b[38] = 0x29;
	put32(b + 39, 0x0000abcd);
	memcpy(b + 43, "NO NAME    ", 11);
	memcpy(b + 54, "FAT16   ", 8);
	size_t root = (1 + 2 * 40) * 512;
	b[root] = 0xe5;			/* deleted entry first */
	memcpy(b + root + 32, "REAL LABEL ", 11);
	b[root + 32 + 11] = 0x08;
}

/* An MBR (boot code + partition table), not a FAT boot sector. */
static void mbr_only(uint8_t *b, size_t len)
{
	(void)len;
	b[0] = 0xfa; b[1] = 0x31; b[2] = 0xc0;
	b[446] = 0x80; b[450] = 0x83; put32(b + 454, 2048); put32(b + 458, 4096);
	b[510] = 0x55; b[511] = 0xaa;
}

/* ISO whose descriptor set never terminates (every sector "CD001" type 2). */
static void iso_endless(uint8_t *b, size_t len)
{
	for (size_t off = 32768; off + 2048 <= len; off += 2048) {
		b[off] = (off == 32768) ? 1 : 2;
		memcpy(b + off + 1, "CD001", 5);
		b[off + 6] = 1;
		memset(b + off + 40, ' ', 32);
		memcpy(b + off + 40, "ENDLESS", 7);
		put32(b + off + 80, 0xffffffff);	/* huge space size */
		put16(b + off + 128, 0xffff);		/* silly block size */
		memset(b + off + 813, '9', 16);
		memset(b + off + 830, 'x', 16);		/* non-digit modified date */
	}
}

/* Joliet label that differs from the PVD label; surrogates and NULs. */
static void iso_joliet(uint8_t *b, size_t len)
{
	(void)len;
	uint8_t *p = b + 32768, *s = p + 2048, *t = s + 2048;
	p[0] = 1; memcpy(p + 1, "CD001", 5); p[6] = 1;
	memset(p + 40, ' ', 32); memcpy(p + 40, "PLAIN", 5);
	memcpy(p + 813, "2020020304050600", 16);
	memset(p + 830, '0', 16);	/* unset modified: falls back to created */
	s[0] = 2; memcpy(s + 1, "CD001", 5); s[6] = 1;
	memcpy(s + 88, "%/E", 3);
	static const uint8_t name[] = { 0, 'J', 0, 'o', 0xd8, 0x3d, 0xde, 0x00, 0xdc, 0x00, 0, '!' };
	memcpy(s + 40, name, sizeof(name));
	for (size_t i = sizeof(name); i < 32; i += 2) { s[40 + i] = 0; s[41 + i] = ' '; }
	t[0] = 255; memcpy(t + 1, "CD001", 5);
}

/* UDF with an absurd main descriptor sequence length and a bad dstring. */
static void udf_hostile(uint8_t *b, size_t len)
{
	(void)len;
	memcpy(b + 32768 + 1, "BEA01", 5);
	memcpy(b + 32768 + 2048 + 1, "NSR02", 5);
	memcpy(b + 32768 + 4096 + 1, "TEA01", 5);
	uint8_t *a = b + 256 * 512;
	put16(a, 2); put32(a + 12, 256);
	put32(a + 16, 0xffffffff);	/* main VDS length */
	put32(a + 20, 300);		/* main VDS location */
	uint8_t *l = b + 300 * 512;
	put16(l, 6); put32(l + 12, 300);
	l[84] = 8; memcpy(l + 85, "LatinLabel", 10); l[84 + 127] = 200;	/* length > field */
	uint8_t *v = b + 301 * 512;
	put16(v, 1); put32(v + 12, 301);
	v[72] = 99;	/* unknown compression id: no UUID */
}

/* ext4 with a 64-bit block count that overflows the byte size. */
static void ext4_huge(uint8_t *b, size_t len)
{
	(void)len;
	uint8_t *sb = b + 1024;
	put32(sb + 0x04, 0xffffffff);
	put32(sb + 0x18, 6);
	put16(sb + 0x38, 0xef53);
	put32(sb + 0x60, 0x80);
	put32(sb + 0x150, 0xffffffff);
	memcpy(sb + 0x78, "0123456789abcdefOVERRUN", 16);	/* no NUL in 16 bytes */
}

/* ext4 external journal device: not a mountable filesystem. */
static void ext4_journal(uint8_t *b, size_t len)
{
	(void)len;
	put16(b + 1024 + 0x38, 0xef53);
	put32(b + 1024 + 0x60, 0x8);
}

/* xfs magic with a block size that is not a power of two. */
static void xfs_bad(uint8_t *b, size_t len)
{
	(void)len;
	put32be(b, 0x58465342);
	put32be(b + 4, 3000);
}

static void squashfs_v3(uint8_t *b, size_t len)
{
	(void)len;
	put32(b, 0x73717368);
	put16(b + 22, 17); put32(b + 12, 1 << 17);
	put16(b + 28, 3);
}

static void erofs_bad_bits(uint8_t *b, size_t len)
{
	(void)len;
	put32(b + 1024, 0xe0f5e1e2);
	b[1024 + 12] = 40;	/* 1 << 40 blocks: rejected */
}

static void btrfs_wrong_bytenr(uint8_t *b, size_t len)
{
	(void)len;
	memcpy(b + 0x10040, "_BHRfS_M", 8);
	put32(b + 0x10030, 0x20000);
}

static void btrfs_label_full(uint8_t *b, size_t len)
{
	(void)len;
	memcpy(b + 0x10040, "_BHRfS_M", 8);
	put32(b + 0x10030, 0x10000);
	memset(b + 0x10000 + 0x12b, 'L', 256);	/* no NUL: clamp */
}

static void check_crafted(const char *file, int line, const struct crafted_row *r)
{
	uint8_t *img = calloc(1, r->len);
	struct probe_info pi;
	int fd, rc;

	assert_non_null(img);
	r->build(img, r->len);
	fd = mem_file(img, r->len);
	rc = probe_fd(fd, &pi);
	close(fd);
	free(img);
	if (rc != r->rc)
		fail_msg("%s:%d: %s: rc %d, want %d", file, line, r->name, rc, r->rc);
	check_sane(r->name, 0, rc, &pi);
	if (rc == 0 && (strcmp(pi.fstype, r->fstype) || (r->label && strcmp(pi.label, r->label)) ||
			strcmp(pi.uuid, r->uuid) || pi.size != r->size))
		fail_msg("%s:%d: %s: got %s '%s' '%s' %llu; want %s '%s' '%s' %llu", file, line, r->name,
			 pi.fstype, pi.label, pi.uuid, (unsigned long long)pi.size, r->fstype,
			 r->label ? r->label : "(any)", r->uuid, (unsigned long long)r->size);
}

#define CRAFT(...) check_crafted(__FILE__, __LINE__, &(const struct crafted_row){ __VA_ARGS__ })

static void test_crafted(void **state)
{
	(void)state;
	CRAFT("fat32 root chain loop", fat32_loop, 1 << 20, 0, "vfat", "BOOTSECTLBL", "CAFE-F00D",
	      70000ULL * 512);
	CRAFT("fat16 root dir label", fat16_rootlabel, 1 << 20, 0, "vfat", "REAL LABEL", "0000-ABCD",
	      40000ULL * 512);
	CRAFT("mbr is not fat", mbr_only, 4096, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("iso endless descriptors", iso_endless, 256 * 1024, 0, "iso9660", "ENDLESS",
	      "9999-99-99-99-99-99-99", 0xffffffffULL * 0xffff);
	CRAFT("iso joliet label", iso_joliet, 40 * 1024, 0, "iso9660", "Jo\xf0\x9f\x98\x80\xef\xbf\xbd!",
	      "2020-02-03-04-05-06-00", 0);
	CRAFT("udf hostile lengths", udf_hostile, 200 * 1024, 0, "udf", "LatinLabel", "", 0);
	CRAFT("ext4 size overflow", ext4_huge, 4096, 0, "ext4", "0123456789abcdef", "", 0);
	CRAFT("ext4 journal device", ext4_journal, 4096, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("xfs bad block size", xfs_bad, 4096, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("squashfs v3", squashfs_v3, 4096, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("erofs bad blkszbits", erofs_bad_bits, 4096, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("btrfs wrong bytenr", btrfs_wrong_bytenr, 0x11000, -EMEDIUMTYPE, "", "", "", 0);
	CRAFT("btrfs unterminated label", btrfs_label_full, 0x11000, 0, "btrfs", NULL, "", 0);
}

static void test_misc(void **state)
{
	struct probe_info pi;
	int fd;

	(void)state;
	assert_int_equal(probe_path("/nonexistent/netinit-probe", &pi), -ENOENT);
	assert_string_equal(pi.fstype, "unknown");
	fd = mem_file(NULL, 0);
	assert_int_equal(probe_fd(fd, &pi), -EMEDIUMTYPE);
	close(fd);
	assert_int_equal(probe_fd(-1, &pi), -EBADF);
	assert_string_equal(probe_type_name(PROBE_XFS), "xfs");
	assert_string_equal(probe_type_name((enum probe_type)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_images),
		cmocka_unit_test(test_against_blkid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_misc),
	};
	return cmocka_run_group_tests(tests, make_fixtures, NULL);
}
