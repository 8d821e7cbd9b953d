#include "fs/mkerofs.h"
#include "util/errbuf.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- on-disk format (Linux fs/erofs/erofs_fs.h; all fields little-endian) ---- */

#define EROFS_BLKSZBITS       12
#define EROFS_ISLOT           32u    /* nid = byte offset / 32 (meta_blkaddr is 0) */
#define EROFS_NAME_LEN        255
#define EROFS_MAX_BLOCKS      0xFFFFFFFFull

/* i_format: bit 0 the inode version, bits 1-3 the data layout */
#define EROFS_INODE_COMPACT   0
#define EROFS_INODE_EXTENDED  1
#define EROFS_LAYOUT_BIT      1
#define EROFS_FLAT_PLAIN      0      /* data in contiguous blocks at raw_blkaddr */
#define EROFS_FLAT_INLINE     2      /* full blocks at raw_blkaddr, the tail after the inode */

/* dirent file types (the kernel's FT_*) */
#define EROFS_FT_UNKNOWN 0
#define EROFS_FT_REG     1
#define EROFS_FT_DIR     2
#define EROFS_FT_CHR     3
#define EROFS_FT_BLK     4
#define EROFS_FT_FIFO    5
#define EROFS_FT_SOCK    6
#define EROFS_FT_LNK     7

/* xattr name prefixes */
#define EROFS_XATTR_USER        1
#define EROFS_XATTR_ACL_ACCESS  2
#define EROFS_XATTR_ACL_DEFAULT 3
#define EROFS_XATTR_TRUSTED     4
#define EROFS_XATTR_SECURITY    6

struct erofs_super {                 /* at byte 1024 of the image, 128 bytes */
	uint32_t magic;              /* EROFS_SUPER_MAGIC */
	uint32_t checksum;           /* crc32c, only with FEATURE_COMPAT_SB_CHKSUM (unused: 0) */
	uint32_t feature_compat;     /* none */
	uint8_t blkszbits;           /* 12: 4 KiB blocks */
	uint8_t sb_extslots;         /* 0: a 128-byte superblock */
	uint16_t root_nid;           /* nid of the root directory */
	uint64_t inos;               /* number of inodes */
	uint64_t build_time;         /* the mtime of every compact inode: 0, the epoch */
	uint32_t build_time_nsec;
	uint32_t blocks;             /* image size in blocks */
	uint32_t meta_blkaddr;       /* where nids count from: 0 */
	uint32_t xattr_blkaddr;      /* shared xattrs: none */
	uint8_t uuid[16];            /* null */
	uint8_t volume_name[16];     /* empty */
	uint32_t feature_incompat;   /* none: any kernel with EROFS mounts it */
	uint16_t u1;                 /* compression algorithms: none */
	uint16_t extra_devices;
	uint16_t devt_slotoff;
	uint8_t reserved[6];
	uint64_t packed_nid;
	uint8_t reserved2[24];
} __attribute__((packed));

struct erofs_inode_compact {         /* 32 bytes; mtime is the superblock's build_time */
	uint16_t i_format;
	uint16_t i_xattr_icount;     /* xattr body = 12 + 4 * (icount - 1) bytes; 0 = none */
	uint16_t i_mode;
	uint16_t i_nlink;
	uint32_t i_size;
	uint32_t i_reserved;
	uint32_t i_u;                /* raw_blkaddr, or rdev for device nodes */
	uint32_t i_ino;              /* for 32-bit stat */
	uint16_t i_uid;
	uint16_t i_gid;
	uint32_t i_reserved2;
} __attribute__((packed));

struct erofs_inode_extended {        /* 64 bytes: large sizes, ids or link counts */
	uint16_t i_format;
	uint16_t i_xattr_icount;
	uint16_t i_mode;
	uint16_t i_reserved;
	uint64_t i_size;
	uint32_t i_u;
	uint32_t i_ino;
	uint32_t i_uid;
	uint32_t i_gid;
	uint64_t i_mtime;            /* 0 */
	uint32_t i_mtime_nsec;
	uint32_t i_nlink;
	uint8_t i_reserved2[16];
} __attribute__((packed));

struct erofs_xattr_ibody_header {    /* 12 bytes before the inline xattr entries */
	uint32_t h_reserved;
	uint8_t h_shared_count;      /* shared xattrs: none */
	uint8_t h_reserved2[7];
} __attribute__((packed));

struct erofs_xattr_entry {           /* then the name suffix, the value, padding to 4 */
	uint8_t e_name_len;
	uint8_t e_name_index;        /* EROFS_XATTR_* prefix */
	uint16_t e_value_size;
} __attribute__((packed));

struct erofs_dirent {                /* 12 bytes; a block's names follow its dirents */
	uint64_t nid;
	uint16_t nameoff;            /* offset of the name in the block */
	uint8_t file_type;           /* EROFS_FT_* */
	uint8_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct erofs_super) == 128, "superblock is 128 bytes");
_Static_assert(sizeof(struct erofs_inode_compact) == 32, "compact inode is 32 bytes");
_Static_assert(sizeof(struct erofs_inode_extended) == 64, "extended inode is 64 bytes");
_Static_assert(sizeof(struct erofs_dirent) == 12, "dirent is 12 bytes");
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mkerofs writes the structs as they are: a little-endian host is assumed"
#endif

/* ---- pure helpers ------------------------------------------------------------ */

/* How many of d[0..n) start a block: the entries that fit one block. */
static size_t dir_block_fill(const struct erofs_dent_in *d, size_t n, size_t *used)
{
	size_t k = 0, bytes = 0;

	while (k < n) {
		size_t add = sizeof(struct erofs_dirent) + strlen(d[k].name);

		if (bytes + add > EROFS_BLKSIZ)
			break;
		bytes += add;
		k++;
	}
	*used = bytes;
	return k;
}

uint64_t erofs_dir_size(const struct erofs_dent_in *d, size_t n)
{
	uint64_t size = 0;
	size_t used = 0, k;

	while (n) {
		k = dir_block_fill(d, n, &used);
		d += k;
		n -= k;
		size += n ? EROFS_BLKSIZ : used;
	}
	return size;
}

void erofs_dir_write(const struct erofs_dent_in *d, size_t n, uint8_t *out)
{
	size_t used, k, i, nameoff;

	while (n) {
		k = dir_block_fill(d, n, &used);
		nameoff = k * sizeof(struct erofs_dirent);
		for (i = 0; i < k; i++) {
			struct erofs_dirent de = { .nid = d[i].nid, .nameoff = (uint16_t)nameoff,
						   .file_type = d[i].ftype };
			size_t len = strlen(d[i].name);

			memcpy(out + i * sizeof(de), &de, sizeof(de));
			memcpy(out + nameoff, d[i].name, len);
			nameoff += len;
		}
		d += k;
		n -= k;
		out += EROFS_BLKSIZ;
	}
}

struct xattr_in {
	uint8_t index;
	const char *suffix;
	const uint8_t *value;
	uint16_t size;
};

static int xattr_prefix(const char *name, uint8_t *index, const char **suffix)
{
	static const struct { const char *prefix; uint8_t index; bool whole; } map[] = {
		{ "user.", EROFS_XATTR_USER, false },
		{ "trusted.", EROFS_XATTR_TRUSTED, false },
		{ "security.", EROFS_XATTR_SECURITY, false },
		{ "system.posix_acl_access", EROFS_XATTR_ACL_ACCESS, true },
		{ "system.posix_acl_default", EROFS_XATTR_ACL_DEFAULT, true },
	};
	size_t i, len;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		len = strlen(map[i].prefix);
		if (strncmp(name, map[i].prefix, len) != 0 || (map[i].whole && name[len]))
			continue;
		*index = map[i].index;
		*suffix = name + len;
		return 0;
	}
	return -EOPNOTSUPP;
}

static int xattr_cmp(const void *a, const void *b)
{
	const struct xattr_in *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return strcmp(x->suffix, y->suffix);
}

#define ALIGN4(x) (((x) + 3u) & ~(size_t)3u)

int erofs_xattr_encode(char *const *names, const uint8_t *const *values, const uint16_t *sizes, size_t n,
		       uint8_t *out, size_t cap)
{
	struct xattr_in *x;
	size_t i, off = sizeof(struct erofs_xattr_ibody_header);
	int rc = 0;

	if (n == 0)
		return 0;
	x = calloc(n, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (xattr_prefix(names[i], &x[i].index, &x[i].suffix) < 0 || strlen(x[i].suffix) > 255) {
			rc = -EOPNOTSUPP;
			goto out;
		}
		x[i].value = values[i];
		x[i].size = sizes[i];
	}
	qsort(x, n, sizeof(*x), xattr_cmp);
	if (cap < off) {
		rc = -E2BIG;
		goto out;
	}
	memset(out, 0, off);
	for (i = 0; i < n; i++) {
		struct erofs_xattr_entry e = { .e_name_len = (uint8_t)strlen(x[i].suffix),
					       .e_name_index = x[i].index, .e_value_size = x[i].size };
		size_t len = ALIGN4(sizeof(e) + e.e_name_len + e.e_value_size);

		if (off + len > cap || off + len > 12 + 4 * 0xFFFEu) {
			rc = -E2BIG;
			goto out;
		}
		memset(out + off, 0, len);
		memcpy(out + off, &e, sizeof(e));
		memcpy(out + off + sizeof(e), x[i].suffix, e.e_name_len);
		memcpy(out + off + sizeof(e) + e.e_name_len, x[i].value, e.e_value_size);
		off += len;
	}
	rc = (int)off;
out:
	free(x);
	return rc;
}

/* ---- the tree ------------------------------------------------------------------ */

struct node {                   /* one inode */
	char *path;             /* relative to the source ("" for the root) */
	uint32_t parent;        /* the parent directory's node */
	uint32_t child0, nchild; /* directories: their entries in ents[] */
	uint32_t nlink;         /* links inside the tree (directories: 2 + subdirectories) */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	dev_t rdev;
	uint64_t size;          /* data bytes (directories: from the layout) */
	char *link;             /* symlink target */
	uint8_t *xattr;         /* encoded inline xattr body */
	uint32_t xattr_len;
	/* layout */
	uint64_t meta_off;      /* byte offset of the inode */
	uint32_t blkaddr;       /* first data block */
	uint32_t nfull;         /* data blocks */
	uint32_t tail;          /* bytes inlined after the inode and xattrs */
	bool ext;               /* extended inode */
};

struct ent {                    /* one directory entry (not "." and "..") */
	char *name;
	uint32_t node;
};

struct tree {
	const char *src;
	struct node *nodes;
	size_t nnodes, capnodes;
	struct ent *ents;
	size_t nents, capents;
	/* hard links: st_ino -> node, open addressing */
	uint64_t *hino;
	uint32_t *hnode;
	size_t hcap;
	uint64_t meta_end;      /* end of the metadata (superblock, inodes, tails) */
	char *err;
	size_t errlen;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int full_path(const struct tree *t, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", t->src, rel[0] ? "/" : "", rel);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The node already made for this inode (a hard link), or (uint32_t)-1 after recording idx. */
static uint32_t hardlink_find(struct tree *t, uint64_t ino, uint32_t idx)
{
	size_t i, cap;

	if (t->hcap == 0 || (t->nnodes + 1) * 2 > t->hcap) {
		size_t ncap = t->hcap ? t->hcap * 2 : 1024, j;
		uint64_t *nino = calloc(ncap, sizeof(*nino));
		uint32_t *nnode = calloc(ncap, sizeof(*nnode));

		if (!nino || !nnode) {
			free(nino);
			free(nnode);
			return (uint32_t)-2;
		}
		for (j = 0; j < t->hcap; j++) {
			if (!t->hino[j])
				continue;
			for (i = t->hino[j] & (ncap - 1); nino[i]; i = (i + 1) & (ncap - 1))
				;
			nino[i] = t->hino[j];
			nnode[i] = t->hnode[j];
		}
		free(t->hino);
		free(t->hnode);
		t->hino = nino;
		t->hnode = nnode;
		t->hcap = ncap;
	}
	cap = t->hcap;
	ino += 1; /* 0 marks a free slot */
	for (i = ino & (cap - 1); t->hino[i]; i = (i + 1) & (cap - 1))
		if (t->hino[i] == ino)
			return t->hnode[i];
	t->hino[i] = ino;
	t->hnode[i] = idx;
	return (uint32_t)-1;
}

static int read_xattrs(struct tree *t, struct node *nd, const char *path)
{
	char list[65536], *names[256];
	uint8_t *values[256];
	uint16_t sizes[256];
	uint8_t body[EROFS_BLKSIZ];
	ssize_t len = llistxattr(path, list, sizeof(list));
	size_t n = 0, i;
	char *p;
	int rc = 0;

	if (len < 0) {
		if (errno == ENOTSUP)
			return 0;
		seterr(t->err, t->errlen, "list the xattrs of %s: %s", path, strerror(errno));
		return -errno;
	}
	for (p = list; p < list + len; p += strlen(p) + 1) {
		ssize_t vs;

		if (n == 256) {
			seterr(t->err, t->errlen, "%s has more than 256 xattrs", path);
			rc = -E2BIG;
			goto out;
		}
		values[n] = malloc(65536);
		if (!values[n]) {
			rc = -ENOMEM;
			goto out;
		}
		names[n] = p;
		vs = lgetxattr(path, p, values[n], 65535);
		if (vs < 0) {
			rc = -errno;
			seterr(t->err, t->errlen, "read xattr %s of %s: %s", p, path, strerror(errno));
			n++;
			goto out;
		}
		sizes[n++] = (uint16_t)vs;
	}
	rc = erofs_xattr_encode(names, (const uint8_t *const *)values, sizes, n, body,
				EROFS_BLKSIZ - sizeof(struct erofs_inode_extended));
	if (rc == -EOPNOTSUPP) {
		for (i = 0; i < n; i++) {
			uint8_t ix;
			const char *sfx;

			if (xattr_prefix(names[i], &ix, &sfx) < 0 || strlen(sfx) > 255)
				break;
		}
		seterr(t->err, t->errlen, "xattr %s of %s: EROFS stores only user.*, trusted.*, security.* and POSIX ACLs",
		       i < n ? names[i] : "?", path);
	} else if (rc == -E2BIG) {
		seterr(t->err, t->errlen, "the xattrs of %s take more than an EROFS block", path);
	} else if (rc > 0) {
		nd->xattr = malloc((size_t)rc);
		if (!nd->xattr) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(nd->xattr, body, (size_t)rc);
		nd->xattr_len = (uint32_t)rc;
		rc = 0;
	}
out:
	for (i = 0; i < n; i++)
		free(values[i]);
	if (rc == -ENOMEM)
		seterr(t->err, t->errlen, "out of memory reading the xattrs of %s", path);
	return rc < 0 ? rc : 0;
}

/* Fill node idx (stat already taken into st) from the file at rel. */
static int add_node(struct tree *t, const char *rel, const struct stat *st, uint32_t parent)
{
	char path[PATH_MAX];
	struct node *nd;
	int rc;

	if (grow((void **)&t->nodes, &t->capnodes, t->nnodes + 1, sizeof(*t->nodes)) < 0)
		return -ENOMEM;
	nd = &t->nodes[t->nnodes];
	memset(nd, 0, sizeof(*nd));
	nd->path = strdup(rel);
	if (!nd->path)
		return -ENOMEM;
	t->nnodes++;
	nd->parent = parent;
	nd->mode = st->st_mode;
	nd->uid = st->st_uid;
	nd->gid = st->st_gid;
	nd->nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		nd->rdev = st->st_rdev;
	if (S_ISREG(st->st_mode))
		nd->size = (uint64_t)st->st_size;
	rc = full_path(t, rel, path, sizeof(path));
	if (rc < 0) {
		seterr(t->err, t->errlen, "path too long: %s/%s", t->src, rel);
		return rc;
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n < 0) {
			seterr(t->err, t->errlen, "readlink %s: %s", path, strerror(errno));
			return -errno;
		}
		target[n] = '\0';
		nd->link = strdup(target);
		if (!nd->link)
			return -ENOMEM;
		nd->size = (uint64_t)n;
	}
	return read_xattrs(t, nd, path);
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* Read directory node idx: its entries, sorted, each a new node or a hard link. */
static int scan_dir(struct tree *t, uint32_t idx)
{
	char path[PATH_MAX], rel[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	size_t first = t->nents, i;
	int rc = 0;

	if (full_path(t, t->nodes[idx].path, path, sizeof(path)) < 0) {
		seterr(t->err, t->errlen, "path too long: %s/%s", t->src, t->nodes[idx].path);
		return -ENAMETOOLONG;
	}
	d = opendir(path);
	if (!d) {
		seterr(t->err, t->errlen, "open directory %s: %s", path, strerror(errno));
		return -errno;
	}
	while ((errno = 0, e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strlen(e->d_name) > EROFS_NAME_LEN) {
			seterr(t->err, t->errlen, "name longer than %d bytes in %s", EROFS_NAME_LEN, path);
			rc = -ENAMETOOLONG;
			goto out;
		}
		if (grow((void **)&t->ents, &t->capents, t->nents + 1, sizeof(*t->ents)) < 0 ||
		    !(t->ents[t->nents].name = strdup(e->d_name))) {
			rc = -ENOMEM;
			goto out;
		}
		t->nents++;
	}
	if (errno) {
		rc = -errno;
		seterr(t->err, t->errlen, "read directory %s: %s", path, strerror(errno));
		goto out;
	}
	qsort(t->ents + first, t->nents - first, sizeof(*t->ents), ent_cmp);
	t->nodes[idx].child0 = (uint32_t)first;
	t->nodes[idx].nchild = (uint32_t)(t->nents - first);
	for (i = first; i < t->nents; i++) {
		const char *base = t->nodes[idx].path;
		uint32_t link;

		if (snprintf(rel, sizeof(rel), "%s%s%s", base, base[0] ? "/" : "", t->ents[i].name) >= (int)sizeof(rel)) {
			rc = -ENAMETOOLONG;
			seterr(t->err, t->errlen, "path too long: %s/%s", path, t->ents[i].name);
			goto out;
		}
		if (fstatat(dirfd(d), t->ents[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -errno;
			seterr(t->err, t->errlen, "stat %s/%s: %s", path, t->ents[i].name, strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			link = hardlink_find(t, (uint64_t)st.st_ino, (uint32_t)t->nnodes);
			if (link == (uint32_t)-2) {
				rc = -ENOMEM;
				goto out;
			}
			if (link != (uint32_t)-1) {
				t->ents[i].node = link;
				t->nodes[link].nlink++;
				continue;
			}
		}
		t->ents[i].node = (uint32_t)t->nnodes;
		rc = add_node(t, rel, &st, idx);
		if (rc < 0)
			goto out;
		if (S_ISDIR(st.st_mode))
			t->nodes[idx].nlink++;
	}
out:
	closedir(d);
	if (rc == -ENOMEM)
		seterr(t->err, t->errlen, "out of memory reading %s", path);
	return rc;
}

static uint8_t ftype_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return EROFS_FT_REG;
	case S_IFDIR: return EROFS_FT_DIR;
	case S_IFCHR: return EROFS_FT_CHR;
	case S_IFBLK: return EROFS_FT_BLK;
	case S_IFIFO: return EROFS_FT_FIFO;
	case S_IFSOCK: return EROFS_FT_SOCK;
	case S_IFLNK: return EROFS_FT_LNK;
	}
	return EROFS_FT_UNKNOWN;
}

static int dent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct erofs_dent_in *)a)->name, ((const struct erofs_dent_in *)b)->name);
}

/* The on-disk entries of directory idx ("." and ".." included, sorted). With nids
 * unknown yet (layout), they are 0: only the names matter for the size. */
static struct erofs_dent_in *dir_entries(const struct tree *t, uint32_t idx, size_t *n)
{
	const struct node *nd = &t->nodes[idx];
	struct erofs_dent_in *d = calloc(nd->nchild + 2u, sizeof(*d));
	uint32_t i;

	if (!d)
		return NULL;
	d[0] = (struct erofs_dent_in){ ".", nd->meta_off / EROFS_ISLOT, EROFS_FT_DIR };
	d[1] = (struct erofs_dent_in){ "..", t->nodes[nd->parent].meta_off / EROFS_ISLOT, EROFS_FT_DIR };
	for (i = 0; i < nd->nchild; i++) {
		const struct ent *e = &t->ents[nd->child0 + i];
		const struct node *c = &t->nodes[e->node];

		d[i + 2] = (struct erofs_dent_in){ e->name, c->meta_off / EROFS_ISLOT, ftype_of(c->mode) };
	}
	*n = nd->nchild + 2u;
	qsort(d, *n, sizeof(*d), dent_cmp);
	return d;
}

static size_t inode_size(const struct node *nd)
{
	return nd->ext ? sizeof(struct erofs_inode_extended) : sizeof(struct erofs_inode_compact);
}

/* Place every inode (nid) and every data block; returns the image size in blocks. */
static int layout(struct tree *t, uint64_t *blocks_out)
{
	uint64_t off = EROFS_SUPER_OFFSET + sizeof(struct erofs_super), blk;
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		struct node *nd = &t->nodes[i];
		uint64_t tail, rec, in_blk;

		if (S_ISDIR(nd->mode)) {
			size_t n;
			struct erofs_dent_in *d = dir_entries(t, (uint32_t)i, &n);

			if (!d)
				return -ENOMEM;
			nd->size = erofs_dir_size(d, n);
			free(d);
		}
		nd->ext = nd->uid > 0xFFFF || nd->gid > 0xFFFF || nd->nlink > 0xFFFF || nd->size > 0xFFFFFFFFu;
		off = (off + EROFS_ISLOT - 1) & ~(uint64_t)(EROFS_ISLOT - 1);
		tail = nd->size % EROFS_BLKSIZ;
		rec = inode_size(nd) + nd->xattr_len;
		if (nd->size / EROFS_BLKSIZ >= EROFS_MAX_BLOCKS)
			return -EFBIG; /* with the superblock's, more blocks than a 32-bit number holds */
		nd->nfull = (uint32_t)(nd->size / EROFS_BLKSIZ);
		nd->tail = 0;
		if (tail && rec + tail <= EROFS_BLKSIZ) {
			in_blk = off % EROFS_BLKSIZ;
			if (in_blk + rec + tail <= EROFS_BLKSIZ) {
				nd->tail = (uint32_t)tail;
			} else if (EROFS_BLKSIZ - in_blk <= EROFS_BLKSIZ - tail) {
				/* a fresh metadata block wastes less than a data block for the tail */
				off += EROFS_BLKSIZ - in_blk;
				nd->tail = (uint32_t)tail;
			}
		}
		if (tail && !nd->tail)
			nd->nfull++; /* the tail gets a data block of its own */
		rec += nd->tail;
		/* an inode with its xattrs stays inside one block when it can */
		in_blk = off % EROFS_BLKSIZ;
		if (in_blk + rec > EROFS_BLKSIZ && (rec <= EROFS_BLKSIZ || in_blk))
			off += EROFS_BLKSIZ - in_blk;
		nd->meta_off = off;
		off += rec;
	}
	if (t->nodes[0].meta_off / EROFS_ISLOT > 0xFFFF)
		return -EFBIG;
	t->meta_end = off;
	blk = (off + EROFS_BLKSIZ - 1) / EROFS_BLKSIZ;
	for (i = 0; i < t->nnodes; i++) {
		struct node *nd = &t->nodes[i];

		nd->blkaddr = nd->nfull ? (uint32_t)blk : 0;
		blk += nd->nfull;
		if (blk > EROFS_MAX_BLOCKS)
			return -EFBIG;
	}
	*blocks_out = blk;
	return 0;
}

/* ---- writing ------------------------------------------------------------------ */

struct writer {
	struct tree *t;
	int fd;                 /* the image */
	const struct mkerofs_opts *o;
	struct mkerofs_stats *st;
	uint8_t *buf;           /* copy buffer */
};

#define COPY_BUF (1u << 20)

static uint32_t encode_rdev(dev_t d)
{
	/* the kernel's new_encode_dev */
	unsigned ma = major(d), mi = minor(d);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

/* The inode record (inode, xattrs, inline tail) of node i into rec; returns its size. */
static size_t encode_inode(const struct tree *t, size_t i, uint8_t *rec)
{
	const struct node *nd = &t->nodes[i];
	uint16_t fmt = (uint16_t)(((nd->tail ? EROFS_FLAT_INLINE : EROFS_FLAT_PLAIN) << EROFS_LAYOUT_BIT) |
				  (nd->ext ? EROFS_INODE_EXTENDED : EROFS_INODE_COMPACT));
	uint16_t icount = nd->xattr_len ? (uint16_t)((nd->xattr_len - sizeof(struct erofs_xattr_ibody_header)) / 4 + 1) : 0;
	uint32_t iu = (S_ISCHR(nd->mode) || S_ISBLK(nd->mode)) ? encode_rdev(nd->rdev) : nd->blkaddr;
	size_t isz = inode_size(nd);

	if (nd->ext) {
		struct erofs_inode_extended in = {
			.i_format = fmt, .i_xattr_icount = icount, .i_mode = (uint16_t)nd->mode,
			.i_size = nd->size, .i_u = iu, .i_ino = (uint32_t)i + 1, .i_uid = nd->uid, .i_gid = nd->gid,
			.i_nlink = nd->nlink,
		};
		memcpy(rec, &in, sizeof(in));
	} else {
		struct erofs_inode_compact in = {
			.i_format = fmt, .i_xattr_icount = icount, .i_mode = (uint16_t)nd->mode,
			.i_nlink = (uint16_t)nd->nlink, .i_size = (uint32_t)nd->size, .i_u = iu,
			.i_ino = (uint32_t)i + 1, .i_uid = (uint16_t)nd->uid, .i_gid = (uint16_t)nd->gid,
		};
		memcpy(rec, &in, sizeof(in));
	}
	if (nd->xattr_len)
		memcpy(rec + isz, nd->xattr, nd->xattr_len);
	return isz + nd->xattr_len;
}

static int write_node(struct writer *w, size_t i)
{
	struct tree *t = w->t;
	struct node *nd = &t->nodes[i];
	uint8_t rec[EROFS_BLKSIZ + sizeof(struct erofs_inode_extended) + EROFS_BLKSIZ];
	size_t len = encode_inode(t, i, rec);
	uint64_t data = (uint64_t)nd->blkaddr * EROFS_BLKSIZ, body = nd->size - nd->tail;
	char path[PATH_MAX];
	int rc = 0, fd;

	if (S_ISDIR(nd->mode)) {
		size_t n;
		struct erofs_dent_in *d = dir_entries(t, (uint32_t)i, &n);
		uint8_t *buf = d ? calloc(1, nd->size) : NULL;

		if (!buf) {
			free(d);
			return -ENOMEM;
		}
		erofs_dir_write(d, n, buf);
		rc = fs_pwrite_all(w->fd, buf, body, data);
		memcpy(rec + len, buf + body, nd->tail);
		free(buf);
		free(d);
	} else if (S_ISLNK(nd->mode)) {
		if (nd->tail)
			memcpy(rec + len, nd->link, nd->tail);
		else
			rc = fs_pwrite_all(w->fd, nd->link, nd->size, data);
	} else if (S_ISREG(nd->mode) && nd->size) {
		full_path(t, nd->path, path, sizeof(path));
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			seterr(t->err, t->errlen, "open %s: %s", path, strerror(errno));
			return -errno;
		}
		rc = fs_copy_range(fd, 0, w->fd, data, body, w->buf, COPY_BUF);
		if (rc == 0 && nd->tail)
			rc = fs_pread_all(fd, rec + len, nd->tail, body);
		if (rc == 0 && w->o && w->o->consume && ftruncate(fd, 0) < 0)
			rc = -errno;
		close(fd);
		if (rc < 0) {
			seterr(t->err, t->errlen, "copy %s into the image: %s", path,
			       rc == -ENODATA ? "the file changed size while the image was written" : strerror(-rc));
			return rc;
		}
		w->st->data_bytes += nd->size;
		w->st->files++;
	} else if (S_ISREG(nd->mode)) {
		w->st->files++;
	}
	if (rc == 0)
		rc = fs_pwrite_all(w->fd, rec, len + nd->tail, nd->meta_off);
	if (rc < 0)
		seterr(t->err, t->errlen, "write the image: %s (inode of /%s)", strerror(-rc), nd->path);
	return rc;
}

static void tree_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		free(t->nodes[i].path);
		free(t->nodes[i].link);
		free(t->nodes[i].xattr);
	}
	for (i = 0; i < t->nents; i++)
		free(t->ents[i].name);
	free(t->nodes);
	free(t->ents);
	free(t->hino);
	free(t->hnode);
}

int mkerofs(const char *src, const char *image, const struct mkerofs_opts *o, struct mkerofs_stats *st,
	    char *err, size_t errlen)
{
	struct tree t = { .src = src, .err = err, .errlen = errlen };
	struct mkerofs_stats dummy;
	struct writer w = { .t = &t, .fd = -1, .o = o };
	struct erofs_super sb = { .magic = EROFS_SUPER_MAGIC, .blkszbits = EROFS_BLKSZBITS };
	struct stat rs;
	uint64_t blocks = 0;
	size_t i;
	int rc;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	w.st = st;
	if (stat(src, &rs) < 0) {
		seterr(err, errlen, "%s: %s", src, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(rs.st_mode)) {
		seterr(err, errlen, "%s: not a directory", src);
		return -ENOTDIR;
	}
	rc = add_node(&t, "", &rs, 0);
	/* breadth first: the nodes array is its own queue */
	for (i = 0; rc == 0 && i < t.nnodes; i++)
		if (S_ISDIR(t.nodes[i].mode))
			rc = scan_dir(&t, (uint32_t)i);
	if (rc < 0)
		goto out;
	rc = layout(&t, &blocks);
	if (rc < 0) {
		seterr(err, errlen, rc == -EFBIG ? "%s: the image would exceed EROFS's 16 TiB (32-bit block numbers)" :
		       "%s: out of memory laying out the image", src);
		goto out;
	}
	w.buf = malloc(COPY_BUF);
	if (!w.buf) {
		rc = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	w.fd = open(image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w.fd < 0) {
		rc = -errno;
		seterr(err, errlen, "create %s: %s", image, strerror(errno));
		goto out;
	}
	for (i = 0; rc == 0 && i < t.nnodes; i++)
		rc = write_node(&w, i);
	if (rc < 0)
		goto out_unlink;
	sb.root_nid = (uint16_t)(t.nodes[0].meta_off / EROFS_ISLOT);
	sb.inos = t.nnodes;
	sb.blocks = (uint32_t)blocks;
	rc = fs_pwrite_all(w.fd, &sb, sizeof(sb), EROFS_SUPER_OFFSET);
	if (rc == 0 && ftruncate(w.fd, (off_t)(blocks * EROFS_BLKSIZ)) < 0)
		rc = -errno;
	if (rc < 0) {
		seterr(err, errlen, "write %s: %s", image, strerror(-rc));
		goto out_unlink;
	}
	st->inodes = t.nnodes;
	st->image_bytes = blocks * EROFS_BLKSIZ;
	st->meta_bytes = t.meta_end;
	goto out;
out_unlink:
	unlink(image);
out:
	if (w.fd >= 0)
		close(w.fd);
	free(w.buf);
	tree_free(&t);
	return rc;
}
