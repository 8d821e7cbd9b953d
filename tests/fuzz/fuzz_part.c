/* libFuzzer: partition tables from a hostile disk (blockdev/part.c). The input is
 * the disk's first bytes; its last 24 bytes (when there are enough) also choose
 * the free-space query and the entry to add. part_read never overruns and gives a
 * sane table; the free space it reports lies after every used entry and inside the
 * limit; an entry part_mbr_add accepts is read back by part_read, overlapping none. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev/part.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part_table t, t2;
	uint8_t *buf, s0[PART_SECTOR];
	uint64_t min_start = 0, limit = 1ull << 24, align = 2048, start, count;
	unsigned number;
	int rc;

	if (size >= PART_SECTOR + 24) {
		const uint8_t *q = data + size - 24;

		min_start = get64(q) % (1ull << 34);
		limit = get64(q + 8) % (1ull << 35);
		align = get64(q + 16) % 70000;
	}
	buf = malloc(size ? size : 1);	/* exact size: ASan sees any overrun */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = part_read(buf, size, &t);
	if (size < PART_SECTOR) {
		if (rc != -EINVAL)
			abort();
		free(buf);
		return 0;
	}
	if (rc != 0 || t.n > PART_MBR_ENTRIES || (t.scheme == PART_NONE && t.n))
		abort();
	for (unsigned i = 0; i < t.n; i++)
		if (t.e[i].number < 1 || t.e[i].number > PART_MBR_ENTRIES || t.e[i].count == 0)
			abort();
	part_scheme_name(t.scheme);
	rc = part_free_after(&t, min_start, limit, align, &start, &count);
	if (rc == 0) {
		if (!count || start < min_start || start + count > limit || start + count - 1 > PART_MBR_MAX_LBA ||
		    start % align || count % align)
			abort();
		for (unsigned i = 0; i < t.n; i++)
			if (start < t.e[i].start + t.e[i].count)
				abort();
		memcpy(s0, buf, PART_SECTOR);
		if (part_mbr_add(s0, PART_MBR_TYPE_LINUX, start, count, 0x1234abcd, &number) == 0) {
			bool seen = false;

			if (number < 1 || number > PART_MBR_ENTRIES || part_read(s0, PART_SECTOR, &t2) != 0 ||
			    t2.scheme != PART_MBR)
				abort();
			for (unsigned i = 0; i < t2.n; i++) {
				if (t2.e[i].number == number)
					seen = t2.e[i].start == start && t2.e[i].count == count &&
					       t2.e[i].type == PART_MBR_TYPE_LINUX;
				for (unsigned j = i + 1; j < t2.n; j++)
					if (t2.e[i].start < t2.e[j].start + t2.e[j].count &&
					    t2.e[j].start < t2.e[i].start + t2.e[i].count && (t2.e[i].number == number ||
											      t2.e[j].number == number))
						abort();
			}
			if (!seen)
				abort();
		}
	} else if (rc != -ENOSPC && rc != -E2BIG && rc != -EINVAL) {
		abort();
	}
	free(buf);
	return 0;
}
