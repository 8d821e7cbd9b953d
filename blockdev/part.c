#include "blockdev/part.h"

#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GPT_SIGNATURE		"EFI PART"
#define GPT_SIG_LEN		8
#define MBR_STATUS_ACTIVE	0x80
#define MBR_STATUS_INACTIVE	0x00
#define MBR_CHS_LBA		0xff	/* CHS beyond 1023/254/63: "use the LBA fields" */
#define MBR_CHS_LBA_HEAD	0xfe

static const uint8_t boot_sig[2] = { 0x55, 0xaa };

static void entry_at(const uint8_t *sector0, unsigned slot, struct part_mbr_entry *e)
{
	memcpy(e, sector0 + PART_MBR_TABLE_OFFSET + slot * sizeof(*e), sizeof(*e));
}

static bool has_gpt_header(const uint8_t *buf, size_t len)
{
	static const size_t at[] = { 512, 4096 };	/* LBA 1 of 512- and 4096-byte-sector disks */

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (len >= at[i] + GPT_SIG_LEN && memcmp(buf + at[i], GPT_SIGNATURE, GPT_SIG_LEN) == 0)
			return true;
	return false;
}

/* The used MBR entries of sector0, or false when the bytes are not a partition
 * table (bad status byte, empty sector, entries that overlap or start at 0). */
static bool read_mbr(const uint8_t *sector0, struct part_table *t)
{
	struct part_mbr_entry e;
	unsigned i, j;

	t->n = 0;
	for (i = 0; i < PART_MBR_ENTRIES; i++) {
		entry_at(sector0, i, &e);
		if (e.status != MBR_STATUS_ACTIVE && e.status != MBR_STATUS_INACTIVE)
			return false;
		if (e.type == 0)
			continue;
		if (le32toh(e.lba_count) == 0)
			continue;	/* an empty slot with a stale type byte */
		/* an entry may start at LBA 0: isohybrid's covers the whole ISO, MBR included */
		t->e[t->n].number = i + 1;
		t->e[t->n].type = e.type;
		t->e[t->n].bootable = e.status == MBR_STATUS_ACTIVE;
		t->e[t->n].start = le32toh(e.lba_first);
		t->e[t->n].count = le32toh(e.lba_count);
		t->n++;
	}
	for (i = 0; i < t->n; i++)
		for (j = i + 1; j < t->n; j++)
			if (t->e[i].start < t->e[j].start + t->e[j].count &&
			    t->e[j].start < t->e[i].start + t->e[i].count)
				return false;
	return t->n > 0;
}

int part_read(const uint8_t *buf, size_t len, struct part_table *t)
{
	uint32_t sig;

	memset(t, 0, sizeof(*t));
	if (!buf || len < PART_SECTOR)
		return -EINVAL;
	t->boot_sig = memcmp(buf + PART_MBR_BOOT_SIG, boot_sig, 2) == 0;
	memcpy(&sig, buf + PART_MBR_SIG_OFFSET, sizeof(sig));
	if (has_gpt_header(buf, len)) {
		t->scheme = PART_GPT;
		return 0;
	}
	if (!t->boot_sig || !read_mbr(buf, t)) {
		t->n = 0;
		return 0;
	}
	t->disk_sig = le32toh(sig);
	for (unsigned i = 0; i < t->n; i++) {
		if (t->e[i].type == PART_MBR_TYPE_GPT) {
			t->scheme = PART_GPT;
			t->n = 0;	/* the MBR entries of a GPT disk mean nothing */
			return 0;
		}
	}
	t->scheme = PART_MBR;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	uint64_t r = v % a;

	return r ? (v > UINT64_MAX - (a - r) ? UINT64_MAX : v + (a - r)) : v;
}

int part_free_after(const struct part_table *t, uint64_t min_start, uint64_t limit, uint64_t align,
		    uint64_t *start, uint64_t *count)
{
	uint64_t s = min_start, end;

	if (align == 0)
		return -EINVAL;
	for (unsigned i = 0; i < t->n && i < PART_MBR_ENTRIES; i++) {
		uint64_t e = t->e[i].start + t->e[i].count;

		if (e > s)
			s = e;
	}
	s = align_up(s, align);
	if (s >= PART_MBR_MAX_LBA)
		return -E2BIG;
	end = limit < PART_MBR_MAX_LBA + 1 ? limit : PART_MBR_MAX_LBA + 1;
	end -= end % align;
	if (end <= s)
		return -ENOSPC;
	*start = s;
	*count = end - s;
	if (*count > PART_MBR_MAX_LBA)
		*count = PART_MBR_MAX_LBA - PART_MBR_MAX_LBA % align;
	return 0;
}

int part_mbr_add(uint8_t sector0[PART_SECTOR], uint8_t type, uint64_t start, uint64_t count,
		 uint32_t new_sig, unsigned *number)
{
	struct part_table t;
	struct part_mbr_entry e;
	uint32_t sig;
	unsigned slot;

	if (count == 0 || start == 0 || type == 0)
		return -EINVAL;
	if (start > PART_MBR_MAX_LBA || count > PART_MBR_MAX_LBA || start + count > PART_MBR_MAX_LBA + 1)
		return -E2BIG;
	part_read(sector0, PART_SECTOR, &t);
	if (t.scheme == PART_GPT)
		return -ENOTSUP;
	if (t.scheme == PART_NONE) {
		/* a boot signature without a table: a filesystem's boot sector */
		if (t.boot_sig && sector0[0] != 0)
			return -EEXIST;
		memset(sector0 + PART_MBR_TABLE_OFFSET, 0, PART_MBR_ENTRIES * sizeof(e));
		memcpy(&sig, sector0 + PART_MBR_SIG_OFFSET, sizeof(sig));
		if (sig == 0) {
			sig = htole32(new_sig);
			memcpy(sector0 + PART_MBR_SIG_OFFSET, &sig, sizeof(sig));
		}
		memcpy(sector0 + PART_MBR_BOOT_SIG, boot_sig, 2);
	}
	for (unsigned i = 0; i < t.n; i++)
		if (start < t.e[i].start + t.e[i].count && t.e[i].start < start + count)
			return -EEXIST;
	for (slot = 0; slot < PART_MBR_ENTRIES; slot++) {
		entry_at(sector0, slot, &e);
		if (e.type == 0 || e.lba_count == 0)
			break;
	}
	if (slot == PART_MBR_ENTRIES)
		return -ENOSPC;
	memset(&e, 0, sizeof(e));
	e.status = MBR_STATUS_INACTIVE;
	e.chs_first[0] = e.chs_last[0] = MBR_CHS_LBA_HEAD;
	e.chs_first[1] = e.chs_last[1] = MBR_CHS_LBA;
	e.chs_first[2] = e.chs_last[2] = MBR_CHS_LBA;
	e.type = type;
	e.lba_first = htole32((uint32_t)start);
	e.lba_count = htole32((uint32_t)count);
	memcpy(sector0 + PART_MBR_TABLE_OFFSET + slot * sizeof(e), &e, sizeof(e));
	*number = slot + 1;
	return 0;
}

int part_dev_name(const char *disk, unsigned number, char *out, size_t len)
{
	size_t n = strlen(disk);
	bool digit = n > 0 && isdigit((unsigned char)disk[n - 1]);
	int w = snprintf(out, len, "%s%s%u", disk, digit ? "p" : "", number);

	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

uint32_t part_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

const char *part_scheme_name(enum part_scheme s)
{
	switch (s) {
	case PART_NONE:
		return "none";
	case PART_MBR:
		return "MBR";
	case PART_GPT:
		return "GPT";
	}
	return "?";
}
