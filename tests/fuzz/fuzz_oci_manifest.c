/* libFuzzer target: everything an image source or a registry hands the OCI code as text:
 * index/manifest JSON (kind, parse, label and platform picks), the same bytes as an
 * oci-archive tar to index, as an image reference, a WWW-Authenticate challenge and a
 * credentials file, a token service's answer and a registry's error body. Nothing may crash, hang or leak; results must be self-consistent. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "oci/auth.h"
#include "oci/manifest.h"
#include "oci/ref.h"
#include "oci/tarindex.h"

struct mem { const uint8_t *p; size_t n; };

static ssize_t mem_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off >= m->n)
		return 0;
	if (len > m->n - off)
		len = m->n - (size_t)off;
	memcpy(buf, m->p + off, len);
	return (ssize_t)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *s = malloc(size + 1), up[128], a[32], b[256], c[128], d[256];
	struct oci_index ix;
	struct oci_manifest m;
	struct oci_ref ref;
	struct tar_index ti;
	struct mem mem = { data, size };
	enum oci_doc_kind kind;
	size_t pick, i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	oci_doc_kind(NULL, s, size, &kind, err, sizeof(err));
	if (oci_index_parse(s, size, &ix, err, sizeof(err)) == 0) {
		if (oci_index_pick_label(&ix, "latest", true, &pick, err, sizeof(err)) == 0 && pick >= ix.n)
			abort();
		if (oci_index_pick_platform(&ix, "linux", "amd64", &pick, err, sizeof(err)) == 0 && pick >= ix.n)
			abort();
		for (i = 0; i < ix.n; i++)
			if (strncmp(ix.d[i].digest, "sha256:", 7) != 0)
				abort();
		oci_index_free(&ix);
	}
	if (oci_manifest_parse(s, size, &m, err, sizeof(err)) == 0)
		oci_manifest_free(&m);
	if (tar_index_build(mem_pread, &mem, size, &ti, err, sizeof(err)) == 0) {
		for (i = 0; i < ti.n; i++)
			if (ti.m[i].offset + ti.m[i].size > size)
				abort();
		tar_index_find(&ti, "index.json");
		tar_index_free(&ti);
	}
	if (oci_ref_parse(s, &ref, err, sizeof(err)) == 0 && (!ref.repo[0] || (!ref.tag[0] && !ref.digest[0])))
		abort();
	oci_www_auth_parse(s, a, sizeof(a), b, sizeof(b), c, sizeof(c), d, sizeof(d));
	oci_auth_lookup(s, "10.0.2.2:5000", up, sizeof(up));
	{	/* a token service's answer and a registry's error body */
		char *hdr = NULL, says[256];
		const char *p;

		if (oci_token_parse((const char *)data, size, &hdr) == 0) {
			if (!hdr || strncmp(hdr, "Authorization: Bearer ", 22) || !hdr[22])
				abort();
			for (p = hdr + 22; *p; p++)
				if ((unsigned char)*p <= ' ' || *p == 0x7f)
					abort();	/* a header that could split or smuggle another */
		} else if (hdr) {
			abort();
		}
		free(hdr);
		oci_registry_error((const char *)data, size, says, sizeof(says));
		for (p = says; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	free(s);
	return 0;
}
