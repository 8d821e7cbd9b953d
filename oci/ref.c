#include "oci/ref.h"
#include "oci/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool repo_ok(const char *s)
{
	size_t i;

	if (!*s || *s == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//"))
		return false;
	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr("._-/", s[i]))
			return false;
	return true;
}

static bool tag_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static bool host_ok(const char *s)
{
	size_t i;

	if (!*s)
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-:[]", s[i]))
			return false;
	return true;
}

int oci_ref_parse(const char *s, struct oci_ref *r, char *err, size_t errlen)
{
	char buf[600], *p, *slash, *at, *colon, *last;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (strncmp(s, OCI_REF_SCHEME, strlen(OCI_REF_SCHEME)) != 0) {
		snprintf(err, errlen, "expected docker://[registry/]repository[:tag|@sha256:<digest>]");
		return -EINVAL;
	}
	s += strlen(OCI_REF_SCHEME);
	if (strlen(s) >= sizeof(buf)) {
		snprintf(err, errlen, "image reference is longer than %zu characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, s);
	p = buf;
	slash = strchr(p, '/');
	if (slash && (memchr(p, '.', (size_t)(slash - p)) || memchr(p, ':', (size_t)(slash - p)) ||
		      ((size_t)(slash - p) == 9 && strncmp(p, "localhost", 9) == 0))) {
		*slash = '\0';
		if (!host_ok(p) || strlen(p) >= sizeof(r->registry)) {
			snprintf(err, errlen, "registry \"%.100s\" is not a host[:port]", p);
			return -EINVAL;
		}
		strcpy(r->registry, strcmp(p, OCI_HUB_NAME) == 0 || strcmp(p, "index.docker.io") == 0 ? OCI_HUB_API : p);
		p = slash + 1;
	} else {
		strcpy(r->registry, OCI_HUB_API);
	}
	at = strchr(p, '@');
	if (at) {
		*at = '\0';
		if (oci_digest_parse(at + 1, r->sha256) < 0) {
			snprintf(err, errlen, "digest \"%.80s\" is not sha256:<64 lowercase hex digits>", at + 1);
			return -EINVAL;
		}
		strcpy(r->digest, at + 1);
	}
	last = strrchr(p, '/');
	colon = strchr(last ? last : p, ':');
	if (colon) {
		*colon = '\0';
		if (!tag_ok(colon + 1)) {
			snprintf(err, errlen, "tag \"%.80s\" is not 1-128 of [A-Za-z0-9_.-]", colon + 1);
			return -EINVAL;
		}
		if (!at)
			strcpy(r->tag, colon + 1);
	} else if (!at) {
		strcpy(r->tag, "latest");
	}
	if (!repo_ok(p)) {
		snprintf(err, errlen, "repository \"%.100s\" is not lowercase [a-z0-9._-] path components", p);
		return -EINVAL;
	}
	n = strlen(p);
	if (strcmp(r->registry, OCI_HUB_API) == 0 && !strchr(p, '/')) {
		if (n + 8 >= sizeof(r->repo))
			goto too_long;
		memcpy(r->repo, "library/", 8);
		strcpy(r->repo + 8, p);
	} else {
		if (n >= sizeof(r->repo))
			goto too_long;
		strcpy(r->repo, p);
	}
	return 0;
too_long:
	snprintf(err, errlen, "repository name is longer than %zu characters", sizeof(r->repo) - 9);
	return -EINVAL;
}

void oci_ref_describe(const struct oci_ref *r, char *out, size_t len)
{
	snprintf(out, len, "%s/%s%s%s", r->registry, r->repo, r->digest[0] ? "@" : ":",
		 r->digest[0] ? r->digest : r->tag);
}
