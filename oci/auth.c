#include "oci/auth.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/errbuf.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int oci_www_auth_parse(const char *v, char *scheme, size_t slen, char *realm, size_t rlen, char *service,
		       size_t svlen, char *scope, size_t sclen)
{
	const char *p = v;
	size_t n;

	scheme[0] = realm[0] = service[0] = scope[0] = '\0';
	while (*p == ' ')
		p++;
	n = strcspn(p, " ");
	if (!n || n >= slen)
		return -EINVAL;
	memcpy(scheme, p, n);
	scheme[n] = '\0';
	p += n;
	while (*p) {
		char key[32], val[1024];
		size_t k = 0, i = 0;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		while (*p && *p != '=' && *p != ',' && k + 1 < sizeof(key))
			key[k++] = *p++;
		key[k] = '\0';
		if (*p != '=')
			return -EINVAL;
		p++;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (i + 1 >= sizeof(val))
					return -EINVAL;
				val[i++] = *p++;
			}
			if (*p != '"')
				return -EINVAL;
			p++;
		} else {
			while (*p && *p != ',' && *p != ' ') {
				if (i + 1 >= sizeof(val))
					return -EINVAL;
				val[i++] = *p++;
			}
		}
		val[i] = '\0';
		if (strcasecmp(key, "realm") == 0 && i < rlen)
			strcpy(realm, val);
		else if (strcasecmp(key, "service") == 0 && i < svlen)
			strcpy(service, val);
		else if (strcasecmp(key, "scope") == 0 && i < sclen)
			strcpy(scope, val);
	}
	return 0;
}

int oci_auth_lookup(const char *text, const char *host, char *userpass, size_t len)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[1024], *h, *cred, *save;

		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = '\0';
			buf[strcspn(buf, "\r")] = '\0';
			h = strtok_r(buf, " \t", &save);
			cred = h ? strtok_r(NULL, " \t", &save) : NULL;
			if (h && h[0] != '#' && cred && strchr(cred, ':') && strcmp(h, host) == 0) {
				if (strlen(cred) >= len)
					return -ENAMETOOLONG;
				strcpy(userpass, cred);
				return 0;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int oci_token_parse(const char *body, size_t len, char **header)
{
	cJSON *j = body ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "token") : NULL;
	int rc = -EACCES;

	*header = NULL;
	if (!cJSON_IsString(t) || !*t->valuestring)
		t = j ? cJSON_GetObjectItemCaseSensitive(j, "access_token") : NULL;
	if (cJSON_IsString(t) && *t->valuestring) {
		const char *p = t->valuestring;

		while (*p && (unsigned char)*p > ' ' && *p != 0x7f)
			p++;
		if (!*p)
			rc = asprintf(header, "Authorization: Bearer %s", t->valuestring) < 0 ? -ENOMEM : 0;
		if (rc == -ENOMEM)
			*header = NULL;
	}
	cJSON_Delete(j);
	return rc;
}

void oci_registry_error(const char *body, size_t len, char *out, size_t outlen)
{
	cJSON *j, *errs, *e0, *code, *msg;

	if (!outlen)
		return;
	out[0] = '\0';
	if (!body || !len)
		return;
	j = cJSON_ParseWithLength(body, len);
	errs = j ? cJSON_GetObjectItemCaseSensitive(j, "errors") : NULL;
	e0 = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	code = e0 ? cJSON_GetObjectItemCaseSensitive(e0, "code") : NULL;
	msg = e0 ? cJSON_GetObjectItemCaseSensitive(e0, "message") : NULL;
	if (cJSON_IsString(code))
		snprintf(out, outlen, " (%.60s%s%.120s)", code->valuestring, cJSON_IsString(msg) ? ": " : "",
			 cJSON_IsString(msg) ? msg->valuestring : "");
	cJSON_Delete(j);
	text_scrub(out);
}
