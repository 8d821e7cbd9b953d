/* tarindex: list the regular files of an uncompressed tar (an oci-archive) with the
 * offset and size of each one's data, so blobs can be read in place by offset
 * (ustar, pax path/size records and GNU long names; other members are skipped). */
#ifndef NETINIT_OCI_TARINDEX_H
#define NETINIT_OCI_TARINDEX_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TAR_BLOCK     512      /* tar's record unit */
#define TAR_NAME_MAX  256      /* longest member name we keep (blob names are short) */
#define TAR_MAX_FILES 65536    /* members we index at most */

/* One ustar header block (POSIX.1-1988 + GNU), all fields ASCII. */
struct tar_header {
	char name[100];     /* member name (ustar: the part after prefix) */
	char mode[8];       /* octal permission bits */
	char uid[8];        /* octal owner */
	char gid[8];        /* octal group */
	char size[12];      /* octal size, or base-256 when the top bit of [0] is set */
	char mtime[12];     /* octal seconds */
	char chksum[8];     /* octal sum of the header bytes, this field as spaces */
	char typeflag;      /* '0'/'\0' file, '5' dir, 'x' pax, 'g' global pax, 'L' GNU long name ... */
	char linkname[100]; /* link target */
	char magic[6];      /* "ustar\0" or GNU "ustar " */
	char version[2];    /* "00" or GNU " \0" */
	char uname[32];     /* owner name */
	char gname[32];     /* group name */
	char devmajor[8];   /* device numbers */
	char devminor[8];
	char prefix[155];   /* ustar: directory part of long names */
	char pad[12];       /* to 512 bytes */
} __attribute__((packed));

struct tar_member {
	char name[TAR_NAME_MAX]; /* without a leading "./" */
	uint64_t offset;         /* of the data in the tar */
	uint64_t size;           /* of the data */
};

struct tar_index {
	struct tar_member *m;
	size_t n, cap;
};

/* Reads len bytes at off into buf: the number read (short only at the end), or -errno. */
typedef ssize_t (*tar_pread_fn)(void *ctx, void *buf, size_t len, uint64_t off);

/* Index a tar of total bytes. -EBADMSG for a corrupt header (offset in err). */
int tar_index_build(tar_pread_fn rd, void *ctx, uint64_t total, struct tar_index *ix, char *err, size_t errlen);
const struct tar_member *tar_index_find(const struct tar_index *ix, const char *name);
void tar_index_free(struct tar_index *ix);

#endif
