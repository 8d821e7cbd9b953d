#include "oci/archwrite.h"
#include "oci/tarindex.h"
#include "util/fsutil.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAR_SIZE_OCTAL_MAX 077777777777ull /* 11 octal digits; larger sizes go base-256 */
#define TAR_END_BLOCKS     2               /* two zero blocks end an archive */

static uint64_t blocks(uint64_t n)
{
	return (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static void octal(char *f, size_t len, uint64_t v)
{
	snprintf(f, len, "%0*llo", (int)len - 1, (unsigned long long)v);
}

/* A ustar header: a regular file ('0') or a directory ('5'). */
static void tar_header(struct tar_header *h, const char *name, uint64_t size, bool dir)
{
	const unsigned char *b = (const unsigned char *)h;
	unsigned long sum = 0;
	size_t i;

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	octal(h->mode, sizeof(h->mode), dir ? 0755 : 0644);
	octal(h->uid, sizeof(h->uid), 0);
	octal(h->gid, sizeof(h->gid), 0);
	if (size <= TAR_SIZE_OCTAL_MAX) {
		octal(h->size, sizeof(h->size), size);
	} else { /* GNU base-256: top bit set, the number big-endian in the rest */
		h->size[0] = (char)0x80;
		for (i = sizeof(h->size) - 1; i > 0; i--, size >>= 8)
			h->size[i] = (char)(size & 0xff);
	}
	octal(h->mtime, sizeof(h->mtime), 0);
	h->typeflag = dir ? '5' : '0';
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	snprintf(h->chksum, 7, "%06lo", sum);
	h->chksum[7] = ' ';
}

/* Header at *off, then the data (NULL: only reserve room), padded to a block. */
static int member(struct oci_archive_writer *w, const char *name, const void *data, uint64_t size, bool dir,
		  uint64_t *off)
{
	struct tar_header h;
	int rc;

	tar_header(&h, name, size, dir);
	rc = fs_pwrite_all(w->fd, &h, sizeof(h), w->base + *off);
	if (rc == 0 && data && size)
		rc = fs_pwrite_all(w->fd, data, (size_t)size, w->base + *off + TAR_BLOCK);
	*off += TAR_BLOCK + blocks(size);
	return rc;
}

static char *index_json(const struct oci_desc *md, const char *ref_name)
{
	cJSON *j = cJSON_CreateObject(), *ms, *d, *an;
	char *s = NULL;

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "schemaVersion", 2);
	cJSON_AddStringToObject(j, "mediaType", OCI_MT_INDEX);
	ms = cJSON_AddArrayToObject(j, "manifests");
	d = cJSON_CreateObject();
	if (!ms || !d) {
		cJSON_Delete(d);
		goto out;
	}
	cJSON_AddItemToArray(ms, d);
	cJSON_AddStringToObject(d, "mediaType", md->media_type[0] ? md->media_type : OCI_MT_MANIFEST);
	cJSON_AddStringToObject(d, "digest", md->digest);
	cJSON_AddNumberToObject(d, "size", (double)md->size);
	an = cJSON_AddObjectToObject(d, "annotations");
	if (an && cJSON_AddStringToObject(an, OCI_REF_NAME, ref_name))
		s = cJSON_PrintUnformatted(j);
out:
	cJSON_Delete(j);
	return s;
}

static void add_blob(struct oci_archive_writer *w, const struct oci_desc *d)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (memcmp(w->b[i].sha256, d->sha256, 32) == 0)
			return;
	memcpy(w->b[w->n].sha256, d->sha256, 32);
	w->b[w->n].size = d->size;
	w->n++;
}

int oci_aw_start(struct oci_archive_writer *w, int fd, uint64_t base, const struct oci_desc *md, const char *mbuf,
		 size_t mlen, const struct oci_manifest *m, const char *ref_name, char *err, size_t errlen)
{
	static const char end[TAR_END_BLOCKS * TAR_BLOCK];
	char *ix = NULL, name[96];
	uint64_t off = 0;
	size_t i;
	int rc;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->base = base;
	if (mlen != md->size) {
		snprintf(err, errlen, "manifest %s is %zu bytes, its descriptor says %llu", md->digest, mlen,
			 (unsigned long long)md->size);
		return -EBADMSG;
	}
	w->b = calloc(m->nlayers + 2, sizeof(*w->b));
	ix = index_json(md, ref_name && *ref_name ? ref_name : "latest");
	if (!w->b || !ix) {
		snprintf(err, errlen, "out of memory for the oci-archive's layout");
		rc = -ENOMEM;
		goto err_free;
	}
	add_blob(w, md);
	add_blob(w, &m->config);
	for (i = 0; i < m->nlayers; i++)
		add_blob(w, &m->layers[i]);
	rc = member(w, "oci-layout", OCI_LAYOUT_JSON, strlen(OCI_LAYOUT_JSON), false, &off);
	if (rc == 0)
		rc = member(w, "index.json", ix, strlen(ix), false, &off);
	if (rc == 0)
		rc = member(w, "blobs/", NULL, 0, true, &off);
	if (rc == 0)
		rc = member(w, "blobs/sha256/", NULL, 0, true, &off);
	for (i = 0; rc == 0 && i < w->n; i++) {
		static const char hex[] = "0123456789abcdef";
		size_t k;

		memcpy(name, "blobs/sha256/", 13);
		for (k = 0; k < 32; k++) {
			name[13 + 2 * k] = hex[w->b[i].sha256[k] >> 4];
			name[14 + 2 * k] = hex[w->b[i].sha256[k] & 15];
		}
		name[13 + 64] = '\0';
		w->b[i].off = w->base + off + TAR_BLOCK;
		rc = member(w, name, i == 0 ? mbuf : NULL, w->b[i].size, false, &off);
	}
	if (rc == 0)
		rc = fs_pwrite_all(fd, end, sizeof(end), base + off);
	off += sizeof(end);
	w->total = off;
	if (rc == 0 && ftruncate(fd, (off_t)(base + off)) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "writing the oci-archive's layout (%llu bytes): %s", (unsigned long long)off,
			 strerror(-rc));
		goto err_free;
	}
	free(ix);
	return 0;
err_free:
	free(ix);
	free(w->b);
	w->b = NULL;
	w->n = 0;
	return rc;
}

const struct oci_aw_blob *oci_aw_find(const struct oci_archive_writer *w, const uint8_t sha256[32])
{
	size_t i;

	for (i = 0; w && i < w->n; i++)
		if (memcmp(w->b[i].sha256, sha256, 32) == 0)
			return &w->b[i];
	return NULL;
}

int oci_aw_write(const struct oci_archive_writer *w, const struct oci_aw_blob *b, uint64_t pos, const void *buf,
		 size_t len)
{
	if (pos > b->size || len > b->size - pos)
		return -ERANGE;
	return fs_pwrite_all(w->fd, buf, len, b->off + pos);
}

void oci_aw_free(struct oci_archive_writer *w)
{
	free(w->b);
	w->b = NULL;
	w->n = 0;
}
