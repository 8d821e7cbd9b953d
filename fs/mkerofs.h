/*
 * mkerofs: write a directory tree as an uncompressed EROFS image (the format Linux
 * mounts with -t erofs, 4 KiB blocks), reproducibly: null UUID, every timestamp at the
 * epoch, entries in name order, inode numbers in breadth-first name order, so the
 * same tree always gives the same bytes. Owners, modes, hard links, symlinks, device
 * nodes, FIFOs, sockets and xattrs (user., trusted., security., POSIX ACLs) are kept;
 * small tails (files, directories, symlinks) are inlined after their inode.
 *
 * With consume, each regular file's pages are given back (it is truncated) as soon as
 * its bytes are in the image, so building the image on the tree's own tmpfs needs about
 * one tree's worth of space, not two. The source tree is then only good for deletion.
 */
#ifndef NETINIT_FS_MKEROFS_H
#define NETINIT_FS_MKEROFS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EROFS_BLKSIZ       4096u
#define EROFS_SUPER_OFFSET 1024u
#define EROFS_SUPER_MAGIC  0xE0F5E1E2u

struct mkerofs_opts {
	bool consume;           /* truncate each regular file once it is copied */
};

struct mkerofs_stats {
	uint64_t inodes;        /* inodes written (hard links share one) */
	uint64_t files;         /* regular files */
	uint64_t data_bytes;    /* file bytes copied */
	uint64_t image_bytes;   /* size of the image */
	uint64_t meta_bytes;    /* superblock + inodes + xattrs + inline tails */
};

/*
 * Write src (a directory) as an EROFS image to the new file image. 0, or -errno with
 * one line in err naming the path: -EOPNOTSUPP an xattr EROFS cannot name, -E2BIG
 * an xattr set larger than a block, -EFBIG an image over 16 TiB, -ENAMETOOLONG, or
 * the read/write error (ENOSPC: the image's filesystem is full). On failure the
 * partial image is removed.
 */
int mkerofs(const char *src, const char *image, const struct mkerofs_opts *o, struct mkerofs_stats *st,
	    char *err, size_t errlen);

/* Pure helpers, exposed for the unit tests. */

/* One directory entry as it goes on disk. */
struct erofs_dent_in {
	const char *name;
	uint64_t nid;
	uint8_t ftype;          /* EROFS_FT_* (the kernel's FT_* values) */
};

/* Bytes a directory of these names (already sorted, "." and ".." included) takes:
 * full blocks plus the used part of the last one. */
uint64_t erofs_dir_size(const struct erofs_dent_in *d, size_t n);

/* Lay the sorted entries out in out (erofs_dir_size(d, n) bytes, zeroed by the caller). */
void erofs_dir_write(const struct erofs_dent_in *d, size_t n, uint8_t *out);

/* Encode the inline xattr body (header + entries, 4-byte aligned) of the given
 * names and values into out (cap bytes); returns its size, 0 for no xattrs, or -errno:
 * -EOPNOTSUPP for a name EROFS has no prefix for, -E2BIG when it exceeds cap. The
 * entries are sorted, so the order of the input does not matter. */
int erofs_xattr_encode(char *const *names, const uint8_t *const *values, const uint16_t *sizes, size_t n,
		       uint8_t *out, size_t cap);

#endif
