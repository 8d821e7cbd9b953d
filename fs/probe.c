/*
 * probe: filesystem detection by superblock magic.  See probe.h.
 *
 * Field offsets come from the kernel headers (fs/ext4/ext4.h,
 * fs/xfs/libxfs/xfs_format.h, fs/squashfs/squashfs_fs.h, fs/erofs/erofs_fs.h,
 * fs/btrfs), ECMA-119 (ISO 9660), ECMA-167/OSTA UDF and Microsoft's FAT
 * specification; the label/UUID text forms follow what blkid prints.
 */
#include "fs/probe.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- on-disk structures ------------------------------------------------ */

/* ext2/3/4 superblock, at byte 1024; little-endian. */
#define EXT4_SB_OFFSET 1024
#define EXT4_MAGIC 0xEF53
#define EXT4_INCOMPAT_JOURNAL_DEV 0x0008	/* external journal, not mountable */
#define EXT4_INCOMPAT_64BIT 0x0080		/* s_blocks_count_hi is valid */
#define EXT4_MAX_LOG_BLOCK 6			/* 1024 << 6 = 64 KiB blocks */
struct ext4_sb {
	uint32_t inodes_count;		/* 0x00 total inodes */
	uint32_t blocks_count_lo;	/* 0x04 total blocks, low 32 bits */
	uint8_t pad0[0x18 - 0x08];	/* 0x08 reserved/free counts, first data block */
	uint32_t log_block_size;	/* 0x18 block size = 1024 << this */
	uint8_t pad1[0x38 - 0x1c];	/* 0x1c cluster size, per-group counts, times */
	uint16_t magic;			/* 0x38 EXT4_MAGIC */
	uint8_t pad2[0x60 - 0x3a];	/* 0x3a state, errors, revision, ... compat */
	uint32_t feature_incompat;	/* 0x60 incompatible feature set */
	uint32_t feature_ro_compat;	/* 0x64 read-only compatible feature set */
	uint8_t uuid[16];		/* 0x68 filesystem UUID */
	char volume_name[16];		/* 0x78 label, NUL-padded */
	uint8_t pad3[0x150 - 0x88];	/* 0x88 last mounted dir, hashing, journal */
	uint32_t blocks_count_hi;	/* 0x150 total blocks, high 32 bits (64BIT) */
} __attribute__((packed));

/* XFS superblock, at byte 0 of allocation group 0; big-endian. */
#define XFS_MAGIC 0x58465342	/* "XFSB" */
struct xfs_sb {
	uint32_t magicnum;	/* 0x00 XFS_MAGIC */
	uint32_t blocksize;	/* 0x04 filesystem block size in bytes */
	uint64_t dblocks;	/* 0x08 data blocks in the filesystem */
	uint64_t rblocks;	/* 0x10 realtime blocks */
	uint64_t rextents;	/* 0x18 realtime extents */
	uint8_t uuid[16];	/* 0x20 filesystem UUID */
	uint64_t logstart;	/* 0x30 first block of an internal log */
	uint64_t rootino;	/* 0x38 root directory inode */
	uint64_t rbmino;	/* 0x40 realtime bitmap inode */
	uint64_t rsumino;	/* 0x48 realtime summary inode */
	uint32_t rextsize;	/* 0x50 realtime extent size in blocks */
	uint32_t agblocks;	/* 0x54 blocks per allocation group */
	uint32_t agcount;	/* 0x58 number of allocation groups */
	uint32_t rbmblocks;	/* 0x5c realtime bitmap blocks */
	uint32_t logblocks;	/* 0x60 internal log blocks */
	uint16_t versionnum;	/* 0x64 header version + feature bits */
	uint16_t sectsize;	/* 0x66 sector size in bytes */
	uint16_t inodesize;	/* 0x68 inode size in bytes */
	uint16_t inopblock;	/* 0x6a inodes per block */
	char fname[12];		/* 0x6c label, NUL-padded */
} __attribute__((packed));

/* squashfs 4.0 superblock, at byte 0; little-endian. */
#define SQUASHFS_MAGIC 0x73717368	/* "hsqs" on disk */
#define SQUASHFS_MAJOR 4
#define SQUASHFS_MIN_BLOCK_LOG 12	/* 4 KiB */
#define SQUASHFS_MAX_BLOCK_LOG 20	/* 1 MiB */
struct squashfs_sb {
	uint32_t magic;		/* 0x00 SQUASHFS_MAGIC */
	uint32_t inodes;	/* 0x04 inode count */
	uint32_t mkfs_time;	/* 0x08 creation time (unix seconds) */
	uint32_t block_size;	/* 0x0c data block size, 1 << block_log */
	uint32_t fragments;	/* 0x10 fragment count */
	uint16_t compression;	/* 0x14 compressor id */
	uint16_t block_log;	/* 0x16 log2 of block_size */
	uint16_t flags;		/* 0x18 SQUASHFS_* flags */
	uint16_t no_ids;	/* 0x1a uid/gid table entries */
	uint16_t s_major;	/* 0x1c format major version, 4 */
	uint16_t s_minor;	/* 0x1e format minor version */
	uint64_t root_inode;	/* 0x20 root inode reference */
	uint64_t bytes_used;	/* 0x28 bytes used by the filesystem */
} __attribute__((packed));

/* EROFS superblock, at byte 1024; little-endian. */
#define EROFS_SB_OFFSET 1024
#define EROFS_MAGIC 0xE0F5E1E2
#define EROFS_MIN_BLKSZBITS 9
#define EROFS_MAX_BLKSZBITS 16
struct erofs_sb {
	uint32_t magic;			/* 0x00 EROFS_MAGIC */
	uint32_t checksum;		/* 0x04 crc32c of the superblock (if feature) */
	uint32_t feature_compat;	/* 0x08 compatible features */
	uint8_t blkszbits;		/* 0x0c log2 of the block size */
	uint8_t sb_extslots;		/* 0x0d superblock extension slots */
	uint16_t root_nid;		/* 0x0e root directory node id */
	uint64_t inos;			/* 0x10 inode count */
	uint64_t build_time;		/* 0x18 build time (unix seconds) */
	uint32_t build_time_nsec;	/* 0x20 build time nanoseconds */
	uint32_t blocks;		/* 0x24 total blocks */
	uint32_t meta_blkaddr;		/* 0x28 start of the metadata area */
	uint32_t xattr_blkaddr;		/* 0x2c start of the shared xattr area */
	uint8_t uuid[16];		/* 0x30 filesystem UUID (may be all zero) */
	char volume_name[16];		/* 0x40 label, NUL-padded */
	uint32_t feature_incompat;	/* 0x50 incompatible features */
} __attribute__((packed));

/* btrfs superblock, at byte 64 KiB; little-endian. */
#define BTRFS_SB_OFFSET 0x10000
#define BTRFS_MAGIC "_BHRfS_M"
#define BTRFS_LABEL_SIZE 256
struct btrfs_sb {
	uint8_t csum[32];		/* 0x00 checksum of the rest */
	uint8_t fsid[16];		/* 0x20 filesystem UUID */
	uint64_t bytenr;		/* 0x30 this block's own offset, 0x10000 */
	uint64_t flags;			/* 0x38 */
	char magic[8];			/* 0x40 BTRFS_MAGIC */
	uint64_t generation;		/* 0x48 */
	uint64_t root;			/* 0x50 root tree location */
	uint64_t chunk_root;		/* 0x58 chunk tree location */
	uint64_t log_root;		/* 0x60 log tree location */
	uint64_t log_root_transid;	/* 0x68 */
	uint64_t total_bytes;		/* 0x70 filesystem size in bytes */
	uint64_t bytes_used;		/* 0x78 */
	uint8_t pad[0x12b - 0x80];	/* 0x80 counts, sizes, flags, dev_item */
	char label[BTRFS_LABEL_SIZE];	/* 0x12b label, NUL-terminated */
} __attribute__((packed));

/* ISO 9660 (ECMA-119) volume descriptor: 2048-byte sectors from sector 16. */
#define ISO_SECTOR 2048
#define ISO_VD_FIRST 16			/* first volume descriptor sector */
#define ISO_VD_MAX 32			/* descriptors we look at before giving up */
#define ISO_VD_PRIMARY 1
#define ISO_VD_SUPPLEMENTARY 2
#define ISO_VD_TERMINATOR 255
#define ISO_STD_ID "CD001"
struct iso_date {
	char digits[16];	/* "YYYYMMDDHHMMSSCC" as ASCII digits */
	int8_t gmt_offset;	/* offset from GMT in 15-minute units */
} __attribute__((packed));
struct iso_vd {
	uint8_t type;			/*   0 ISO_VD_* */
	char std_id[5];			/*   1 ISO_STD_ID */
	uint8_t version;		/*   6 1 */
	uint8_t flags;			/*   7 volume flags (SVD) */
	char system_id[32];		/*   8 system identifier */
	char volume_id[32];		/*  40 label, space-padded (UCS-2BE in Joliet) */
	uint8_t unused1[8];		/*  72 */
	uint32_t space_size_le;		/*  80 volume size in logical blocks, LE */
	uint32_t space_size_be;		/*  84 same, big-endian */
	char escape[32];		/*  88 Joliet: "%/@", "%/C" or "%/E" */
	uint8_t set_size[4];		/* 120 volume set size, both-endian 16 */
	uint8_t seq_num[4];		/* 124 volume sequence number, both-endian 16 */
	uint16_t block_size_le;		/* 128 logical block size, LE */
	uint16_t block_size_be;		/* 130 same, big-endian */
	uint8_t unused2[813 - 132];	/* 132 path tables, root dir, identifiers */
	struct iso_date created;	/* 813 volume creation date */
	struct iso_date modified;	/* 830 volume modification date */
} __attribute__((packed));

/* UDF (ECMA-167 / OSTA UDF): volume recognition sequence from byte 32768,
 * anchor at block 256, descriptors with a 16-byte tag; little-endian. */
#define UDF_VRS_OFFSET 32768
#define UDF_VRS_MAX 64
#define UDF_ANCHOR_BLOCK 256
#define UDF_TAG_PVD 1
#define UDF_TAG_AVDP 2
#define UDF_TAG_LVD 6
#define UDF_TAG_TD 8
#define UDF_VDS_MAX 64			/* descriptors read from the main sequence */
#define UDF_CID_LATIN1 8		/* OSTA compressed unicode, 8 bits */
#define UDF_CID_UTF16BE 16		/* OSTA compressed unicode, 16 bits */
struct udf_vsd {
	uint8_t type;		/* 0 structure type */
	char id[5];		/* 1 "BEA01", "NSR02", "NSR03", "TEA01", "CD001", ... */
	uint8_t version;	/* 6 structure version */
} __attribute__((packed));
struct udf_tag {
	uint16_t id;		/*  0 descriptor type: UDF_TAG_* */
	uint16_t version;	/*  2 descriptor version */
	uint8_t checksum;	/*  4 sum of the tag bytes except this one */
	uint8_t reserved;	/*  5 */
	uint16_t serial;	/*  6 tag serial number */
	uint16_t crc;		/*  8 CRC of the descriptor body */
	uint16_t crc_len;	/* 10 bytes covered by crc */
	uint32_t location;	/* 12 block number where this tag is recorded */
} __attribute__((packed));
struct udf_avdp {
	struct udf_tag tag;	/*  0 UDF_TAG_AVDP */
	uint32_t main_len;	/* 16 main volume descriptor sequence length, bytes */
	uint32_t main_loc;	/* 20 main volume descriptor sequence block */
} __attribute__((packed));
struct udf_pvd {
	struct udf_tag tag;	/*  0 UDF_TAG_PVD */
	uint32_t seq_num;	/* 16 volume descriptor sequence number */
	uint32_t pvd_num;	/* 20 primary volume descriptor number */
	uint8_t vol_id[32];	/* 24 dstring: volume identifier */
	uint16_t vol_seq;	/* 56 volume sequence number */
	uint16_t max_vol_seq;	/* 58 */
	uint16_t ichg_lvl;	/* 60 interchange level */
	uint16_t max_ichg_lvl;	/* 62 */
	uint32_t charset;	/* 64 character set list */
	uint32_t max_charset;	/* 68 */
	uint8_t volset_id[128];	/* 72 dstring: volume set identifier (-> UUID) */
} __attribute__((packed));
struct udf_lvd {
	struct udf_tag tag;	/*  0 UDF_TAG_LVD */
	uint32_t seq_num;	/* 16 volume descriptor sequence number */
	uint8_t charset[64];	/* 20 descriptor character set */
	uint8_t lv_id[128];	/* 84 dstring: logical volume identifier (-> LABEL) */
	uint32_t block_size;	/* 212 logical block size */
} __attribute__((packed));

/* FAT boot sector (BIOS parameter block), at byte 0; little-endian. */
#define FAT_DIRENT_SIZE 32
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_LFN 0x0f
#define FAT_DIRENT_FREE 0xe5
#define FAT_EXT_BOOT_SIG_OLD 0x28
#define FAT_EXT_BOOT_SIG 0x29
#define FAT32_EOC 0x0ffffff8		/* cluster values at or above end a chain */
#define FAT32_MASK 0x0fffffff
#define FAT_MAX_ROOT_CLUSTERS 64	/* root directory clusters we scan for the label */
#define FAT_NO_NAME "NO NAME    "
struct fat_ext {			/* extended BPB (FAT12/16 at 36, FAT32 at 64) */
	uint8_t drive;			/* +0 BIOS drive number */
	uint8_t reserved;		/* +1 */
	uint8_t boot_sig;		/* +2 FAT_EXT_BOOT_SIG: the next fields are valid */
	uint32_t serial;		/* +3 volume serial number (-> UUID) */
	char label[11];			/* +7 volume label, space-padded */
	char fs_type[8];		/* +18 "FAT12   ", "FAT16   ", "FAT32   " */
} __attribute__((packed));
struct fat_bs {
	uint8_t jump[3];		/*  0 x86 jump: EB xx 90 or E9 xx xx */
	char oem[8];			/*  3 OEM name */
	uint16_t bytes_per_sector;	/* 11 512..4096, power of two */
	uint8_t sectors_per_cluster;	/* 13 power of two */
	uint16_t reserved_sectors;	/* 14 sectors before the first FAT */
	uint8_t fats;			/* 16 number of FATs */
	uint16_t root_entries;		/* 17 root dir entries (0 on FAT32) */
	uint16_t sectors16;		/* 19 total sectors if < 65536, else 0 */
	uint8_t media;			/* 21 media descriptor, 0xf0 or 0xf8..0xff */
	uint16_t fat_length16;		/* 22 sectors per FAT (0 on FAT32) */
	uint16_t sectors_per_track;	/* 24 */
	uint16_t heads;			/* 26 */
	uint32_t hidden;		/* 28 sectors before this partition */
	uint32_t sectors32;		/* 32 total sectors if sectors16 == 0 */
	union {
		struct fat_ext fat16;	/* 36 FAT12/16 extended BPB */
		struct {
			uint32_t fat_length;	/* 36 sectors per FAT */
			uint16_t flags;		/* 40 mirroring flags */
			uint16_t version;	/* 42 FAT32 version, 0 */
			uint32_t root_cluster;	/* 44 first cluster of the root dir */
			uint16_t fsinfo;	/* 48 FSINFO sector */
			uint16_t backup_boot;	/* 50 backup boot sector */
			uint8_t reserved[12];	/* 52 */
			struct fat_ext ext;	/* 64 FAT32 extended BPB */
		} __attribute__((packed)) fat32;
	} u;
} __attribute__((packed));
struct fat_dirent {
	char name[11];		/*  0 8.3 name, space-padded; volume label */
	uint8_t attr;		/* 11 FAT_ATTR_* */
	uint8_t pad[20];	/* 12 times, clusters, size */
} __attribute__((packed));

/* ---- helpers ------------------------------------------------------------ */

/* Read exactly len bytes at off.  A short read means the content is too small
 * for this filesystem: -ENODATA, which the probers treat as "not this". */
static int read_at(int fd, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off > (uint64_t)INT64_MAX - len)
		return -ENODATA;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static bool isxdigit_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char lower_ascii(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Copy a NUL- or space-padded byte label, dropping trailing spaces and control
 * characters (a label is used in by-label names and in logs). */
static void set_label_bytes(struct probe_info *out, const char *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && src[i] && n + 1 < sizeof(out->label); i++) {
		unsigned char c = (unsigned char)src[i];
		out->label[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	while (n > 0 && out->label[n - 1] == ' ')
		n--;
	out->label[n] = '\0';
}

/* Append one code point as UTF-8 at *n if it fits (cap = buffer size). */
static void put_utf8(char *dst, size_t cap, size_t *n, uint32_t cp)
{
	char tmp[4];
	size_t len;

	if (cp < 0x20 || cp == 0x7f)
		cp = '?';
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		len = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		len = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		len = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		len = 4;
	}
	if (*n + len + 1 > cap)
		return;
	memcpy(dst + *n, tmp, len);
	*n += len;
}

/* Decode UTF-16BE (stops at U+0000; unpaired surrogates become U+FFFD) into
 * NUL-terminated UTF-8 with trailing spaces removed. */
static void utf16be_to_utf8(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		uint32_t cp = (uint32_t)src[i] << 8 | src[i + 1];
		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp < 0xdc00 && i + 3 < len) {
			uint32_t lo = (uint32_t)src[i + 2] << 8 | src[i + 3];
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			} else {
				cp = 0xfffd;
			}
		} else if (cp >= 0xd800 && cp < 0xe000) {
			cp = 0xfffd;
		}
		put_utf8(dst, cap, &n, cp);
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/* Decode a UDF dstring (byte 0: compression id, last byte: used length
 * including byte 0) into UTF-8.  false for an unknown compression id. */
static bool udf_dstring(char *dst, size_t cap, const uint8_t *d, size_t size)
{
	size_t used = d[size - 1];
	size_t n = 0;

	dst[0] = '\0';
	if (used == 0)
		return true;
	if (used > size - 1)
		used = size - 1;
	if (d[0] == UDF_CID_UTF16BE) {
		utf16be_to_utf8(dst, cap, d + 1, used - 1);
		return true;
	}
	if (d[0] != UDF_CID_LATIN1)
		return false;
	for (size_t i = 1; i < used && d[i]; i++)
		put_utf8(dst, cap, &n, d[i]);
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
	return true;
}

/* 16 raw bytes as 8-4-4-4-12 lowercase; an all-zero UUID is "no UUID" (as blkid). */
static void set_uuid16(struct probe_info *out, const uint8_t u[16])
{
	static const uint8_t zero[16];

	if (!memcmp(u, zero, sizeof(zero)))
		return;
	snprintf(out->uuid, sizeof(out->uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* a * b into *res unless it overflows (then *res = 0: size unknown). */
static void set_size(struct probe_info *out, uint64_t a, uint64_t b)
{
	if (b && a > UINT64_MAX / b)
		out->size = 0;
	else
		out->size = a * b;
}

#define NOT_THIS 1	/* prober result: content is not this filesystem */

/* Map a read result: short content is "not this", real errors propagate. */
static int read_rc(int rc)
{
	return rc == -ENODATA ? NOT_THIS : rc;
}

/* ---- probers: 0 found, NOT_THIS, or -errno ----------------------------- */

static int probe_ext4(int fd, struct probe_info *out)
{
	struct ext4_sb sb;
	uint64_t blocks;
	int rc = read_at(fd, EXT4_SB_OFFSET, &sb, sizeof(sb));

	if (rc)
		return read_rc(rc);
	if (le16toh(sb.magic) != EXT4_MAGIC || le32toh(sb.log_block_size) > EXT4_MAX_LOG_BLOCK)
		return NOT_THIS;
	if (le32toh(sb.feature_incompat) & EXT4_INCOMPAT_JOURNAL_DEV)
		return NOT_THIS;
	out->type = PROBE_EXT4;
	set_label_bytes(out, sb.volume_name, sizeof(sb.volume_name));
	set_uuid16(out, sb.uuid);
	blocks = le32toh(sb.blocks_count_lo);
	if (le32toh(sb.feature_incompat) & EXT4_INCOMPAT_64BIT)
		blocks |= (uint64_t)le32toh(sb.blocks_count_hi) << 32;
	set_size(out, blocks, 1024ULL << le32toh(sb.log_block_size));
	return 0;
}

static int probe_xfs(int fd, struct probe_info *out)
{
	struct xfs_sb sb;
	uint32_t bs;
	int rc = read_at(fd, 0, &sb, sizeof(sb));

	if (rc)
		return read_rc(rc);
	bs = be32toh(sb.blocksize);
	if (be32toh(sb.magicnum) != XFS_MAGIC || !is_pow2(bs) || bs < 512 || bs > 65536 ||
	    !is_pow2(be16toh(sb.sectsize)) || be32toh(sb.agcount) == 0)
		return NOT_THIS;
	out->type = PROBE_XFS;
	set_label_bytes(out, sb.fname, sizeof(sb.fname));
	set_uuid16(out, sb.uuid);
	set_size(out, be64toh(sb.dblocks), bs);
	return 0;
}

static int probe_squashfs(int fd, struct probe_info *out)
{
	struct squashfs_sb sb;
	uint16_t log;
	int rc = read_at(fd, 0, &sb, sizeof(sb));

	if (rc)
		return read_rc(rc);
	log = le16toh(sb.block_log);
	if (le32toh(sb.magic) != SQUASHFS_MAGIC || le16toh(sb.s_major) != SQUASHFS_MAJOR ||
	    log < SQUASHFS_MIN_BLOCK_LOG || log > SQUASHFS_MAX_BLOCK_LOG ||
	    le32toh(sb.block_size) != (1U << log))
		return NOT_THIS;
	out->type = PROBE_SQUASHFS;
	out->size = le64toh(sb.bytes_used);
	return 0;
}

static int probe_erofs(int fd, struct probe_info *out)
{
	struct erofs_sb sb;
	int rc = read_at(fd, EROFS_SB_OFFSET, &sb, sizeof(sb));

	if (rc)
		return read_rc(rc);
	if (le32toh(sb.magic) != EROFS_MAGIC || sb.blkszbits < EROFS_MIN_BLKSZBITS ||
	    sb.blkszbits > EROFS_MAX_BLKSZBITS)
		return NOT_THIS;
	out->type = PROBE_EROFS;
	set_label_bytes(out, sb.volume_name, sizeof(sb.volume_name));
	set_uuid16(out, sb.uuid);
	set_size(out, le32toh(sb.blocks), 1ULL << sb.blkszbits);
	return 0;
}

static int probe_btrfs(int fd, struct probe_info *out)
{
	struct btrfs_sb sb;
	int rc = read_at(fd, BTRFS_SB_OFFSET, &sb, sizeof(sb));

	if (rc)
		return read_rc(rc);
	if (memcmp(sb.magic, BTRFS_MAGIC, sizeof(sb.magic)) ||
	    le64toh(sb.bytenr) != BTRFS_SB_OFFSET)
		return NOT_THIS;
	out->type = PROBE_BTRFS;
	set_label_bytes(out, sb.label, sizeof(sb.label));
	set_uuid16(out, sb.fsid);
	out->size = le64toh(sb.total_bytes);
	return 0;
}

/* blkid's ISO UUID: the date digits as YYYY-MM-DD-HH-MM-SS-CC; false when the
 * date is unset (all '0' with zero offset) or not digits. */
static bool iso_date_uuid(struct probe_info *out, const struct iso_date *d)
{
	const char *s = d->digits;
	bool all_zero = true;

	for (size_t i = 0; i < sizeof(d->digits); i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (s[i] != '0')
			all_zero = false;
	}
	if (all_zero && d->gmt_offset == 0)
		return false;
	snprintf(out->uuid, sizeof(out->uuid), "%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s",
		 s, s + 4, s + 6, s + 8, s + 10, s + 12, s + 14);
	return true;
}

/* Is the UCS-2BE Joliet label the same text as the ASCII PVD label? */
static bool joliet_eq_ascii(const char *ascii, const uint8_t *ucs2, size_t ucs2_len)
{
	for (size_t a = 0, u = 0; u + 1 < ucs2_len; a++, u += 2)
		if (ucs2[u] != 0 || (uint8_t)ascii[a] != ucs2[u + 1])
			return false;
	return true;
}

static int probe_iso9660(int fd, struct probe_info *out)
{
	struct iso_vd vd, pvd;
	bool have_pvd = false;
	int rc;

	for (unsigned i = 0; i < ISO_VD_MAX; i++) {
		rc = read_at(fd, (uint64_t)(ISO_VD_FIRST + i) * ISO_SECTOR, &vd, sizeof(vd));
		if (rc)
			return have_pvd ? 0 : read_rc(rc);
		if (memcmp(vd.std_id, ISO_STD_ID, sizeof(vd.std_id)))
			break;
		if (vd.type == ISO_VD_TERMINATOR)
			break;
		if (vd.type == ISO_VD_PRIMARY && !have_pvd) {
			pvd = vd;
			have_pvd = true;
			out->type = PROBE_ISO9660;
			set_label_bytes(out, pvd.volume_id, sizeof(pvd.volume_id));
			if (!iso_date_uuid(out, &pvd.modified))
				iso_date_uuid(out, &pvd.created);
			set_size(out, le32toh(pvd.space_size_le), le16toh(pvd.block_size_le));
			continue;
		}
		/* Joliet: a supplementary descriptor with a UCS-2 escape sequence.
		 * blkid keeps the PVD label when it reads the same (the Joliet
		 * one holds only 16 characters), else takes the Joliet label. */
		if (have_pvd && vd.type == ISO_VD_SUPPLEMENTARY &&
		    (!memcmp(vd.escape, "%/@", 3) || !memcmp(vd.escape, "%/C", 3) ||
		     !memcmp(vd.escape, "%/E", 3))) {
			if (!joliet_eq_ascii(pvd.volume_id, (const uint8_t *)vd.volume_id,
					     sizeof(vd.volume_id)))
				utf16be_to_utf8(out->label, sizeof(out->label),
						(const uint8_t *)vd.volume_id, sizeof(vd.volume_id));
			break;
		}
	}
	return have_pvd ? 0 : NOT_THIS;
}

/* UDF: look for an NSR descriptor in the recognition sequence, then the
 * anchor at block 256 for each plausible block size, then the PVD (UUID) and
 * LVD (label) in the main descriptor sequence. */
static int probe_udf(int fd, struct probe_info *out)
{
	static const uint32_t sizes[] = { 512, 1024, 2048, 4096 };
	struct udf_avdp avdp;
	uint32_t bs = 0;
	bool have_nsr = false;
	bool have_label = false, have_uuid = false;
	int rc;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]) && !bs; s++) {
		uint32_t vsd_len = sizes[s] > ISO_SECTOR ? sizes[s] : ISO_SECTOR;

		have_nsr = false;
		for (unsigned b = 0; b < UDF_VRS_MAX; b++) {
			struct udf_vsd vsd;
			rc = read_at(fd, UDF_VRS_OFFSET + (uint64_t)b * vsd_len, &vsd, sizeof(vsd));
			if (rc)
				return read_rc(rc);
			if (!memcmp(vsd.id, "NSR02", 5) || !memcmp(vsd.id, "NSR03", 5)) {
				have_nsr = true;
				break;
			}
			if (memcmp(vsd.id, "BEA01", 5) && memcmp(vsd.id, "BOOT2", 5) &&
			    memcmp(vsd.id, "CD001", 5) && memcmp(vsd.id, "CDW02", 5) &&
			    memcmp(vsd.id, "TEA01", 5))
				break;
		}
		if (!have_nsr)
			continue;
		rc = read_at(fd, (uint64_t)UDF_ANCHOR_BLOCK * sizes[s], &avdp, sizeof(avdp));
		if (rc == -ENODATA)
			continue;
		if (rc)
			return rc;
		if (le16toh(avdp.tag.id) == UDF_TAG_AVDP &&
		    le32toh(avdp.tag.location) == UDF_ANCHOR_BLOCK)
			bs = sizes[s];
	}
	if (!bs)
		return NOT_THIS;

	out->type = PROBE_UDF;
	uint32_t loc = le32toh(avdp.main_loc);
	uint32_t count = le32toh(avdp.main_len) / bs;
	if (count > UDF_VDS_MAX)
		count = UDF_VDS_MAX;
	for (uint32_t b = 0; b < count && !(have_label && have_uuid); b++) {
		union {
			struct udf_tag tag;
			struct udf_pvd pvd;
			struct udf_lvd lvd;
		} d;
		uint64_t blk = (uint64_t)loc + b;

		rc = read_at(fd, blk * bs, &d, sizeof(d));
		if (rc)
			break;	/* keep what we have: the anchor already said UDF */
		uint16_t id = le16toh(d.tag.id);
		if (id == 0 || id == UDF_TAG_TD || le32toh(d.tag.location) != blk)
			break;
		if (id == UDF_TAG_PVD && !have_uuid) {
			char vs[PROBE_LABEL_MAX];
			if (udf_dstring(vs, sizeof(vs), d.pvd.volset_id, sizeof(d.pvd.volset_id)) &&
			    strlen(vs) >= 8) {
				/* blkid: the first 16 UTF-8 bytes; hex digits kept (lower
				 * case), otherwise bytes printed as hex. */
				unsigned char u[17] = { 0 };
				size_t hex = 16;
				memcpy(u, vs, strnlen(vs, 16));
				for (size_t i = 0; i < 16; i++)
					if (!isxdigit_ascii(u[i])) {
						hex = i;
						break;
					}
				if (hex < 8) {
					for (size_t i = 0; i < 8; i++)
						snprintf(out->uuid + 2 * i, 3, "%02x", u[i]);
				} else if (hex < 16) {
					for (size_t i = 0; i < 8; i++)
						out->uuid[i] = (char)lower_ascii(u[i]);
					for (size_t i = 0; i < 4; i++)
						snprintf(out->uuid + 8 + 2 * i, 3, "%02x", u[8 + i]);
				} else {
					for (size_t i = 0; i < 16; i++)
						out->uuid[i] = (char)lower_ascii(u[i]);
					out->uuid[16] = '\0';
				}
				have_uuid = true;
			}
		} else if (id == UDF_TAG_LVD && !have_label) {
			have_label = udf_dstring(out->label, sizeof(out->label), d.lvd.lv_id,
						 sizeof(d.lvd.lv_id));
		}
	}
	return 0;
}

/* Scan a directory region for the FAT volume label entry. */
static bool fat_dir_label(const uint8_t *buf, size_t len, char label[12])
{
	for (size_t off = 0; off + FAT_DIRENT_SIZE <= len; off += FAT_DIRENT_SIZE) {
		const struct fat_dirent *de = (const void *)(buf + off);
		if ((uint8_t)de->name[0] == 0)
			return false;	/* end of directory */
		if ((uint8_t)de->name[0] == FAT_DIRENT_FREE || de->attr == FAT_ATTR_LFN)
			continue;
		if ((de->attr & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIR)) == FAT_ATTR_VOLUME_ID) {
			memcpy(label, de->name, 11);
			label[11] = '\0';
			return true;
		}
	}
	return false;
}

static int probe_vfat(int fd, struct probe_info *out)
{
	struct fat_bs bs;
	const struct fat_ext *ext;
	char label[12] = "";
	bool have_label = false;
	int rc = read_at(fd, 0, &bs, sizeof(bs));

	if (rc)
		return read_rc(rc);
	uint32_t bps = le16toh(bs.bytes_per_sector);
	uint32_t spc = bs.sectors_per_cluster;
	uint32_t reserved = le16toh(bs.reserved_sectors);
	uint32_t fat_len = le16toh(bs.fat_length16);
	bool fat32 = fat_len == 0;
	uint64_t sectors = le16toh(bs.sectors16) ? le16toh(bs.sectors16) : le32toh(bs.sectors32);

	if (!(bs.jump[0] == 0xeb && bs.jump[2] == 0x90) && bs.jump[0] != 0xe9)
		return NOT_THIS;
	if (!is_pow2(bps) || bps < 512 || bps > 4096 || !is_pow2(spc) || reserved == 0 ||
	    bs.fats == 0 || bs.fats > 4 || (bs.media != 0xf0 && bs.media < 0xf8) || sectors == 0)
		return NOT_THIS;
	if (fat32) {
		ext = &bs.u.fat32.ext;
		fat_len = le32toh(bs.u.fat32.fat_length);
		if (memcmp(ext->fs_type, "FAT32", 5) || fat_len == 0)
			return NOT_THIS;
	} else {
		ext = &bs.u.fat16;
		if (memcmp(ext->fs_type, "FAT", 3))
			return NOT_THIS;
	}
	out->type = PROBE_VFAT;
	set_size(out, sectors, bps);
	if (ext->boot_sig == FAT_EXT_BOOT_SIG || ext->boot_sig == FAT_EXT_BOOT_SIG_OLD) {
		uint32_t serial = le32toh(ext->serial);
		snprintf(out->uuid, sizeof(out->uuid), "%04X-%04X", serial >> 16, serial & 0xffff);
	}

	/* The label lives in the root directory (as blkid reads it first);
	 * the boot sector copy is the fallback. */
	uint64_t fat_start = (uint64_t)reserved * bps;
	uint64_t root_start = fat_start + (uint64_t)bs.fats * fat_len * bps;
	uint8_t buf[4096 * 8];	/* one cluster at a time (clamped) */
	if (!fat32) {
		size_t len = (size_t)le16toh(bs.root_entries) * FAT_DIRENT_SIZE;
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (len && !read_at(fd, root_start, buf, len))
			have_label = fat_dir_label(buf, len, label);
	} else {
		uint32_t cl = le32toh(bs.u.fat32.root_cluster);
		uint64_t csize = (uint64_t)spc * bps;
		uint64_t max_cl = sectors / spc + 2;
		if (csize > sizeof(buf))
			csize = sizeof(buf);
		for (unsigned n = 0; n < FAT_MAX_ROOT_CLUSTERS && cl >= 2 && cl < max_cl; n++) {
			uint32_t next;
			if (read_at(fd, root_start + (uint64_t)(cl - 2) * spc * bps, buf, csize))
				break;
			if (fat_dir_label(buf, csize, label)) {
				have_label = true;
				break;
			}
			if (read_at(fd, fat_start + (uint64_t)cl * 4, &next, sizeof(next)))
				break;
			next = le32toh(next) & FAT32_MASK;
			if (next >= FAT32_EOC)
				break;
			cl = next;
		}
	}
	if (!have_label && (ext->boot_sig == FAT_EXT_BOOT_SIG || ext->boot_sig == FAT_EXT_BOOT_SIG_OLD)) {
		memcpy(label, ext->label, 11);
		label[11] = '\0';
		have_label = true;
	}
	if (have_label && strcmp(label, FAT_NO_NAME))
		set_label_bytes(out, label, 11);
	return 0;
}

/* ---- entry points ------------------------------------------------------- */

/* Order: superblocks at offset 0 with strong magics first, ISO/UDF (32 KiB)
 * before FAT, whose boot sector is the weakest signature. */
static int (*const probers[])(int, struct probe_info *) = {
	probe_squashfs, probe_erofs, probe_xfs, probe_ext4, probe_btrfs,
	probe_udf, probe_iso9660, probe_vfat,
};

static const char *const type_names[] = {
	[PROBE_UNKNOWN] = "unknown",
	[PROBE_EXT4] = "ext4",
	[PROBE_XFS] = "xfs",
	[PROBE_SQUASHFS] = "squashfs",
	[PROBE_EROFS] = "erofs",
	[PROBE_ISO9660] = "iso9660",
	[PROBE_UDF] = "udf",
	[PROBE_VFAT] = "vfat",
	[PROBE_BTRFS] = "btrfs",
};

const char *probe_type_name(enum probe_type type)
{
	if ((unsigned)type >= sizeof(type_names) / sizeof(type_names[0]))
		return type_names[PROBE_UNKNOWN];
	return type_names[type];
}

int probe_fd(int fd, struct probe_info *out)
{
	for (size_t i = 0; i < sizeof(probers) / sizeof(probers[0]); i++) {
		memset(out, 0, sizeof(*out));
		int rc = probers[i](fd, out);
		if (rc < 0) {
			memset(out, 0, sizeof(*out));
			out->fstype = type_names[PROBE_UNKNOWN];
			return rc;
		}
		if (rc == 0) {
			out->fstype = probe_type_name(out->type);
			return 0;
		}
	}
	memset(out, 0, sizeof(*out));
	out->fstype = type_names[PROBE_UNKNOWN];
	return -EMEDIUMTYPE;
}

int probe_path(const char *path, struct probe_info *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc;

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		out->fstype = type_names[PROBE_UNKNOWN];
		return -errno;
	}
	rc = probe_fd(fd, out);
	close(fd);
	return rc;
}
