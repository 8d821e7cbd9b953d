/*
 * part: read and extend partition tables held in memory. Pure functions over
 * the first bytes of a disk (no I/O): does it hold an MBR or a GPT, which MBR
 * entries are used, where the free space after an image starts, and adding
 * one primary MBR entry in place. Every field from the medium is
 * range-checked, so hostile bytes are safe. Sectors are 512 bytes (the unit
 * of MBR LBAs and of the kernel's BLKPG offsets).
 */
#ifndef NETINIT_BLOCKDEV_PART_H
#define NETINIT_BLOCKDEV_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PART_SECTOR		512
#define PART_MBR_ENTRIES	4
#define PART_MBR_TABLE_OFFSET	446	/* first of the four 16-byte entries */
#define PART_MBR_SIG_OFFSET	440	/* 32-bit disk signature (PARTUUID "%08x-%02x") */
#define PART_MBR_BOOT_SIG	510	/* 0x55 0xaa */
#define PART_MBR_TYPE_LINUX	0x83
#define PART_MBR_TYPE_GPT	0xee	/* protective entry of a GPT disk */
#define PART_MBR_MAX_LBA	0xffffffffull	/* 32-bit LBAs: 2 TiB with 512-byte sectors */
#define PART_PROBE_BYTES	8192	/* read this much of the disk for part_read */

/* One MBR partition table entry as it is on disk (16 bytes). */
struct part_mbr_entry {
	uint8_t status;		/* 0x80 bootable, 0x00 not; anything else: not a table */
	uint8_t chs_first[3];	/* CHS of the first sector (we write FE FF FF: "use LBA") */
	uint8_t type;		/* partition type; 0 = unused slot */
	uint8_t chs_last[3];	/* CHS of the last sector */
	uint32_t lba_first;	/* first sector, little-endian */
	uint32_t lba_count;	/* number of sectors, little-endian */
} __attribute__((packed));

enum part_scheme {
	PART_NONE,		/* no partition table (blank, a bare filesystem, an ISO) */
	PART_MBR,		/* a valid MBR with at least one used entry */
	PART_GPT,		/* a GPT header ("EFI PART") or a protective MBR */
};

struct part_entry {
	unsigned number;	/* 1..4: the kernel's partition number (vda1...) */
	uint8_t type;		/* MBR type byte */
	bool bootable;		/* status 0x80 */
	uint64_t start;		/* first sector */
	uint64_t count;		/* sectors */
};

struct part_table {
	enum part_scheme scheme;
	uint32_t disk_sig;	/* MBR disk signature (0 if none) */
	bool boot_sig;		/* sector 0 ends in 0x55 0xaa */
	struct part_entry e[PART_MBR_ENTRIES];
	unsigned n;		/* used MBR entries, in slot order */
};

/* Read the table from the first len bytes of a disk (at least PART_SECTOR;
 * PART_PROBE_BYTES also sees a GPT header of 4096-byte-sector disks).
 * 0 with t filled (scheme PART_NONE when there is no table: a boot sector of a
 * filesystem whose "entries" are not a valid table counts as none), -EINVAL
 * if len < PART_SECTOR. */
int part_read(const uint8_t *buf, size_t len, struct part_table *t);

/* The free space for a new partition: it starts at or after min_start, after
 * the end of every used entry, rounded up to align sectors, and ends before
 * limit (exclusive), rounded down to align, and within 32-bit MBR LBAs.
 * 0 with *start and *count, -ENOSPC if less than one align unit is free,
 * -E2BIG if the space starts beyond what an MBR can address, -EINVAL on a
 * zero align. */
int part_free_after(const struct part_table *t, uint64_t min_start, uint64_t limit, uint64_t align,
		    uint64_t *start, uint64_t *count);

/* Add a primary entry (type, start, count sectors) to the MBR in sector0
 * (512 bytes), in place. A sector without a table gets one: bytes 0..439 (boot
 * code, or an ISO's system area) are kept, the disk signature is set to
 * new_sig if it is zero, the other slots are cleared and 0x55 0xaa written.
 * 0 and *number (1..4); -ENOTSUP on a GPT disk (its protective entry; the
 * header at LBA 1 is beyond sector0: check it with part_read first), -EEXIST if sector0 is a boot
 * sector that is not a table (a filesystem) or the entry overlaps a used
 * one, -ENOSPC if all four slots are used, -E2BIG beyond 32-bit LBAs,
 * -EINVAL on a zero count. */
int part_mbr_add(uint8_t sector0[PART_SECTOR], uint8_t type, uint64_t start, uint64_t count,
		 uint32_t new_sig, unsigned *number);

/* The kernel's name of partition number of disk: "/dev/vda" 1 -> "/dev/vda1",
 * "/dev/nvme0n1" 1 -> "/dev/nvme0n1p1". 0 or -ENAMETOOLONG. */
int part_dev_name(const char *disk, unsigned number, char *out, size_t len);

/* CRC-32 (IEEE 802.3, as zlib and GPT use it); start with crc = 0. */
uint32_t part_crc32(uint32_t crc, const void *buf, size_t len);

const char *part_scheme_name(enum part_scheme s);

#endif
