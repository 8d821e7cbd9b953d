#include "oci/image.h"
#include "crypto/sha256.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 4 /* index > index > manifest at most */

void oci_emit(event_fn ev, void *ctx, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ev)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev(ctx, level, msg);
}

int oci_blob_verify(const struct oci_desc *d, const void *buf, size_t len, char *err, size_t errlen)
{
	struct sha256 h;
	uint8_t got[32];
	char hx[65];
	int i;

	if (len != d->size) {
		snprintf(err, errlen, "blob %s is %zu bytes, its descriptor says %llu", d->digest, len,
			 (unsigned long long)d->size);
		return -EBADMSG;
	}
	sha256_init(&h);
	sha256_update(&h, buf, len);
	sha256_final(&h, got);
	if (memcmp(got, d->sha256, 32) != 0) {
		for (i = 0; i < 32; i++)
			snprintf(hx + 2 * i, 3, "%02x", got[i]);
		snprintf(err, errlen, "digest mismatch: expected %s, got sha256:%s", d->digest, hx);
		return -EBADMSG;
	}
	return 0;
}

static int unpack_manifest(const struct oci_store *s, const struct oci_desc *md, const char *buf, size_t len,
			   const struct oci_unpack_opts *o, struct oci_unpack_stats *st, char *err, size_t errlen)
{
	struct oci_manifest m;
	struct oci_layer_stats ls;
	char *cfg = NULL;
	size_t cfglen, i, j;
	bool last;
	int rc;

	rc = oci_manifest_parse(buf, len, &m, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(st->manifest_digest, sizeof(st->manifest_digest), "%s", md->digest);
	for (i = 0; i < m.nlayers; i++) {
		if (!oci_layer_type_ok(m.layers[i].media_type)) {
			snprintf(err, errlen, "layer %zu (%s) has media type \"%.80s\", expected an OCI tar, tar+gzip, "
				 "tar+zstd or Docker tar.gzip layer", i + 1, m.layers[i].digest, m.layers[i].media_type);
			rc = -EPROTONOSUPPORT;
			goto out;
		}
	}
	if (s->manifest) {
		rc = s->manifest(s->ctx, md, buf, len, &m, err, errlen);
		if (rc < 0)
			goto out;
	}
	/* the config is not needed to build the root, but it is part of the image: verify it */
	rc = s->get_blob(s->ctx, &m.config, &cfg, &cfglen, err, errlen);
	if (rc < 0)
		goto out;
	free(cfg);
	oci_emit(o->ev, o->ev_ctx, EV_INFO, "image %s: %zu layer%s", md->digest, m.nlayers,
		 m.nlayers == 1 ? "" : "s");
	for (i = 0; i < m.nlayers; i++) {
		last = true;
		for (j = i + 1; j < m.nlayers; j++)
			if (memcmp(m.layers[j].sha256, m.layers[i].sha256, 32) == 0)
				last = false;
		oci_emit(o->ev, o->ev_ctx, EV_INFO, "layer %zu/%zu: %s (%llu bytes, %s)", i + 1, m.nlayers,
			 m.layers[i].digest, (unsigned long long)m.layers[i].size, m.layers[i].media_type);
		if (s->prefetch && i + 1 < m.nlayers && memcmp(m.layers[i + 1].sha256, m.layers[i].sha256, 32) != 0)
			s->prefetch(s->ctx, &m.layers[i + 1]);
		rc = s->apply_layer(s->ctx, &m.layers[i], o->root, last, &ls, err, errlen);
		if (rc < 0)
			goto out;
		if (ls.warnings)
			oci_emit(o->ev, o->ev_ctx, EV_WARN, "layer %zu: %llu entr%s not fully restored, first: %s", i + 1,
				 (unsigned long long)ls.warnings, ls.warnings == 1 ? "y" : "ies", ls.warning);
		st->layers++;
		st->blob_bytes += ls.blob_bytes;
		st->entries += ls.entries;
		st->whiteouts += ls.whiteouts;
		oci_emit(o->ev, o->ev_ctx, EV_DEBUG, "layer %zu: %llu entries, %llu whiteouts, digest verified", i + 1,
			 (unsigned long long)ls.entries, (unsigned long long)ls.whiteouts);
	}
out:
	oci_manifest_free(&m);
	return rc;
}

static int unpack(const struct oci_store *s, const struct oci_desc *d, const struct oci_unpack_opts *o,
		  struct oci_unpack_stats *st, int depth, char *err, size_t errlen)
{
	enum oci_doc_kind kind;
	struct oci_index ix;
	char *buf = NULL;
	size_t len, pick;
	int rc;

	if (depth > MAX_NESTING) {
		snprintf(err, errlen, "image indexes nested more than %d deep", MAX_NESTING);
		return -ELOOP;
	}
	rc = s->get_blob(s->ctx, d, &buf, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = oci_doc_kind(d->media_type, buf, len, &kind, err, errlen);
	if (rc < 0)
		goto out;
	if (kind == OCI_DOC_MANIFEST) {
		rc = unpack_manifest(s, d, buf, len, o, st, err, errlen);
		goto out;
	}
	rc = oci_index_parse(buf, len, &ix, err, errlen);
	if (rc < 0)
		goto out;
	rc = oci_index_pick_platform(&ix, o->os, o->arch, &pick, err, errlen);
	if (rc == 0) {
		oci_emit(o->ev, o->ev_ctx, EV_INFO, "index %s: %s/%s is %s", d->digest, o->os, o->arch,
			 ix.d[pick].digest);
		rc = unpack(s, &ix.d[pick], o, st, depth + 1, err, errlen);
	}
	oci_index_free(&ix);
out:
	free(buf);
	return rc;
}

int oci_image_unpack(const struct oci_store *s, const struct oci_desc *top, const struct oci_unpack_opts *o,
		     struct oci_unpack_stats *st, char *err, size_t errlen)
{
	struct oci_unpack_stats dummy;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	return unpack(s, top, o, st, 0, err, errlen);
}
