/*
 * Table tests for blockdev/devwait.c: devspec_parse (every form, escapes,
 * malformed rows), devspec_find against a fake /sys + /dev made of files and
 * symlinks to real images (GPT and MBR disks made with sgdisk/sfdisk), and
 * devspec_wait timing, ticks and devices that appear late.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blockdev/devwait.h"

/* ---- parsing ------------------------------------------------------------ */

struct parse_row {
	const char *in;
	int rc;
	enum devspec_kind kind;
	const char *value;	/* rc == 0: decoded value; else a needle in err */
};

static void check_parse(const char *file, int line, const struct parse_row *r)
{
	struct devspec s;
	char err[256] = "";
	int rc = devspec_parse(r->in, &s, err, sizeof(err));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d, want %d (%s)", file, line, r->in ? r->in : "(null)", rc,
			 r->rc, err);
	if (rc == 0 && (s.kind != r->kind || strcmp(s.value, r->value)))
		fail_msg("%s:%d: '%s': kind %d value '%s', want %d '%s'", file, line, r->in, s.kind,
			 s.value, r->kind, r->value);
	if (rc != 0 && (!strstr(err, r->value) || strchr(err, '\n')))
		fail_msg("%s:%d: '%s': error '%s' lacks '%s'", file, line, r->in ? r->in : "(null)", err,
			 r->value);
}

#define PARSE(...) check_parse(__FILE__, __LINE__, &(const struct parse_row){ __VA_ARGS__ })

static void test_parse(void **state)
{
	char longv[400];

	(void)state;
	PARSE("/dev/sda1", 0, DEVSPEC_PATH, "/dev/sda1");
	PARSE("/dev/mapper/root", 0, DEVSPEC_PATH, "/dev/mapper/root");
	PARSE("/dev/nbd0", 0, DEVSPEC_PATH, "/dev/nbd0");
	PARSE("LABEL=rootfs", 0, DEVSPEC_LABEL, "rootfs");
	PARSE("LABEL=my\\x2fdata\\x201", 0, DEVSPEC_LABEL, "my/data 1");
	PARSE("LABEL=UPPER\\x2Fhex", 0, DEVSPEC_LABEL, "UPPER/hex");
	PARSE("LABEL=back\\slash\\x2", 0, DEVSPEC_LABEL, "back\\slash\\x2");
	PARSE("LABEL=a=b", 0, DEVSPEC_LABEL, "a=b");
	PARSE("UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 0, DEVSPEC_UUID,
	      "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	PARSE("UUID=1234-ABCD", 0, DEVSPEC_UUID, "1234-ABCD");
	PARSE("UUID=2024-01-02-03-04-05-06", 0, DEVSPEC_UUID, "2024-01-02-03-04-05-06");
	PARSE("PARTUUID=12345678-01", 0, DEVSPEC_PARTUUID, "12345678-01");
	PARSE("PARTUUID=8A9B0C1D-2E3F-4051-9263-748596A7B8C9", 0, DEVSPEC_PARTUUID,
	      "8A9B0C1D-2E3F-4051-9263-748596A7B8C9");
	PARSE("PARTLABEL=netinit-root", 0, DEVSPEC_PARTLABEL, "netinit-root");
	PARSE("PARTLABEL=data\\x20part", 0, DEVSPEC_PARTLABEL, "data part");
	PARSE("CDLABEL=NETINIT_LIVE", 0, DEVSPEC_CDLABEL, "NETINIT_LIVE");
	PARSE("/dev/disk/by-label/my\\x2fdata", 0, DEVSPEC_LABEL, "my/data");
	PARSE("/dev/disk/by-uuid/1234-ABCD", 0, DEVSPEC_UUID, "1234-ABCD");
	PARSE("/dev/disk/by-partuuid/12345678-02", 0, DEVSPEC_PARTUUID, "12345678-02");
	PARSE("/dev/disk/by-partlabel/EFI\\x20System", 0, DEVSPEC_PARTLABEL, "EFI System");

	PARSE(NULL, -EINVAL, 0, "empty device spec");
	PARSE("", -EINVAL, 0, "empty device spec");
	PARSE("LABEL=", -EINVAL, 0, "empty value");
	PARSE("UUID=", -EINVAL, 0, "empty value");
	PARSE("PARTUUID=", -EINVAL, 0, "empty value");
	PARSE("/dev/disk/by-label/", -EINVAL, 0, "empty value");
	PARSE("UUID=not-a-uuid!", -EINVAL, 0, "hex digits");
	PARSE("UUID=0f1e 2d3c", -EINVAL, 0, "hex digits");
	PARSE("PARTUUID=12345678-01/PARTNROFF=1", -ENOTSUP, 0, "PARTNROFF");
	PARSE("LABEL=nul\\x00byte", -EINVAL, 0, "\\x00");
	PARSE("sda1", -EINVAL, 0, "expected /dev/<name>");
	PARSE("label=lower", -EINVAL, 0, "not understood");
	PARSE("FOO=bar", -EINVAL, 0, "not understood");
	PARSE("/dev/disk/by-id/ata-DISK", -ENOTSUP, 0, "needs udev");
	PARSE("/dev/disk/by-path/pci-0000", -ENOTSUP, 0, "needs udev");
	memset(longv, 'x', sizeof(longv));
	memcpy(longv, "LABEL=", 6);
	longv[sizeof(longv) - 1] = '\0';
	PARSE(longv, -ENAMETOOLONG, 0, "too long");
	longv[0] = '/';
	PARSE(longv, -ENAMETOOLONG, 0, "too long");
}

static void test_format(void **state)
{
	struct devspec s;
	char buf[64], small[6];

	(void)state;
	assert_int_equal(devspec_parse("PARTLABEL=data\\x20part", &s, NULL, 0), 0);
	assert_int_equal(devspec_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "PARTLABEL=data part");
	assert_int_equal(devspec_parse("/dev/vda", &s, NULL, 0), 0);
	assert_int_equal(devspec_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/dev/vda");
	assert_int_equal(devspec_format(&s, small, sizeof(small)), -ENOSPC);
}

/* ---- fake sysfs --------------------------------------------------------- */

static char fixdir[600];	/* absolute path of the images */
static char tree[PATH_MAX];	/* fake root: tree/sys, tree/dev */
static char sysroot[PATH_MAX + 8], devroot[PATH_MAX + 8];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

/* Add a block device: sysfs dir under devices/ (nested in parent for a
 * partition), the class/block symlink and the /dev node (a symlink to image,
 * or nothing when image is NULL). */
static void add_dev(const char *name, const char *parent, unsigned partno, const char *size,
		    const char *partname, const char *image)
{
	char dir[PATH_MAX + 300], path[PATH_MAX + 400], target[PATH_MAX + 400], uevent[256];

	if (parent)
		snprintf(dir, sizeof(dir), "%s/devices/virtual/block/%s/%s", sysroot, parent, name);
	else
		snprintf(dir, sizeof(dir), "%s/devices/virtual/block/%s", sysroot, name);
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/size", dir);
	write_file(path, size);
	snprintf(uevent, sizeof(uevent), "MAJOR=254\nMINOR=0\nDEVNAME=%s\nDEVTYPE=%s\n%s%s%s", name,
		 parent ? "partition" : "disk", partname ? "PARTNAME=" : "", partname ? partname : "",
		 partname ? "\n" : "");
	snprintf(path, sizeof(path), "%s/uevent", dir);
	write_file(path, uevent);
	if (parent) {
		char num[16];
		snprintf(num, sizeof(num), "%u\n", partno);
		snprintf(path, sizeof(path), "%s/partition", dir);
		write_file(path, num);
	} else {
		snprintf(path, sizeof(path), "%s/queue", dir);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/queue/logical_block_size", dir);
		write_file(path, "512\n");
	}
	snprintf(path, sizeof(path), "%s/class/block/%s", sysroot, name);
	snprintf(target, sizeof(target), "../../devices/virtual/block/%s%s%s", parent ? parent : "",
		 parent ? "/" : "", name);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
	if (image) {
		snprintf(path, sizeof(path), "%s/%s", devroot, name);
		snprintf(target, sizeof(target), "%s/%s", fixdir, image);
		unlink(path);
		assert_int_equal(symlink(target, path), 0);
	}
}

static int setup_tree(void **state)
{
	const char *root = getenv("NETINIT_ROOT");
	const char *build = getenv("NETINIT_BUILD");
	char cmd[1400], rel[600], cls[PATH_MAX + 40];

	(void)state;
	if (!root)
		root = ".";
	if (!build)
		build = "build";
	snprintf(rel, sizeof(rel), "%s/unit/fixtures/probe", build);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/unit/fixtures/probe/mkimages.sh' '%s'", root, rel);
	if (system(cmd) != 0)
		fprintf(stderr, "test_devwait: fixture script failed\n");
	if (!realpath(rel, fixdir))
		return -1;
	snprintf(tree, sizeof(tree), "/tmp/netinit-devwait-XXXXXX");
	if (!mkdtemp(tree))
		return -1;
	snprintf(sysroot, sizeof(sysroot), "%s/sys", tree);
	snprintf(devroot, sizeof(devroot), "%s/dev", tree);
	snprintf(cls, sizeof(cls), "%s/class/block", sysroot);
	mkdirs(cls);
	mkdirs(devroot);
	devwait_roots.sys = sysroot;
	devwait_roots.dev = devroot;

	/* vda: GPT disk; vda1 named by uevent, vda2 only in the GPT entry. */
	add_dev("vda", NULL, 0, "16384\n", NULL, "gpt.img");
	add_dev("vda1", "vda", 1, "4096\n", "netinit-root", "ext4.img");
	add_dev("vda2", "vda", 2, "2048\n", NULL, "ext4-odd.img");
	/* vdb: MBR disk with signature 0x12345678. */
	add_dev("vdb", NULL, 0, "16384\n", NULL, "mbr.img");
	add_dev("vdb1", "vdb", 1, "4096\n", NULL, "vfat16.img");
	add_dev("vdb2", "vdb", 2, "4096\n", NULL, "btrfs.img");
	add_dev("sr0", NULL, 0, "896\n", NULL, "iso.img");
	add_dev("sr1", NULL, 0, "8\n", NULL, "udf.img");
	/* loop0 has an image but size 0 (unbound loop): never matched. */
	add_dev("loop0", NULL, 0, "0\n", NULL, "ext2.img");
	/* nvme0n1: listed, but its /dev node is missing. */
	add_dev("nvme0n1", NULL, 0, "100\n", NULL, NULL);
	/* a dangling class/block entry */
	char dangling[PATH_MAX + 64];
	snprintf(dangling, sizeof(dangling), "%s/dangling", cls);
	if (symlink("../../devices/nowhere", dangling))
		return -1;
	return 0;
}

static int teardown_tree(void **state)
{
	char cmd[PATH_MAX + 20];

	(void)state;
	if (strncmp(tree, "/tmp/netinit-devwait-", 21))
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) == 0 ? 0 : -1;
}

static bool have_image(const char *name)
{
	char path[700];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	return stat(path, &st) == 0;
}

struct find_row {
	const char *spec;
	int rc;
	const char *dev;	/* expected node name under the fake /dev */
	const char *needs;	/* image the row depends on (skip if missing) */
};

static void check_find(const char *file, int line, const struct find_row *r)
{
	struct devspec s;
	char err[256], out[PATH_MAX], want[PATH_MAX + 64];
	int rc;

	if (r->needs && !have_image(r->needs)) {
		print_message("%s:%d: SKIP %s (no %s)\n", file, line, r->spec, r->needs);
		return;
	}
	rc = devspec_parse(r->spec, &s, err, sizeof(err));
	if (rc)
		fail_msg("%s:%d: parse '%s': %s", file, line, r->spec, err);
	out[0] = '\0';
	rc = devspec_find(&s, out, sizeof(out));
	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d (%s), want %d", file, line, r->spec, rc, out, r->rc);
	if (rc == 0) {
		snprintf(want, sizeof(want), "%s/%s", devroot, r->dev);
		if (strcmp(out, want))
			fail_msg("%s:%d: '%s': found %s, want %s", file, line, r->spec, out, want);
	}
}

#define FIND(...) check_find(__FILE__, __LINE__, &(const struct find_row){ __VA_ARGS__ })

static void test_find(void **state)
{
	(void)state;
	FIND("LABEL=rootfs", 0, "vda1", "ext4.img");
	FIND("UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 0, "vda1", "ext4.img");
	FIND("UUID=0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", 0, "vda1", "ext4.img");
	FIND("/dev/disk/by-uuid/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 0, "vda1", "ext4.img");
	FIND("PARTUUID=8a9b0c1d-2e3f-4051-9263-748596a7b8c9", 0, "vda1", "gpt.img");
	FIND("PARTUUID=8A9B0C1D-2E3F-4051-9263-748596A7B8C9", 0, "vda1", "gpt.img");
	FIND("PARTUUID=0d0e0f10-1112-4314-9516-1718191a1b1c", 0, "vda2", "gpt.img");
	FIND("PARTLABEL=netinit-root", 0, "vda1", "gpt.img");		/* from uevent */
	FIND("PARTLABEL=data\\x20part", 0, "vda2", "gpt.img");		/* from the GPT entry */
	FIND("LABEL=my\\x2fdata\\x201", 0, "vda2", "ext4-odd.img");
	FIND("/dev/disk/by-label/my\\x2fdata\\x201", 0, "vda2", "ext4-odd.img");
	FIND("PARTUUID=12345678-01", 0, "vdb1", "mbr.img");
	FIND("PARTUUID=12345678-02", 0, "vdb2", "mbr.img");
	FIND("PARTUUID=12345678-03", -ENOENT, NULL, "mbr.img");
	FIND("UUID=1234-abcd", 0, "vdb1", "vfat16.img");
	FIND("LABEL=BOOTLBL", 0, "vdb1", "vfat16.img");
	FIND("LABEL=btrlabel", 0, "vdb2", "btrfs.img");
	FIND("CDLABEL=NETINIT_LIVE", 0, "sr0", "iso.img");
	FIND("LABEL=NETINIT_LIVE", 0, "sr0", "iso.img");
	FIND("UUID=2024-01-02-03-04-05-06", 0, "sr0", "iso.img");
	FIND("CDLABEL=UdfVolume", 0, "sr1", "udf.img");
	FIND("/dev/vda1", 0, "vda1", NULL);
	FIND("/dev/sr0", 0, "sr0", NULL);
	/* not there */
	FIND("LABEL=old-ext2", -ENOENT, NULL, NULL);	/* only on the size-0 loop0 */
	FIND("LABEL=rootf", -ENOENT, NULL, NULL);
	FIND("LABEL=ROOTFS", -ENOENT, NULL, NULL);	/* labels are case-sensitive */
	FIND("UUID=0f1e2d3c", -ENOENT, NULL, NULL);
	FIND("PARTLABEL=nope", -ENOENT, NULL, NULL);
	FIND("PARTUUID=00000000-0000-0000-0000-000000000000", -ENOENT, NULL, NULL);
	FIND("/dev/nvme0n1", -ENOENT, NULL, NULL);
	FIND("/dev/nonexistent", -ENOENT, NULL, NULL);
}

static void test_find_small_buffer(void **state)
{
	struct devspec s;
	char out[8];

	(void)state;
	if (!have_image("ext4.img"))
		skip();
	assert_int_equal(devspec_parse("LABEL=rootfs", &s, NULL, 0), 0);
	assert_int_equal(devspec_find(&s, out, sizeof(out)), -ENOSPC);
	assert_int_equal(devspec_parse("/dev/vda1", &s, NULL, 0), 0);
	assert_int_equal(devspec_find(&s, out, sizeof(out)), -ENOSPC);
}

static void test_find_no_sysfs(void **state)
{
	struct devspec s;
	char out[PATH_MAX];
	const char *saved = devwait_roots.sys;

	(void)state;
	devwait_roots.sys = "/nonexistent-sys";
	assert_int_equal(devspec_parse("LABEL=rootfs", &s, NULL, 0), 0);
	assert_int_equal(devspec_find(&s, out, sizeof(out)), -ENOENT);
	devwait_roots.sys = saved;
}

/* ---- waiting ------------------------------------------------------------ */

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ticks {
	unsigned calls, last_s;
	int stop_at;	/* return -ECANCELED on this call number (0: never) */
};

static int count_tick(void *ctx, const struct devspec *s, unsigned elapsed_s)
{
	struct ticks *t = ctx;

	(void)s;
	t->calls++;
	t->last_s = elapsed_s;
	return (t->stop_at && (int)t->calls == t->stop_at) ? -ECANCELED : 0;
}

struct wait_row {
	const char *spec;
	unsigned timeout_ms;
	int stop_at;
	int rc;
	unsigned min_ms, max_ms, min_ticks, max_ticks;
};

static void check_wait(const char *file, int line, const struct wait_row *r)
{
	struct devspec s;
	struct ticks t = { .stop_at = r->stop_at };
	char out[PATH_MAX];
	uint64_t start;
	unsigned took;
	int rc;

	assert_int_equal(devspec_parse(r->spec, &s, NULL, 0), 0);
	start = ms_now();
	rc = devspec_wait(&s, r->timeout_ms, out, sizeof(out), count_tick, &t);
	took = (unsigned)(ms_now() - start);
	if (rc != r->rc || took < r->min_ms || took > r->max_ms || t.calls < r->min_ticks ||
	    t.calls > r->max_ticks)
		fail_msg("%s:%d: '%s' %u ms: rc %d in %u ms with %u ticks; want %d in %u..%u ms, %u..%u ticks",
			 file, line, r->spec, r->timeout_ms, rc, took, t.calls, r->rc, r->min_ms,
			 r->max_ms, r->min_ticks, r->max_ticks);
}

#define WAIT(...) check_wait(__FILE__, __LINE__, &(const struct wait_row){ __VA_ARGS__ })

static void test_wait(void **state)
{
	(void)state;
	/* found at once: no sleeping, no tick */
	WAIT("/dev/vda1", 5000, 0, 0, 0, 200, 0, 0);
	/* timeout 0: one look */
	WAIT("LABEL=missing", 0, 0, -ETIMEDOUT, 0, 200, 0, 0);
	WAIT("LABEL=missing", 350, 0, -ETIMEDOUT, 350, 900, 0, 0);
	/* about one tick per second */
	WAIT("/dev/missing", 2300, 0, -ETIMEDOUT, 2300, 3300, 2, 2);
	/* a tick can stop the wait */
	WAIT("/dev/missing", 10000, 1, -ECANCELED, 1000, 1900, 1, 1);
}

struct late {
	unsigned delay_ms;
	const char *name, *image;
};

static void *appear_later(void *arg)
{
	struct late *l = arg;
	struct timespec ts = { .tv_sec = l->delay_ms / 1000, .tv_nsec = (long)(l->delay_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	add_dev(l->name, NULL, 0, "100\n", NULL, l->image);
	return NULL;
}

static void test_wait_appears(void **state)
{
	struct late l = { 300, "vdz", "xfs.img" };
	struct devspec s;
	char out[PATH_MAX], want[PATH_MAX + 64];
	pthread_t th;
	uint64_t start;

	(void)state;
	if (!have_image("xfs.img"))
		skip();
	assert_int_equal(devspec_parse("LABEL=xfsroot", &s, NULL, 0), 0);
	assert_int_equal(devspec_find(&s, out, sizeof(out)), -ENOENT);
	start = ms_now();
	assert_int_equal(pthread_create(&th, NULL, appear_later, &l), 0);
	assert_int_equal(devspec_wait(&s, 3000, out, sizeof(out), NULL, NULL), 0);
	pthread_join(th, NULL);
	snprintf(want, sizeof(want), "%s/vdz", devroot);
	assert_string_equal(out, want);
	uint64_t took = ms_now() - start;
	if (took < 300 || took > 1000)
		fail_msg("found after %llu ms, want 300..1000", (unsigned long long)took);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_small_buffer),
		cmocka_unit_test(test_find_no_sysfs),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_wait_appears),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
