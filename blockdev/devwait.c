/*
 * devwait: block device lookup by path/LABEL/UUID/PARTUUID/PARTLABEL without
 * udev.  See devwait.h.
 *
 * Partition tables: GPT header at LBA 1 (UEFI spec 5.3), entries give the
 * unique partition GUID (printed mixed-endian like every GUID) and a UTF-16LE
 * name; MBR disk signature at byte 440 gives "%08x-%02x" PARTUUIDs, the form
 * the kernel and blkid use.
 */
#include "blockdev/devwait.h"

#include "fs/probe.h"
#include "util/fsutil.h"
#include "util/clock.h"
#include "util/errbuf.h"
#include "util/hex.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct devwait_roots devwait_roots = { .sys = "/sys", .dev = "/dev" };

#define POLL_MS 100
#define TICK_MS 1000
#define MAX_BLOCK_DEVS 4096		/* entries of /sys/class/block we look at */

/* ---- on-disk partition tables ------------------------------------------- */

#define MBR_SIG_OFFSET 440		/* 32-bit disk signature */
#define MBR_BOOT_SIG_OFFSET 510		/* 0x55 0xaa */
#define GPT_SIGNATURE "EFI PART"
#define GPT_MIN_HEADER 92
#define GPT_MIN_ENTRY 128
#define GPT_MAX_ENTRY 4096
#define GPT_NAME_UNITS 36		/* UTF-16LE code units in a partition name */

struct gpt_header {
	char signature[8];		/*  0 GPT_SIGNATURE */
	uint32_t revision;		/*  8 0x00010000 */
	uint32_t header_size;		/* 12 bytes of header covered by the CRC */
	uint32_t header_crc;		/* 16 CRC32 of the header */
	uint32_t reserved;		/* 20 */
	uint64_t my_lba;		/* 24 LBA of this header */
	uint64_t alternate_lba;		/* 32 LBA of the backup header */
	uint64_t first_usable;		/* 40 first LBA for partitions */
	uint64_t last_usable;		/* 48 last LBA for partitions */
	uint8_t disk_guid[16];		/* 56 disk GUID */
	uint64_t entries_lba;		/* 72 first LBA of the entry array */
	uint32_t num_entries;		/* 80 number of entries */
	uint32_t entry_size;		/* 84 bytes per entry (128 * 2^n) */
	uint32_t entries_crc;		/* 88 CRC32 of the entry array */
} __attribute__((packed));

struct gpt_entry {
	uint8_t type_guid[16];		/*   0 partition type GUID (zero: unused) */
	uint8_t unique_guid[16];	/*  16 PARTUUID */
	uint64_t first_lba;		/*  32 */
	uint64_t last_lba;		/*  40 inclusive */
	uint64_t attributes;		/*  48 */
	uint8_t name[GPT_NAME_UNITS * 2];	/*  56 PARTLABEL, UTF-16LE, NUL-padded */
} __attribute__((packed));

/* ---- parsing ------------------------------------------------------------ */

/* Decode udev/dracut \xHH escapes into dst (size DEVSPEC_VALUE_MAX). */
static int unescape(const char *src, char *dst, char *err, size_t errlen)
{
	size_t n = 0;

	for (const char *p = src; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1] == 'x' && hex_digit(p[2]) >= 0 && hex_digit(p[3]) >= 0) {
			c = (char)(hex_digit(p[2]) << 4 | hex_digit(p[3]));
			p += 3;
			if (c == '\0') {
				seterr(err, errlen, "device spec '%s': \\x00 is not allowed in a label", src);
				return -EINVAL;
			}
		}
		if (n + 1 >= DEVSPEC_VALUE_MAX) {
			seterr(err, errlen, "device spec value too long (max 255 bytes): '%.64s...'", src);
			return -ENAMETOOLONG;
		}
		dst[n++] = c;
	}
	dst[n] = '\0';
	return 0;
}

/* UUIDs are hex digits and dashes (ext4/xfs GUIDs, vfat "ABCD-1234", ISO dates). */
static int check_uuid(const char *v, const char *what, char *err, size_t errlen)
{
	for (const char *p = v; *p; p++) {
		if (*p == '/') {
			seterr(err, errlen, "%s: '/PARTNROFF=' and other suffixes are not supported; "
				"expected hex digits and '-'", what);
			return -ENOTSUP;
		}
		if (hex_digit(*p) < 0 && *p != '-') {
			seterr(err, errlen, "%s: a UUID is hex digits and '-'", what);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct {
	const char *prefix;
	enum devspec_kind kind;
} prefixes[] = {
	{ "LABEL=", DEVSPEC_LABEL },
	{ "UUID=", DEVSPEC_UUID },
	{ "PARTUUID=", DEVSPEC_PARTUUID },
	{ "PARTLABEL=", DEVSPEC_PARTLABEL },
	{ "CDLABEL=", DEVSPEC_CDLABEL },
	{ "/dev/disk/by-label/", DEVSPEC_LABEL },
	{ "/dev/disk/by-uuid/", DEVSPEC_UUID },
	{ "/dev/disk/by-partuuid/", DEVSPEC_PARTUUID },
	{ "/dev/disk/by-partlabel/", DEVSPEC_PARTLABEL },
};

int devspec_parse(const char *s, struct devspec *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		seterr(err, errlen, "empty device spec; expected /dev/<name>, LABEL=, UUID=, "
			"PARTUUID=, PARTLABEL= or CDLABEL=");
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t plen = strlen(prefixes[i].prefix);
		if (strncmp(s, prefixes[i].prefix, plen))
			continue;
		const char *v = s + plen;
		if (!*v) {
			seterr(err, errlen, "device spec '%s' has an empty value", s);
			return -EINVAL;
		}
		out->kind = prefixes[i].kind;
		rc = unescape(v, out->value, err, errlen);
		if (rc)
			return rc;
		if (out->kind == DEVSPEC_UUID || out->kind == DEVSPEC_PARTUUID)
			return check_uuid(out->value, s, err, errlen);
		return 0;
	}
	if (!strncmp(s, "/dev/disk/", 10)) {
		seterr(err, errlen, "device spec '%s' needs udev; use /dev/<name>, LABEL=, UUID=, "
			"PARTUUID= or PARTLABEL=", s);
		return -ENOTSUP;
	}
	if (s[0] != '/') {
		seterr(err, errlen, "device spec '%s' not understood; expected /dev/<name>, LABEL=, "
			"UUID=, PARTUUID=, PARTLABEL= or CDLABEL=", s);
		return -EINVAL;
	}
	if (strlen(s) >= DEVSPEC_VALUE_MAX) {
		seterr(err, errlen, "device path too long (max 255 bytes): '%.64s...'", s);
		return -ENAMETOOLONG;
	}
	out->kind = DEVSPEC_PATH;
	strcpy(out->value, s);
	return 0;
}

int devspec_format(const struct devspec *s, char *buf, size_t len)
{
	static const char *const names[] = {
		[DEVSPEC_PATH] = "", [DEVSPEC_LABEL] = "LABEL=", [DEVSPEC_UUID] = "UUID=",
		[DEVSPEC_PARTUUID] = "PARTUUID=", [DEVSPEC_PARTLABEL] = "PARTLABEL=",
		[DEVSPEC_CDLABEL] = "CDLABEL=",
	};
	const char *p = (unsigned)s->kind < sizeof(names) / sizeof(names[0]) ? names[s->kind] : "?=";
	int n = snprintf(buf, len, "%s%s", p, s->value);

	return (n < 0 || (size_t)n >= len) ? -ENOSPC : 0;
}

/* ---- sysfs helpers ------------------------------------------------------ */

/* Value of KEY= in a uevent file, "" if absent. */
static void uevent_get(const char *sysdir, const char *key, char *val, size_t len)
{
	char path[PATH_MAX], buf[4096];
	size_t klen = strlen(key);

	val[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/uevent", sysdir) >= (int)sizeof(path) ||
	    fs_read_small(path, buf, sizeof(buf)))
		return;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			snprintf(val, len, "%s", line + klen + 1);
			return;
		}
	}
}

static long long read_number(const char *sysdir, const char *file)
{
	char path[PATH_MAX], buf[64];
	char *end;
	long long v;

	if (snprintf(path, sizeof(path), "%s/%s", sysdir, file) >= (int)sizeof(path) ||
	    fs_read_small(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || v < 0)
		return -1;
	return v;
}

/* /dev path of a sysfs block entry: DEVNAME from uevent, else the name. */
static int dev_node(const char *sysdir, const char *name, char *out, size_t len)
{
	char devname[NAME_MAX + 1];

	uevent_get(sysdir, "DEVNAME", devname, sizeof(devname));
	if (!devname[0] || strstr(devname, ".."))
		snprintf(devname, sizeof(devname), "%s", name);
	if (snprintf(out, len, "%s/%s", devwait_roots.dev, devname) >= (int)len)
		return -ENOSPC;
	return 0;
}

/* ---- partition tables --------------------------------------------------- */

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -EINVAL;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static void guid_str(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned)(g[0] | g[1] << 8 | g[2] << 16 | (uint32_t)g[3] << 24),
		 (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8),
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* UTF-16LE GPT name -> UTF-8 (BMP only; others become '?'). */
static void gpt_name(const uint8_t *name, char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < GPT_NAME_UNITS; i++) {
		uint16_t c = (uint16_t)(name[2 * i] | name[2 * i + 1] << 8);
		char tmp[3];
		size_t l;
		if (!c)
			break;
		if (c >= 0xd800 && c < 0xe000)
			c = '?';
		if (c < 0x80) {
			tmp[0] = (char)c;
			l = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xc0 | (c >> 6));
			tmp[1] = (char)(0x80 | (c & 0x3f));
			l = 2;
		} else {
			tmp[0] = (char)(0xe0 | (c >> 12));
			tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			tmp[2] = (char)(0x80 | (c & 0x3f));
			l = 3;
		}
		if (n + l + 1 > len)
			break;
		memcpy(out + n, tmp, l);
		n += l;
	}
	out[n] = '\0';
}

/* PARTUUID and GPT name of partition number partno on the disk at fd.
 * sector: the disk's logical block size (0: try 512 and 4096). */
static int part_ids(int fd, unsigned sector, unsigned partno, char uuid[37], char *name,
		    size_t namelen)
{
	static const unsigned sizes[] = { 512, 4096 };
	uint8_t mbr[512];

	uuid[0] = name[0] = '\0';
	if (partno == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned ss = sector ? sector : sizes[i];
		struct gpt_header h;
		struct gpt_entry e;
		if (sector && i > 0)
			break;
		if (pread_full(fd, &h, sizeof(h), ss) || memcmp(h.signature, GPT_SIGNATURE, 8))
			continue;
		uint32_t esz = le32toh(h.entry_size);
		if (le32toh(h.header_size) < GPT_MIN_HEADER || esz < GPT_MIN_ENTRY ||
		    esz > GPT_MAX_ENTRY || partno > le32toh(h.num_entries))
			return -ENOENT;
		uint64_t lba = le64toh(h.entries_lba);
		if (lba > UINT64_MAX / ss / 2)
			return -ENOENT;
		uint64_t off = lba * ss + (uint64_t)(partno - 1) * esz;
		if (pread_full(fd, &e, sizeof(e), off))
			return -ENOENT;
		guid_str(e.unique_guid, uuid);
		gpt_name(e.name, name, namelen);
		return 0;
	}
	if (pread_full(fd, mbr, sizeof(mbr), 0) || mbr[MBR_BOOT_SIG_OFFSET] != 0x55 ||
	    mbr[MBR_BOOT_SIG_OFFSET + 1] != 0xaa)
		return -ENOENT;
	uint32_t sig = (uint32_t)mbr[MBR_SIG_OFFSET] | (uint32_t)mbr[MBR_SIG_OFFSET + 1] << 8 |
		       (uint32_t)mbr[MBR_SIG_OFFSET + 2] << 16 | (uint32_t)mbr[MBR_SIG_OFFSET + 3] << 24;
	if (partno > 255)
		return -ENOENT;
	snprintf(uuid, 37, "%08x-%02x", sig, partno);
	return 0;
}

/* For a partition's sysfs dir: its parent disk's PARTUUID and GPT name. */
static int partition_ids(const char *sysdir, unsigned partno, char uuid[37], char *name,
			 size_t namelen)
{
	char real[PATH_MAX], node[PATH_MAX];
	char *slash;
	long long ss;
	int fd, rc;

	if (!realpath(sysdir, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return -ENOENT;
	*slash = '\0';	/* real is now the parent disk's sysfs dir */
	rc = dev_node(real, strrchr(real, '/') + 1, node, sizeof(node));
	if (rc)
		return rc;
	ss = read_number(real, "queue/logical_block_size");
	fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	rc = part_ids(fd, (ss == 512 || ss == 1024 || ss == 2048 || ss == 4096) ? (unsigned)ss : 0,
		      partno, uuid, name, namelen);
	close(fd);
	return rc;
}

/* ---- matching ----------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does the block device (sysfs dir, /dev node) match the spec? */
static bool matches(const struct devspec *s, const char *sysdir, const char *node)
{
	struct probe_info pi;
	char uuid[37], name[GPT_NAME_UNITS * 3 + 1];
	long long partno;

	switch (s->kind) {
	case DEVSPEC_LABEL:
	case DEVSPEC_CDLABEL:
		return !probe_path(node, &pi) && pi.label[0] && !strcmp(pi.label, s->value);
	case DEVSPEC_UUID:
		return !probe_path(node, &pi) && pi.uuid[0] && !strcasecmp(pi.uuid, s->value);
	case DEVSPEC_PARTLABEL:
	case DEVSPEC_PARTUUID:
		partno = read_number(sysdir, "partition");
		if (partno <= 0 || partno > UINT_MAX)
			return false;
		if (s->kind == DEVSPEC_PARTLABEL) {
			char partname[DEVSPEC_VALUE_MAX];
			uevent_get(sysdir, "PARTNAME", partname, sizeof(partname));
			if (partname[0])
				return !strcmp(partname, s->value);
		}
		if (partition_ids(sysdir, (unsigned)partno, uuid, name, sizeof(name)))
			return false;
		if (s->kind == DEVSPEC_PARTUUID)
			return uuid[0] && !strcasecmp(uuid, s->value);
		return name[0] && !strcmp(name, s->value);
	case DEVSPEC_PATH:
		break;
	}
	return false;
}

static int find_path(const struct devspec *s, char *dev_out, size_t len)
{
	char path[PATH_MAX];
	struct stat st;

	/* With a fake dev root (tests), /dev/x lives under it. */
	if (strcmp(devwait_roots.dev, "/dev") && !strncmp(s->value, "/dev/", 5))
		snprintf(path, sizeof(path), "%s/%s", devwait_roots.dev, s->value + 5);
	else
		snprintf(path, sizeof(path), "%s", s->value);
	if (stat(path, &st))
		return -ENOENT;
	if (snprintf(dev_out, len, "%s", path) >= (int)len)
		return -ENOSPC;
	return 0;
}

int devspec_find(const struct devspec *s, char *dev_out, size_t len)
{
	char classdir[PATH_MAX], sysdir[PATH_MAX], node[PATH_MAX];
	char **names = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *d;
	int rc = -ENOENT;

	if (s->kind == DEVSPEC_PATH)
		return find_path(s, dev_out, len);
	if (!s->value[0])
		return -EINVAL;
	snprintf(classdir, sizeof(classdir), "%s/class/block", devwait_roots.sys);
	d = opendir(classdir);
	if (!d)
		return -ENOENT;
	names = calloc(MAX_BLOCK_DEVS, sizeof(*names));
	if (!names) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d)) && count < MAX_BLOCK_DEVS) {
		if (de->d_name[0] == '.')
			continue;
		names[count] = strdup(de->d_name);
		if (!names[count])
			break;
		count++;
	}
	closedir(d);
	/* Sorted, so the same tree always gives the same answer. */
	qsort(names, count, sizeof(*names), cmp_names);
	for (size_t i = 0; i < count; i++) {
		if (snprintf(sysdir, sizeof(sysdir), "%s/%s", classdir, names[i]) >= (int)sizeof(sysdir))
			continue;
		if (read_number(sysdir, "size") <= 0)	/* empty loop, no medium */
			continue;
		if (dev_node(sysdir, names[i], node, sizeof(node)))
			continue;
		if (matches(s, sysdir, node)) {
			rc = snprintf(dev_out, len, "%s", node) >= (int)len ? -ENOSPC : 0;
			break;
		}
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int devspec_wait(const struct devspec *s, unsigned timeout_ms, char *dev_out, size_t len,
		 devwait_tick_fn tick, void *ctx)
{
	uint64_t start = mono_ms();
	uint64_t next_tick = TICK_MS;

	for (;;) {
		int rc = devspec_find(s, dev_out, len);
		if (rc != -ENOENT)
			return rc;	/* found, or an error waiting cannot fix */
		uint64_t elapsed = mono_ms() - start;
		if (timeout_ms != DEVWAIT_FOREVER && elapsed >= timeout_ms)
			return -ETIMEDOUT;
		if (tick && elapsed >= next_tick) {
			rc = tick(ctx, s, (unsigned)(elapsed / 1000));
			if (rc < 0)
				return rc;
			next_tick = (elapsed / TICK_MS + 1) * TICK_MS;
		}
		uint64_t nap = POLL_MS;
		if (timeout_ms != DEVWAIT_FOREVER && timeout_ms - elapsed < nap)
			nap = timeout_ms - elapsed;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(nap * 1000000) };
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
}
