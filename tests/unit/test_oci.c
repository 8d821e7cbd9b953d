/* Table tests for the pure parts of oci/: layer path checks and whiteouts, image
 * references, index/manifest JSON and selection, the tar member index, and the
 * registry authentication parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* rows name only what they check */

#include "oci/auth.h"
#include "oci/mirrors.h"
#include "oci/manifest.h"
#include "oci/pathcheck.h"
#include "oci/ref.h"
#include "oci/tarindex.h"

/* ---- paths ---- */
struct path_row {
	const char *in;
	int rc;
	const char *clean;
	enum oci_wh kind;
	const char *target;
};

static void check_path(const char *file, int line, const struct path_row *r)
{
	char out[64], target[64];
	enum oci_wh kind;
	int rc = oci_path_clean(r->in, out, sizeof(out));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d, expected %d", file, line, r->in, rc, r->rc);
	if (rc)
		return;
	if (strcmp(out, r->clean))
		fail_msg("%s:%d: '%s' -> '%s', expected '%s'", file, line, r->in, out, r->clean);
	rc = oci_path_whiteout(out, &kind, target, sizeof(target));
	if (rc == -EINVAL && r->kind == (enum oci_wh)-1)
		return;
	if (rc || kind != r->kind || (kind != OCI_WH_NONE && strcmp(target, r->target)))
		fail_msg("%s:%d: '%s': whiteout rc %d kind %d target '%s', expected kind %d '%s'", file, line, r->in, rc,
			 kind, rc ? "" : target, r->kind, r->target ? r->target : "");
}
#define PATH(...) check_path(__FILE__, __LINE__, &(const struct path_row){ __VA_ARGS__ })

static void test_paths(void **state)
{
	PATH("etc/passwd", 0, "etc/passwd", OCI_WH_NONE, NULL);
	PATH("./etc//passwd", 0, "etc/passwd", OCI_WH_NONE, NULL);
	PATH("./", 0, "", OCI_WH_NONE, NULL);
	PATH(".", 0, "", OCI_WH_NONE, NULL);
	PATH("usr/./lib/", 0, "usr/lib", OCI_WH_NONE, NULL);
	PATH("a/..b/c...", 0, "a/..b/c...", OCI_WH_NONE, NULL);
	PATH("/etc/passwd", -EPERM);
	PATH("../x", -EPERM);
	PATH("a/../../x", -EPERM);
	PATH("a/b/..", -EPERM);
	PATH("", -EINVAL);
	PATH("a\nb", -EINVAL);
	PATH("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", -ENAMETOOLONG);
	PATH("etc/.wh.removed", 0, "etc/.wh.removed", OCI_WH_FILE, "etc/removed");
	PATH(".wh.top", 0, ".wh.top", OCI_WH_FILE, "top");
	PATH("opq/.wh..wh..opq", 0, "opq/.wh..wh..opq", OCI_WH_OPQ, "opq");
	PATH(".wh..wh..opq", 0, ".wh..wh..opq", OCI_WH_OPQ, "");
	PATH("a/.wh..wh.x", 0, "a/.wh..wh.x", OCI_WH_FILE, "a/.wh.x");
	PATH("a/.wh.", 0, "a/.wh.", (enum oci_wh)-1);
	PATH("a/.wh..", 0, "a/.wh..", (enum oci_wh)-1);
	PATH("a/x.wh.y", 0, "a/x.wh.y", OCI_WH_NONE, NULL);
}

/* ---- references ---- */
struct ref_row {
	const char *in;
	int rc;
	const char *registry, *repo, *tag, *digest;
};

static void check_ref(const char *file, int line, const struct ref_row *r)
{
	struct oci_ref ref;
	char err[256] = "";
	int rc = oci_ref_parse(r->in, &ref, err, sizeof(err));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d (%s), expected %d", file, line, r->in, rc, err, r->rc);
	if (rc) {
		if (!*err || strchr(err, '\n'))
			fail_msg("%s:%d: '%s': error line '%s'", file, line, r->in, err);
		return;
	}
	if (strcmp(ref.registry, r->registry) || strcmp(ref.repo, r->repo) || strcmp(ref.tag, r->tag) ||
	    strcmp(ref.digest, r->digest))
		fail_msg("%s:%d: '%s' -> %s | %s | %s | %s", file, line, r->in, ref.registry, ref.repo, ref.tag, ref.digest);
}
#define REF(...) check_ref(__FILE__, __LINE__, &(const struct ref_row){ __VA_ARGS__ })
#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_refs(void **state)
{
	REF("docker://busybox", 0, "registry-1.docker.io", "library/busybox", "latest", "");
	REF("docker://busybox:1.36", 0, "registry-1.docker.io", "library/busybox", "1.36", "");
	REF("docker://fedora/fedora-bootc:41", 0, "registry-1.docker.io", "fedora/fedora-bootc", "41", "");
	REF("docker://docker.io/busybox", 0, "registry-1.docker.io", "library/busybox", "latest", "");
	REF("docker://quay.io/fedora/fedora-bootc:41", 0, "quay.io", "fedora/fedora-bootc", "41", "");
	REF("docker://10.0.2.2:5000/netinit/test:v1", 0, "10.0.2.2:5000", "netinit/test", "v1", "");
	REF("docker://localhost/x", 0, "localhost", "x", "latest", "");
	REF("docker://r.io/a/b@sha256:" D64, 0, "r.io", "a/b", "", "sha256:" D64);
	REF("docker://r.io/a/b:t@sha256:" D64, 0, "r.io", "a/b", "", "sha256:" D64);
	REF("docker://r.io:5000/a", 0, "r.io:5000", "a", "latest", "");
	REF("busybox", -EINVAL);
	REF("docker://", -EINVAL);
	REF("docker://Upper/x", -EINVAL);
	REF("docker://r.io/a:", -EINVAL);
	REF("docker://r.io/a:-bad", -EINVAL);
	REF("docker://r.io/a@sha256:abc", -EINVAL);
	REF("docker://r.io/a@sha512:" D64, -EINVAL);
	REF("docker://r.io//a", -EINVAL);
	REF("docker://r.io/a/", -EINVAL);
	REF("docker://r.io/a b", -EINVAL);
}

/* ---- JSON ---- */
#define DIG(c) "\"sha256:" c "\""
#define DA DIG("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
#define DB DIG("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
static const char index_json[] =
	"{\"schemaVersion\":2,\"manifests\":["
	"{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":" DA ",\"size\":657,"
	"\"annotations\":{\"" OCI_REF_NAME "\":\"latest\"},\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
	"{\"mediaType\":\"" OCI_MT_MANIFEST "\",\"digest\":" DB ",\"size\":811,"
	"\"annotations\":{\"" OCI_REF_NAME "\":\"other\"},\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static void test_index(void **state)
{
	struct oci_index ix;
	enum oci_doc_kind kind;
	char err[256];
	size_t pick;

	assert_int_equal(oci_index_parse(index_json, strlen(index_json), &ix, err, sizeof(err)), 0);
	assert_int_equal(ix.n, 2);
	assert_int_equal(ix.d[1].size, 811);
	assert_string_equal(ix.d[1].ref_name, "other");
	assert_int_equal(ix.d[0].sha256[0], 0xaa);
	assert_int_equal(oci_index_pick_label(&ix, "other", false, &pick, err, sizeof(err)), 0);
	assert_int_equal(pick, 1);
	assert_int_equal(oci_index_pick_label(&ix, "nope", false, &pick, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "labels present: latest, other"));
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "amd64", &pick, err, sizeof(err)), 0);
	assert_int_equal(pick, 1);
	assert_int_equal(oci_index_pick_platform(&ix, "linux", "s390x", &pick, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "platforms present: linux/arm64, linux/amd64"));
	assert_int_equal(oci_doc_kind("", index_json, strlen(index_json), &kind, err, sizeof(err)), 0);
	assert_int_equal(kind, OCI_DOC_INDEX);
	oci_index_free(&ix);
}

struct bad_json_row {
	const char *json, *needle;
};

static void check_bad_json(const char *file, int line, const struct bad_json_row *r)
{
	struct oci_index ix;
	struct oci_manifest m;
	char err[256] = "";

	if (oci_index_parse(r->json, strlen(r->json), &ix, err, sizeof(err)) == 0) {
		oci_index_free(&ix);
		if (oci_manifest_parse(r->json, strlen(r->json), &m, err, sizeof(err)) == 0)
			fail_msg("%s:%d: accepted '%s'", file, line, r->json);
	}
	if (!strstr(err, r->needle) || strchr(err, '\n'))
		fail_msg("%s:%d: error '%s' lacks '%s'", file, line, err, r->needle);
}
#define BADJ(...) check_bad_json(__FILE__, __LINE__, &(const struct bad_json_row){ __VA_ARGS__ })

static void test_bad_json(void **state)
{
	BADJ("", "not a JSON object");
	BADJ("[1]", "not a JSON object");
	BADJ("{\"manifests\":{}}", "missing or not an array");
	BADJ("{\"manifests\":[{\"digest\":\"sha256:abc\",\"size\":1}]}", "is not sha256:<64 lowercase hex digits>");
	BADJ("{\"manifests\":[{\"digest\":\"md5:" D64 "\",\"size\":1}]}", "is not sha256");
	BADJ("{\"manifests\":[{\"digest\":" DA ",\"size\":-1}]}", "not a whole number");
	BADJ("{\"manifests\":[{\"digest\":" DA ",\"size\":1.5}]}", "not a whole number");
	BADJ("{\"manifests\":[{\"digest\":" DA "}]}", "\"size\"");
	BADJ("{\"manifests\":[{\"size\":3}]}", "has no \"digest\"");
	BADJ("{\"manifests\":[1]}", "not a JSON object");
}

static void test_manifest(void **state)
{
	static const char j[] = "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MT_MANIFEST "\","
		"\"config\":{\"mediaType\":\"" OCI_MT_CONFIG "\",\"digest\":" DA ",\"size\":10},"
		"\"layers\":[{\"mediaType\":\"" OCI_MT_LAYER_GZ "\",\"digest\":" DB ",\"size\":20},"
		"{\"mediaType\":\"" OCI_MT_LAYER_ZST "\",\"digest\":" DA ",\"size\":30}]}";
	struct oci_manifest m;
	enum oci_doc_kind kind;
	char err[256];

	assert_int_equal(oci_manifest_parse(j, strlen(j), &m, err, sizeof(err)), 0);
	assert_int_equal(m.nlayers, 2);
	assert_int_equal(m.config.size, 10);
	assert_string_equal(m.layers[1].media_type, OCI_MT_LAYER_ZST);
	assert_true(oci_layer_type_ok(m.layers[0].media_type));
	assert_false(oci_layer_type_ok("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
	assert_int_equal(oci_doc_kind(NULL, j, strlen(j), &kind, err, sizeof(err)), 0);
	assert_int_equal(kind, OCI_DOC_MANIFEST);
	assert_int_equal(oci_doc_kind("application/vnd.docker.distribution.manifest.v1+prettyjws", "{}", 2, &kind,
				      err, sizeof(err)), -EPROTONOSUPPORT);
	oci_manifest_free(&m);
	assert_string_equal(oci_arch_from_machine("x86_64"), "amd64");
	assert_string_equal(oci_arch_from_machine("aarch64"), "arm64");
}

/* ---- tar index ---- */
struct mem { const unsigned char *p; size_t n; };

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

/* Append a ustar member (name, type, data) at *off of buf. */
static void put(unsigned char *buf, size_t *off, const char *name, char type, const char *data, size_t dlen)
{
	struct tar_header *h = (struct tar_header *)(buf + *off);
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->mode, sizeof(h->mode), "%07o", 0644);
	snprintf(h->size, sizeof(h->size), "%011zo", dlen);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < TAR_BLOCK; i++)
		sum += ((unsigned char *)h)[i];
	snprintf(h->chksum, sizeof(h->chksum), "%06o", sum);
	memcpy(buf + *off + TAR_BLOCK, data, dlen);
	*off += TAR_BLOCK + (dlen + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static void test_tarindex(void **state)
{
	static unsigned char buf[16 * TAR_BLOCK];
	static const char pax[] = "30 path=blobs/sha256/longname\n";
	struct tar_index ix;
	struct mem m = { buf, sizeof(buf) };
	const struct tar_member *t;
	char err[256];
	size_t off = 0;

	memset(buf, 0, sizeof(buf));
	put(buf, &off, "./oci-layout", '0', "{}", 2);
	put(buf, &off, "blobs/", '5', "", 0);
	put(buf, &off, "PaxHeaders/x", 'x', pax, strlen(pax));
	put(buf, &off, "short", '0', "hello", 5);
	put(buf, &off, "index.json", '0', "[]", 2);
	assert_int_equal(tar_index_build(mem_pread, &m, sizeof(buf), &ix, err, sizeof(err)), 0);
	assert_int_equal(ix.n, 3);
	t = tar_index_find(&ix, "oci-layout");
	assert_non_null(t);
	assert_int_equal(t->offset, TAR_BLOCK);
	t = tar_index_find(&ix, "blobs/sha256/longname");
	assert_non_null(t);
	assert_int_equal(t->size, 5);
	assert_memory_equal(buf + t->offset, "hello", 5);
	assert_null(tar_index_find(&ix, "short"));
	tar_index_free(&ix);
	/* a size past the end, then a bad checksum */
	m.n = 3 * TAR_BLOCK;
	assert_int_equal(tar_index_build(mem_pread, &m, m.n, &ix, err, sizeof(err)), 0);
	assert_int_equal(ix.n, 1);
	tar_index_free(&ix);
	m.n = sizeof(buf);
	buf[TAR_BLOCK * 3 + 10] ^= 1; /* the pax header's header */
	assert_int_equal(tar_index_build(mem_pread, &m, sizeof(buf), &ix, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "corrupt tar header at byte"));
}

/* ---- authentication ---- */
struct www_row {
	const char *in;
	int rc;
	const char *scheme, *realm, *service, *scope;
};

static void check_www(const char *file, int line, const struct www_row *r)
{
	char sc[32], re[256], sv[128], so[256];
	int rc = oci_www_auth_parse(r->in, sc, sizeof(sc), re, sizeof(re), sv, sizeof(sv), so, sizeof(so));

	if (rc != r->rc)
		fail_msg("%s:%d: '%s': rc %d, expected %d", file, line, r->in, rc, r->rc);
	if (!rc && (strcmp(sc, r->scheme) || strcmp(re, r->realm) || strcmp(sv, r->service) || strcmp(so, r->scope)))
		fail_msg("%s:%d: '%s' -> %s|%s|%s|%s", file, line, r->in, sc, re, sv, so);
}
#define WWW(...) check_www(__FILE__, __LINE__, &(const struct www_row){ __VA_ARGS__ })

static void test_token_and_errors(void **state)
{
	char *h = NULL, says[256];

	assert_int_equal(oci_token_parse("{\"token\":\"abc.def\"}", strlen("{\"token\":\"abc.def\"}"), &h), 0);
	assert_string_equal(h, "Authorization: Bearer abc.def");
	free(h);
	assert_int_equal(oci_token_parse("{\"token\":\"\",\"access_token\":\"x\"}", strlen("{\"token\":\"\",\"access_token\":\"x\"}"), &h), 0);
	assert_string_equal(h, "Authorization: Bearer x");
	free(h);
	assert_int_equal(oci_token_parse("{\"token\":\"a\\r\\nX-Evil: 1\"}", strlen("{\"token\":\"a\\r\\nX-Evil: 1\"}"), &h), -EACCES); /* header injection */
	assert_null(h);
	assert_int_equal(oci_token_parse("{\"token\":\"a b\"}", strlen("{\"token\":\"a b\"}"), &h), -EACCES);
	assert_int_equal(oci_token_parse("{\"token\":7}", strlen("{\"token\":7}"), &h), -EACCES);
	assert_int_equal(oci_token_parse("not json", strlen("not json"), &h), -EACCES);
	assert_int_equal(oci_token_parse(NULL, 0, &h), -EACCES);
	oci_registry_error("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\\u001b[2Jway\"}]}", strlen("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\\u001b[2Jway\"}]}"), says, sizeof(says));
	assert_string_equal(says, " (DENIED: no?[2Jway)");
	oci_registry_error("{\"errors\":[]}", strlen("{\"errors\":[]}"), says, sizeof(says));
	assert_string_equal(says, "");
	oci_registry_error("<html>", strlen("<html>"), says, sizeof(says));
	assert_string_equal(says, "");
}

static void test_auth(void **state)
{
	static const char file[] = "# comment\n\nquay.io  bob:pw1\n10.0.2.2:5000 alice:p:w:2\r\nbroken-line\n";
	char up[64];

	WWW("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"",
	    0, "Bearer", "https://auth.docker.io/token", "registry.docker.io", "repository:library/busybox:pull");
	WWW("Basic realm=\"Registry Realm\"", 0, "Basic", "Registry Realm", "", "");
	WWW("Bearer realm=https://x/t, service=s", 0, "Bearer", "https://x/t", "s", "");
	WWW("Bearer realm=\"a\\\"b\"", 0, "Bearer", "a\"b", "", "");
	WWW("Bearer realm=\"unterminated", -EINVAL);
	WWW("Bearer realm", -EINVAL);
	WWW("", -EINVAL);
	assert_int_equal(oci_auth_lookup(file, "quay.io", up, sizeof(up)), 0);
	assert_string_equal(up, "bob:pw1");
	assert_int_equal(oci_auth_lookup(file, "10.0.2.2:5000", up, sizeof(up)), 0);
	assert_string_equal(up, "alice:p:w:2");
	assert_int_equal(oci_auth_lookup(file, "10.0.2.2", up, sizeof(up)), -ENOENT);
	assert_int_equal(oci_auth_lookup(file, "broken-line", up, sizeof(up)), -ENOENT);
	assert_int_equal(oci_auth_lookup(file, "quay.io", up, 4), -ENAMETOOLONG);
}

/* registry mirrors: bootc.registry.mirror= values and registries.conf lines */
static const struct mirror_row {
	int at;
	const char *spec;
	int rc;
	const char *want; /* "upstream host insecure resolve" or a fragment of the error */
} mirror_rows[] = {
	{ __LINE__, "registry.example:5000=cache:5000", 0, "registry.example:5000 cache:5000 0 0" },
	{ __LINE__, "Docker.IO=10.0.0.5:30020,insecure", 0, "docker.io 10.0.0.5:30020 1 0" },
	{ __LINE__, "quay.io=127.0.0.1:65001,resolve-tags,insecure", 0, "quay.io 127.0.0.1:65001 1 1" },
	{ __LINE__, "r=[fd00::1]:5000,resolve-tags", 0, "r [fd00::1]:5000 0 1" },
	{ __LINE__, "r=m,insecure,insecure", 0, "r m 1 0" },
	{ __LINE__, "cache:5000", -EINVAL, "expected <upstream>=<mirror-host[:port]>" },
	{ __LINE__, "=cache:5000", -EINVAL, "the upstream \"\" is not" },
	{ __LINE__, "r=", -EINVAL, "the mirror \"\" is not" },
	{ __LINE__, "r=http://cache", -EINVAL, "the mirror \"http://cache\" is not a host[:port]" },
	{ __LINE__, "r=cache/v2", -EINVAL, "not a host[:port]" },
	{ __LINE__, "r=user@cache", -EINVAL, "not a host[:port]" },
	{ __LINE__, "r=cache,trusted", -EINVAL, "unknown option \"trusted\" (insecure, resolve-tags)" },
	{ __LINE__, "r=cache,", -EINVAL, "unknown option \"\"" },
	{ __LINE__, "r=cache,insecure=1", -EINVAL, "unknown option \"insecure=1\"" },
	{ __LINE__, "r/x=cache", -EINVAL, "the upstream \"r/x\" is not" },
	{ __LINE__, "r=-cache", -EINVAL, "not a host" },
	{ __LINE__, "r=ca che", -EINVAL, "not a host" },
};

static void test_mirrors(void **state)
{
	char err[512], got[700];
	size_t i;

	for (i = 0; i < sizeof(mirror_rows) / sizeof(mirror_rows[0]); i++) {
		const struct mirror_row *r = &mirror_rows[i];
		struct oci_mirrors ms = { .n = 0 };
		int rc;

		err[0] = '\0';
		rc = oci_mirrors_add(&ms, r->spec, err, sizeof(err));
		if (rc != r->rc)
			fail_msg("%s:%d: \"%s\": rc %d, want %d (%s)", __FILE__, r->at, r->spec, rc, r->rc, err);
		if (rc == 0) {
			snprintf(got, sizeof(got), "%s %s %d %d", ms.m[0].upstream, ms.m[0].host, ms.m[0].insecure,
				 ms.m[0].resolve_tags);
			if (strcmp(got, r->want) != 0 || ms.n != 1)
				fail_msg("%s:%d: \"%s\": \"%s\", want \"%s\"", __FILE__, r->at, r->spec, got, r->want);
		} else if (!strstr(err, r->want) || ms.n != 0) {
			fail_msg("%s:%d: \"%s\": error \"%s\", want \"%s\"", __FILE__, r->at, r->spec, err, r->want);
		}
	}
}

static void test_mirrors_file(void **state)
{
	struct oci_mirrors ms = { .n = 0 };
	struct oci_mirror hub = { .upstream = "docker.io" }, other = { .upstream = "reg:5000" };
	char err[512], d[300];
	unsigned i;

	assert_int_equal(oci_mirrors_add(&ms, "reg:5000=first:1", err, sizeof(err)), 0);
	assert_int_equal(oci_mirrors_parse_file(&ms, "# the rack caches\n\n  reg:5000=cache:5000,insecure   # rack 12\r\n"
						"\tdocker.io=spegel:30020,resolve-tags\n# end", "f", err, sizeof(err)), 0);
	assert_int_equal(ms.n, 3);
	assert_string_equal(ms.m[0].host, "first:1");
	assert_string_equal(ms.m[1].host, "cache:5000");
	assert_true(ms.m[1].insecure);
	assert_false(ms.m[1].resolve_tags);
	oci_mirror_describe(&ms.m[2], d, sizeof(d));
	assert_string_equal(d, "spegel:30020,resolve-tags");
	/* the line is named; the entries before it stay */
	assert_int_equal(oci_mirrors_parse_file(&ms, "reg:5000=c2\nreg:5000=c3,fast\n", "/etc/netinit/registries.conf",
						err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/etc/netinit/registries.conf:2: \"reg:5000=c3,fast\": unknown option \"fast\""));
	assert_int_equal(ms.n, 4);
	for (i = ms.n; i < OCI_MIRRORS_MAX; i++)
		assert_int_equal(oci_mirrors_add(&ms, "r=m", err, sizeof(err)), 0);
	assert_int_equal(oci_mirrors_add(&ms, "r=m", err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "more than 8 registry mirrors"));
	/* Docker Hub: docker.io is its API host too; other registries match exactly */
	assert_true(oci_mirror_matches(&hub, OCI_HUB_API));
	assert_true(oci_mirror_matches(&hub, "docker.io"));
	assert_false(oci_mirror_matches(&hub, "quay.io"));
	assert_true(oci_mirror_matches(&other, "REG:5000"));
	assert_false(oci_mirror_matches(&other, "reg"));
	assert_false(oci_mirror_matches(&other, "reg:50001"));
	assert_false(oci_mirror_matches(&other, OCI_HUB_API));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),    cmocka_unit_test(test_refs),     cmocka_unit_test(test_index),
		cmocka_unit_test(test_bad_json), cmocka_unit_test(test_manifest), cmocka_unit_test(test_tarindex),
		cmocka_unit_test(test_auth), cmocka_unit_test(test_token_and_errors),
		cmocka_unit_test(test_mirrors), cmocka_unit_test(test_mirrors_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
