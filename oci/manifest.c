#include "oci/manifest.h"
#include "util/hex.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int oci_digest_parse(const char *s, uint8_t out[32])
{
	size_t i;

	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + OCI_DIGEST_HEX)
		return -EINVAL;
	s += 7;
	for (i = 0; i < 32; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		/* the OCI digest grammar allows lower case only */
		if (hi < 0 || lo < 0 || (s[2 * i] >= 'A' && s[2 * i] <= 'F') || (s[2 * i + 1] >= 'A' && s[2 * i + 1] <= 'F'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Printable for an error line: at most 60 characters, control characters as '?'. */
static void shown(const char *s, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 60; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}

static int copy_str(const cJSON *o, const char *key, char *dst, size_t len, bool required,
		    const char *what, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	dst[0] = '\0';
	if (!v) {
		if (!required)
			return 0;
		snprintf(err, errlen, "%s has no \"%s\"", what, key);
		return -EINVAL;
	}
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len) {
		snprintf(err, errlen, "%s: \"%s\" is not a string of at most %zu characters", what, key, len - 1);
		return -EINVAL;
	}
	strcpy(dst, v->valuestring);
	return 0;
}

static int parse_desc(const cJSON *o, struct oci_desc *d, const char *what, char *err, size_t errlen)
{
	const cJSON *size, *ann, *plat, *rn;
	char s[64];

	memset(d, 0, sizeof(*d));
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "%s is not a JSON object", what);
		return -EINVAL;
	}
	if (copy_str(o, "mediaType", d->media_type, sizeof(d->media_type), false, what, err, errlen) ||
	    copy_str(o, "digest", d->digest, sizeof(d->digest), true, what, err, errlen))
		return -EINVAL;
	if (oci_digest_parse(d->digest, d->sha256) < 0) {
		shown(d->digest, s, sizeof(s));
		snprintf(err, errlen, "%s: digest \"%s\" is not sha256:<64 lowercase hex digits>", what, s);
		return -EINVAL;
	}
	size = cJSON_GetObjectItemCaseSensitive(o, "size");
	if (!cJSON_IsNumber(size) || size->valuedouble < 0 || size->valuedouble > 9007199254740992.0 ||
	    size->valuedouble != (double)(uint64_t)size->valuedouble) {
		snprintf(err, errlen, "%s: \"size\" is missing or not a whole number of bytes", what);
		return -EINVAL;
	}
	d->size = (uint64_t)size->valuedouble;
	ann = cJSON_GetObjectItemCaseSensitive(o, "annotations");
	if (cJSON_IsObject(ann)) {
		rn = cJSON_GetObjectItemCaseSensitive(ann, OCI_REF_NAME);
		if (rn && cJSON_IsString(rn) && strlen(rn->valuestring) < sizeof(d->ref_name))
			strcpy(d->ref_name, rn->valuestring);
	}
	plat = cJSON_GetObjectItemCaseSensitive(o, "platform");
	if (cJSON_IsObject(plat)) {
		if (copy_str(plat, "os", d->os, sizeof(d->os), false, what, err, errlen) ||
		    copy_str(plat, "architecture", d->arch, sizeof(d->arch), false, what, err, errlen) ||
		    copy_str(plat, "variant", d->variant, sizeof(d->variant), false, what, err, errlen))
			return -EINVAL;
	}
	return 0;
}

static cJSON *parse_json(const char *buf, size_t len, const char *what, char *err, size_t errlen)
{
	cJSON *root;

	if (len > OCI_JSON_MAX) {
		snprintf(err, errlen, "%s is %zu bytes, expected at most %u", what, len, OCI_JSON_MAX);
		return NULL;
	}
	root = cJSON_ParseWithLength(buf, len);
	if (!root || !cJSON_IsObject(root)) {
		snprintf(err, errlen, "%s is not a JSON object", what);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static int parse_array(const cJSON *arr, struct oci_desc **out, size_t *n, const char *what, char *err,
		       size_t errlen)
{
	const cJSON *e;
	size_t cnt, i = 0;
	char w[64];

	*out = NULL;
	*n = 0;
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "%s is missing or not an array", what);
		return -EINVAL;
	}
	cnt = (size_t)cJSON_GetArraySize(arr);
	if (cnt > OCI_MAX_DESCS) {
		snprintf(err, errlen, "%s has %zu entries, expected at most %d", what, cnt, OCI_MAX_DESCS);
		return -E2BIG;
	}
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out) {
		snprintf(err, errlen, "out of memory for %s", what);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(e, arr) {
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		if (parse_desc(e, &(*out)[i], w, err, errlen) < 0) {
			free(*out);
			*out = NULL;
			return -EINVAL;
		}
		i++;
	}
	*n = i;
	return 0;
}

int oci_doc_kind(const char *media_type, const char *buf, size_t len, enum oci_doc_kind *kind,
		 char *err, size_t errlen)
{
	cJSON *root;
	const cJSON *mt;
	const char *t = media_type;
	int rc = 0;

	root = parse_json(buf, len, "the manifest", err, errlen);
	if (!root)
		return -EINVAL;
	mt = cJSON_GetObjectItemCaseSensitive(root, "mediaType");
	if ((!t || !*t || strcmp(t, "application/json") == 0 || strcmp(t, "application/octet-stream") == 0) &&
	    cJSON_IsString(mt))
		t = mt->valuestring;
	if (t && (strcmp(t, OCI_MT_INDEX) == 0 || strcmp(t, DOCKER_MT_LIST) == 0))
		*kind = OCI_DOC_INDEX;
	else if (t && (strcmp(t, OCI_MT_MANIFEST) == 0 || strcmp(t, DOCKER_MT_MANIFEST) == 0))
		*kind = OCI_DOC_MANIFEST;
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "manifests")))
		*kind = OCI_DOC_INDEX;
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "layers")))
		*kind = OCI_DOC_MANIFEST;
	else {
		char s[64];

		shown(t ? t : "(none)", s, sizeof(s));
		snprintf(err, errlen, "the manifest's media type %s is neither an image index nor an image manifest "
			 "(Docker schema 1 is not supported)", s);
		rc = -EPROTONOSUPPORT;
	}
	cJSON_Delete(root);
	return rc;
}

int oci_index_parse(const char *buf, size_t len, struct oci_index *out, char *err, size_t errlen)
{
	cJSON *root = parse_json(buf, len, "the image index", err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EINVAL;
	rc = parse_array(cJSON_GetObjectItemCaseSensitive(root, "manifests"), &out->d, &out->n,
			 "the index's manifests", err, errlen);
	cJSON_Delete(root);
	return rc;
}

void oci_index_free(struct oci_index *ix)
{
	free(ix->d);
	ix->d = NULL;
	ix->n = 0;
}

int oci_manifest_parse(const char *buf, size_t len, struct oci_manifest *out, char *err, size_t errlen)
{
	cJSON *root = parse_json(buf, len, "the image manifest", err, errlen);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -EINVAL;
	rc = parse_desc(cJSON_GetObjectItemCaseSensitive(root, "config"), &out->config, "the manifest's config",
			err, errlen);
	if (rc == 0)
		rc = parse_array(cJSON_GetObjectItemCaseSensitive(root, "layers"), &out->layers, &out->nlayers,
				 "the manifest's layers", err, errlen);
	cJSON_Delete(root);
	return rc;
}

void oci_manifest_free(struct oci_manifest *m)
{
	free(m->layers);
	m->layers = NULL;
	m->nlayers = 0;
}

/* Append ", name" to err's list while it fits. */
static void list_add(char *buf, size_t len, size_t *used, const char *name)
{
	char s[64];
	int n;

	shown(name, s, sizeof(s));
	if (*used >= len)
		return;
	n = snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", s);
	if (n > 0)
		*used += (size_t)n;
}

int oci_index_pick_label(const struct oci_index *ix, const char *label, bool label_default, size_t *pick,
			 char *err, size_t errlen)
{
	char names[200] = "";
	char s[64];
	size_t i, used = 0, named = 0;

	for (i = 0; i < ix->n; i++) {
		if (ix->d[i].ref_name[0])
			named++;
		if (strcmp(ix->d[i].ref_name, label) == 0) {
			*pick = i;
			return 0;
		}
	}
	if (label_default && named == 0 && ix->n == 1) {
		*pick = 0;
		return 0;
	}
	for (i = 0; i < ix->n; i++)
		if (ix->d[i].ref_name[0])
			list_add(names, sizeof(names), &used, ix->d[i].ref_name);
	shown(label, s, sizeof(s));
	snprintf(err, errlen, "no image labelled \"%s\" in the archive; labels present: %s", s,
		 used ? names : "none");
	return -ENOENT;
}

int oci_index_pick_platform(const struct oci_index *ix, const char *os, const char *arch, size_t *pick,
			    char *err, size_t errlen)
{
	char names[200] = "", p[100];
	size_t i, used = 0;

	for (i = 0; i < ix->n; i++) {
		/* attestation manifests ("unknown/unknown") and the like never match */
		if (strcmp(ix->d[i].os, os) == 0 && strcmp(ix->d[i].arch, arch) == 0) {
			*pick = i;
			return 0;
		}
	}
	for (i = 0; i < ix->n; i++) {
		snprintf(p, sizeof(p), "%s/%s%s%s", ix->d[i].os[0] ? ix->d[i].os : "?",
			 ix->d[i].arch[0] ? ix->d[i].arch : "?", ix->d[i].variant[0] ? "/" : "", ix->d[i].variant);
		list_add(names, sizeof(names), &used, p);
	}
	snprintf(err, errlen, "the image index has no %s/%s image; platforms present: %s", os, arch,
		 used ? names : "none");
	return -ENOENT;
}

const char *oci_arch_from_machine(const char *m)
{
	static const struct { const char *uname, *oci; } map[] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "386" }, { "i386", "386" },
		{ "armv7l", "arm" }, { "armv6l", "arm" }, { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "loongarch64", "loong64" }, { "mips64", "mips64" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(m, map[i].uname) == 0)
			return map[i].oci;
	return m;
}

bool oci_layer_type_ok(const char *t)
{
	return strcmp(t, OCI_MT_LAYER) == 0 || strcmp(t, OCI_MT_LAYER_GZ) == 0 || strcmp(t, OCI_MT_LAYER_ZST) == 0 ||
	       strcmp(t, DOCKER_MT_LAYER_GZ) == 0;
}
