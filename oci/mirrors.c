#include "oci/mirrors.h"
#include "oci/ref.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* host[:port] or [v6]:port: letters, digits, '.', '-', '_', ':' and brackets; no user, path or scheme */
static bool host_ok(const char *h, size_t n)
{
	size_t i;

	if (n == 0 || n >= OCI_MIRROR_HOST || h[0] == '.' || h[0] == '-' || h[0] == ':')
		return false;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '-' || c == '_' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int oci_mirrors_add(struct oci_mirrors *ms, const char *spec, char *err, size_t errlen)
{
	struct oci_mirror m = { 0 };
	const char *eq = strchr(spec, '='), *h, *end, *o;
	size_t hn;

	if (!eq) {
		snprintf(err, errlen, "\"%.100s\": expected <upstream>=<mirror-host[:port]>[,insecure][,resolve-tags]", spec);
		return -EINVAL;
	}
	if (!host_ok(spec, (size_t)(eq - spec))) {
		snprintf(err, errlen, "\"%.100s\": the upstream \"%.*s\" is not a registry host[:port]", spec,
			 (int)((size_t)(eq - spec) > 100 ? 100 : (size_t)(eq - spec)), spec);
		return -EINVAL;
	}
	memcpy(m.upstream, spec, (size_t)(eq - spec));
	h = eq + 1;
	hn = strcspn(h, ",");
	if (!host_ok(h, hn)) {
		snprintf(err, errlen, "\"%.100s\": the mirror \"%.*s\" is not a host[:port] (no scheme or path)", spec,
			 (int)(hn > 100 ? 100 : hn), h);
		return -EINVAL;
	}
	memcpy(m.host, h, hn);
	lower(m.upstream);
	lower(m.host);
	for (o = h + hn; *o == ','; o = end) {
		size_t on;

		o++;
		on = strcspn(o, ",");
		end = o + on;
		if (on == 8 && strncmp(o, "insecure", 8) == 0)
			m.insecure = true;
		else if (on == 12 && strncmp(o, "resolve-tags", 12) == 0)
			m.resolve_tags = true;
		else {
			snprintf(err, errlen, "\"%.100s\": unknown option \"%.*s\" (insecure, resolve-tags)", spec,
				 (int)(on > 40 ? 40 : on), o);
			return -EINVAL;
		}
	}
	if (ms->n >= OCI_MIRRORS_MAX) {
		snprintf(err, errlen, "\"%.100s\": more than %d registry mirrors", spec, OCI_MIRRORS_MAX);
		return -ENOSPC;
	}
	ms->m[ms->n++] = m;
	return 0;
}

int oci_mirrors_parse_file(struct oci_mirrors *ms, const char *text, const char *where, char *err, size_t errlen)
{
	const char *p = text;
	unsigned line = 0;

	while (*p) {
		size_t n = strcspn(p, "\n"), b = 0;
		char buf[1024], e[400];
		int rc;

		line++;
		while (b < n && (p[b] == ' ' || p[b] == '\t'))
			b++;
		if (n - b >= sizeof(buf)) {
			snprintf(err, errlen, "%s:%u: line too long", where, line);
			return -EINVAL;
		}
		memcpy(buf, p + b, n - b);
		buf[n - b] = '\0';
		buf[strcspn(buf, "#")] = '\0';
		for (size_t l = strlen(buf); l && (buf[l - 1] == ' ' || buf[l - 1] == '\t' || buf[l - 1] == '\r');)
			buf[--l] = '\0';
		if (buf[0]) {
			rc = oci_mirrors_add(ms, buf, e, sizeof(e));
			if (rc < 0) {
				snprintf(err, errlen, "%s:%u: %s", where, line, e);
				return rc;
			}
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

bool oci_mirror_matches(const struct oci_mirror *m, const char *registry)
{
	if (strcasecmp(m->upstream, registry) == 0)
		return true;
	return strcasecmp(registry, OCI_HUB_API) == 0 && strcmp(m->upstream, OCI_HUB_NAME) == 0;
}

void oci_mirror_describe(const struct oci_mirror *m, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", m->host, m->insecure ? ",insecure" : "", m->resolve_tags ? ",resolve-tags" : "");
}
