#include "oci/tarindex.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAX_MAX (64u * 1024) /* largest pax extended header we read */

_Static_assert(sizeof(struct tar_header) == TAR_BLOCK, "tar header is one block");

static int parse_octal(const char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if ((unsigned char)f[0] & 0x80) { /* GNU base-256 */
		if ((unsigned char)f[0] != 0x80)
			return -EINVAL; /* negative or too big */
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return -EINVAL;
			v = v << 8 | (unsigned char)f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -EINVAL;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (i < len && f[i] != ' ' && f[i] != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

static bool checksum_ok(const struct tar_header *h)
{
	const unsigned char *b = (const unsigned char *)h;
	uint64_t want;
	unsigned long sum = 0;
	size_t i;

	if (parse_octal(h->chksum, sizeof(h->chksum), &want) < 0)
		return false;
	for (i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return sum == want;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* pax records "<len> <key>=<value>\n": take path and size. */
static int parse_pax(const char *buf, size_t len, char *path, size_t plen, uint64_t *size, bool *has_size)
{
	size_t pos = 0;

	while (pos < len) {
		size_t rl = 0, i = pos, klen;
		const char *rec, *eq, *val;

		while (i < len && buf[i] >= '0' && buf[i] <= '9' && rl < PAX_MAX)
			rl = rl * 10 + (size_t)(buf[i++] - '0');
		if (i >= len || buf[i] != ' ' || rl == 0 || rl > len - pos || buf[pos + rl - 1] != '\n')
			return -EINVAL;
		rec = buf + i + 1;
		eq = memchr(rec, '=', (size_t)(buf + pos + rl - 1 - rec));
		if (!eq)
			return -EINVAL;
		klen = (size_t)(eq - rec);
		val = eq + 1;
		if (klen == 4 && memcmp(rec, "path", 4) == 0) {
			size_t vl = (size_t)(buf + pos + rl - 1 - val);

			if (vl < plen) {
				memcpy(path, val, vl);
				path[vl] = '\0';
			}
		} else if (klen == 4 && memcmp(rec, "size", 4) == 0) {
			uint64_t v = 0;
			const char *p = val;

			for (; *p >= '0' && *p <= '9'; p++) {
				if (v > (UINT64_MAX - 9) / 10)
					return -EINVAL;
				v = v * 10 + (uint64_t)(*p - '0');
			}
			if (*p != '\n')
				return -EINVAL;
			*size = v;
			*has_size = true;
		}
		pos += rl;
	}
	return 0;
}

static int add(struct tar_index *ix, const char *name, uint64_t off, uint64_t size)
{
	struct tar_member *m;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;

		if (ix->n >= TAR_MAX_FILES)
			return -E2BIG;
		m = realloc(ix->m, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		ix->m = m;
		ix->cap = cap;
	}
	m = &ix->m[ix->n++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->offset = off;
	m->size = size;
	return 0;
}

/* Read exactly len bytes at off. */
static int read_full(tar_pread_fn rd, void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = rd(ctx, buf, len, off);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EBADMSG;
}

int tar_index_build(tar_pread_fn rd, void *ctx, uint64_t total, struct tar_index *ix, char *err, size_t errlen)
{
	struct tar_header h;
	uint64_t off = 0, size, next_size = 0;
	char next_name[TAR_NAME_MAX] = "", name[TAR_NAME_MAX];
	bool have_next_size = false;
	char *pax = NULL;
	int rc;

	memset(ix, 0, sizeof(*ix));
	while (off + TAR_BLOCK <= total) {
		rc = read_full(rd, ctx, &h, sizeof(h), off);
		if (rc < 0)
			goto err_read;
		if (all_zero(&h, sizeof(h)))
			break; /* end of archive */
		if (!checksum_ok(&h) || parse_octal(h.size, sizeof(h.size), &size) < 0) {
			snprintf(err, errlen, "corrupt tar header at byte %llu (expected a ustar header)",
				 (unsigned long long)off);
			rc = -EBADMSG;
			goto err_out;
		}
		if (have_next_size && h.typeflag != 'x' && h.typeflag != 'L')
			size = next_size;
		if (size > total - off - TAR_BLOCK) {
			snprintf(err, errlen, "tar member at byte %llu claims %llu bytes, past the end of the archive",
				 (unsigned long long)off, (unsigned long long)size);
			rc = -EBADMSG;
			goto err_out;
		}
		if (h.typeflag == 'x' || h.typeflag == 'L') {
			if (size > PAX_MAX) {
				snprintf(err, errlen, "extended tar header at byte %llu is %llu bytes, expected at most %u",
					 (unsigned long long)off, (unsigned long long)size, PAX_MAX);
				rc = -EBADMSG;
				goto err_out;
			}
			pax = malloc((size_t)size + 1);
			if (!pax) {
				rc = -ENOMEM;
				goto err_read;
			}
			rc = read_full(rd, ctx, pax, (size_t)size, off + TAR_BLOCK);
			if (rc < 0)
				goto err_read;
			pax[size] = '\0';
			if (h.typeflag == 'L') {
				snprintf(next_name, sizeof(next_name), "%s", pax);
			} else if (parse_pax(pax, (size_t)size, next_name, sizeof(next_name), &next_size,
					     &have_next_size) < 0) {
				snprintf(err, errlen, "malformed pax header at byte %llu", (unsigned long long)off);
				rc = -EBADMSG;
				goto err_out;
			}
			free(pax);
			pax = NULL;
		} else {
			if (h.typeflag == '0' || h.typeflag == '\0' || h.typeflag == '7') {
				if (next_name[0])
					snprintf(name, sizeof(name), "%s", next_name);
				else if (h.prefix[0] && memcmp(h.magic, "ustar\0", 6) == 0)
					snprintf(name, sizeof(name), "%.155s/%.100s", h.prefix, h.name);
				else
					snprintf(name, sizeof(name), "%.100s", h.name);
				rc = add(ix, name, off + TAR_BLOCK, size);
				if (rc < 0) {
					snprintf(err, errlen, "the archive has more than %d members", TAR_MAX_FILES);
					goto err_out;
				}
			}
			next_name[0] = '\0';
			have_next_size = false;
		}
		off += TAR_BLOCK + (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	}
	return 0;
err_read:
	snprintf(err, errlen, "reading the archive at byte %llu: %s", (unsigned long long)off,
		 rc == -EBADMSG ? "it ends early" : strerror(-rc));
err_out:
	free(pax);
	tar_index_free(ix);
	return rc;
}

const struct tar_member *tar_index_find(const struct tar_index *ix, const char *name)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		if (strcmp(ix->m[i].name, name) == 0)
			return &ix->m[i];
	return NULL;
}

void tar_index_free(struct tar_index *ix)
{
	free(ix->m);
	memset(ix, 0, sizeof(*ix));
}
