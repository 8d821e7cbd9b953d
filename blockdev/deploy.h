/*
 * deploy: KIWI's target-disk deployment and persistent overlays. Decide from a
 * disk's first bytes and its deployment record whether an image may be written
 * to it (blank, our own earlier deployment, or someone else's data); keep that
 * record in the disk's last DEPLOY_RESERVE bytes; create the `cow` partition
 * after the image and format it with the initramfs's mkfs; mount an overlayfs
 * whose upper layer is on a persistent device (optionally wiped first, or kept
 * read-only under a tmpfs). Returns 0 or -errno, never prints: one line in err.
 *
 * The deployment rule (docs/cmdline.md, rd.kiwi.live.system):
 *   record valid, complete, same URL (and same rd.live.sha256 if given) -> boot it
 *   record valid but incomplete (an interrupted download)               -> deploy again
 *   no record, no partition table, no filesystem                        -> deploy
 *   anything else (another URL, a table, a filesystem)                  -> only with reset
 */
#ifndef NETINIT_BLOCKDEV_DEPLOY_H
#define NETINIT_BLOCKDEV_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEPLOY_RECORD_SIZE	4096		/* the record: the last 4 KiB of the disk */
#define DEPLOY_RESERVE		(1u << 20)	/* disk tail the image and cow never use */
#define DEPLOY_ALIGN		(1u << 20)	/* the cow partition starts and ends on MiB */
#define DEPLOY_URL_MAX		2048		/* URL kept in the record, with NUL */
#define DEPLOY_COW_LABEL	"cow"		/* filesystem label of the write partition (KIWI) */
#define DEPLOY_MAGIC		"NETINIT-DEPLOY\0"	/* 16 bytes with the NUL */
#define DEPLOY_VERSION		1

enum deploy_state {
	DEPLOY_STATE_WRITING = 1,	/* written before the download starts */
	DEPLOY_STATE_COMPLETE = 2,	/* written after the image is on the disk and synced */
};

/* The record on disk: little-endian, DEPLOY_RECORD_SIZE bytes, CRC last. */
struct deploy_record {
	char magic[16];			/* DEPLOY_MAGIC */
	uint32_t version;		/* DEPLOY_VERSION */
	uint32_t state;			/* enum deploy_state */
	uint64_t image_bytes;		/* bytes of the image at offset 0 */
	uint64_t disk_bytes;		/* size of the disk the record was written for */
	uint32_t has_sha256;		/* 1: image_sha256 is the rd.live.sha256 it was checked against */
	uint8_t image_sha256[32];	/* expected digest of the image, or zeros */
	char url[DEPLOY_URL_MAX];	/* the URL deployed, NUL-terminated */
	uint8_t pad[DEPLOY_RECORD_SIZE - 16 - 4 - 4 - 8 - 8 - 4 - 32 - DEPLOY_URL_MAX - 4]; /* zeros */
	uint32_t crc32;			/* CRC-32 of all bytes before this field */
} __attribute__((packed));

/* A record in host form. */
struct deploy_info {
	enum deploy_state state;
	uint64_t image_bytes;
	uint64_t disk_bytes;
	bool has_sha256;
	uint8_t image_sha256[32];
	char url[DEPLOY_URL_MAX];
};

enum deploy_verdict {
	DEPLOY_BLANK,		/* nothing on it: deploy */
	DEPLOY_SAME,		/* our complete deployment of this image: boot it, no network */
	DEPLOY_INCOMPLETE,	/* our deployment, interrupted: deploy again */
	DEPLOY_OTHER,		/* our deployment of another URL or image: needs reset */
	DEPLOY_FOREIGN,		/* a partition table or filesystem we did not write: needs reset */
};

/* Encode info into out. 0, or -ENAMETOOLONG if the URL does not fit. */
int deploy_record_encode(const struct deploy_info *info, uint8_t out[DEPLOY_RECORD_SIZE]);

/* Decode len bytes. 0; -ENOENT without the magic; -EBADMSG on a wrong CRC,
 * version, state or an unterminated URL. */
int deploy_record_decode(const uint8_t *buf, size_t len, struct deploy_info *out);

/* The verdict (pure). head: the disk's first head_len bytes; has_fs: a
 * filesystem was recognised at offset 0; rec_rc/rec: deploy_record_decode's
 * result for the disk's record (rec->disk_bytes must equal disk_bytes);
 * sha256: the expected image digest or NULL. why gets one line. */
enum deploy_verdict deploy_judge(const uint8_t *head, size_t head_len, bool has_fs, int rec_rc,
				 const struct deploy_info *rec, uint64_t disk_bytes, const char *url,
				 const uint8_t *sha256, char *why, size_t whylen);

/* Read disk and judge it (deploy_judge). *rec gets the record when there is one. */
int deploy_inspect(const char *disk, const char *url, const uint8_t *sha256, enum deploy_verdict *v,
		   struct deploy_info *rec, uint64_t *disk_bytes, char *why, size_t whylen);

/* The only way to a complete record: mark (a DEPLOY_STATE_WRITING record) becomes
 * DEPLOY_STATE_COMPLETE for the written bytes the image took on the disk (the
 * sink's count, never a size read from the image itself) only if expected (the
 * rd.live.sha256 digest, or NULL) equals measured, the digest of what was
 * received. Otherwise mark stays as it was: -EBADMSG on a mismatch, -EINVAL if
 * nothing was written or more than the disk holds outside its reserved tail. */
int deploy_complete(struct deploy_info *mark, uint64_t written, const uint8_t *expected,
		    const uint8_t measured[32], char *err, size_t errlen);

/* Write info as the disk's record and sync. */
int deploy_mark(const char *disk, const struct deploy_info *info, char *err, size_t errlen);

/* The write partition on disk, after image_bytes: the MBR entry that starts at or
 * after the image and holds a filesystem labelled DEPLOY_COW_LABEL, else (or with
 * recreate) a new one in the free space up to the reserved tail, formatted with
 * mkfs.<fs>. The kernel learns a new entry through BLKPG. The device path goes to
 * cowdev; *created tells whether it was made now. Call before the disk is mounted. */
int deploy_cow_ensure(const char *disk, uint64_t image_bytes, const char *fs, bool recreate,
		      char *cowdev, size_t devlen, bool *created, char *err, size_t errlen);

/* Where mkfs.<fs> is in the initramfs (path may be NULL): 0, -ENOENT with
 * "mkfs.<fs> is not in the initramfs ... make initramfs MKFS=<fs>", or -EINVAL
 * for a filesystem other than ext4, xfs, btrfs. Check before writing anything. */
int deploy_mkfs_find(const char *fs, char *path, size_t len, char *err, size_t errlen);

/* Run mkfs.<fs> (ext4, xfs, btrfs) from the initramfs on dev with label.
 * -ENOENT with "mkfs.<fs> is not in the initramfs ..." when it is missing;
 * -EIO with mkfs's last line of output when it fails. */
int deploy_mkfs(const char *fs, const char *dev, const char *label, char *err, size_t errlen);


const char *deploy_verdict_name(enum deploy_verdict v);

#endif
