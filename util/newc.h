/* newc: the kernel's initramfs cpio format ("newc", magic 070701, described in the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst): the header of one regular
 * file, the TRAILER!!! entry and the 4-byte alignment, so an initrd can be built in place
 * around data that is already in a file. Pure: bytes into a caller's buffer. */
#ifndef NETINIT_UTIL_NEWC_H
#define NETINIT_UTIL_NEWC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NEWC_MAGIC    "070701"
#define NEWC_HDR      110          /* the magic and 13 fields of 8 hex digits */
#define NEWC_ALIGN    4            /* header+name and data each end on a multiple of 4 */
#define NEWC_TRAILER  "TRAILER!!!" /* the name of the entry that ends an archive */
#define NEWC_SIZE_MAX 0xffffffffu  /* the filesize field is 32 bits */

/* One newc header, all fields ASCII hex; name (with its NUL) and padding follow. */
struct newc_header {
	char magic[6];      /* "070701" */
	char ino[8];        /* inode number (distinct per file, hard links share it) */
	char mode[8];       /* file type and permission bits */
	char uid[8];        /* owner */
	char gid[8];        /* group */
	char nlink[8];      /* link count */
	char mtime[8];      /* seconds since the epoch */
	char filesize[8];   /* bytes of data that follow name and padding */
	char devmajor[8];   /* device holding the file (unused by the kernel) */
	char devminor[8];
	char rdevmajor[8];  /* device number of a device node */
	char rdevminor[8];
	char namesize[8];   /* length of the name including its NUL */
	char check[8];      /* always 0 for newc */
} __attribute__((packed));

/* Bytes of the header + name + padding for name (where the data starts). */
size_t newc_header_len(const char *name);

/* Write the header of a regular file (mode: permission bits) of size bytes, with its name
 * and padding, into out; the length written (newc_header_len), or -EFBIG (size over
 * NEWC_SIZE_MAX), -ENOSPC (cap too small), -EINVAL (empty name). */
ssize_t newc_file_header(char *out, size_t cap, const char *name, unsigned mode, uint64_t size, unsigned ino);

/* The TRAILER!!! entry with its padding; its length or -ENOSPC. */
ssize_t newc_trailer(char *out, size_t cap);

/* off rounded up to a multiple of align (a power of two). */
static inline uint64_t newc_align(uint64_t off, uint64_t align)
{
	return (off + align - 1) & ~(align - 1);
}

#endif
