#include "oci/registry.h"
#include "oci/archwrite.h"
#include "oci/auth.h"
#include "fetch/sha256.h"
#include "util/thread.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ERR_BODY_MAX   4096   /* bytes of an error response kept for the message */
#define TOKEN_MAX      (64 * 1024)
#define AUTH_FILE_MAX  (64 * 1024)
#define ACCEPT_MANIFESTS "Accept: " OCI_MT_INDEX ", " OCI_MT_MANIFEST ", " DOCKER_MT_LIST ", " DOCKER_MT_MANIFEST
#define CONNECT_TIMEOUT_S 30
#define STALL_S           30
#define PREFETCH_BUF      (8 << 20) /* bytes of the next layer held in each socket buffer */

struct reg {
	const struct oci_ref *ref;
	const struct oci_registry_opts *o;
	oci_event_fn ev;
	void *ev_ctx;
	const char *scheme;      /* "https" or "http" */
	bool verify;             /* TLS verification */
	bool probed;             /* the first request decided the scheme */
	char *authz;             /* "Authorization: Bearer <token>" or NULL */
	bool basic;              /* send the credentials as HTTP Basic */
	bool authed;             /* a 401 was answered already */
	char userpass[512];      /* from the credentials file, never printed */
	char *top;               /* the manifest fetched by tag, cached for get_blob */
	size_t toplen;
	uint8_t top_sha[32];
	struct prefetch *pre;    /* the next layer, downloading while this one is applied */
	struct oci_desc want;    /* the layer after that, started when pre is taken over */
	bool have_want;
	int aw_fd;               /* the oci-archive being written (archive_path), or -1 */
	bool aw_on;              /* its layout is written: blobs go into it */
	struct oci_archive_writer aw;
};

/* One response. Either collected in body (at most max bytes) or streamed to a socket. */
struct resp {
	CURL *curl;
	long code;
	char content_type[128];
	char www_auth[1024];
	char *body;
	size_t len, max;
	bool too_big;
	int sock;                /* >= 0: 2xx bodies go there */
	bool sock_broken;        /* the reader went away */
	uint64_t delivered;      /* bytes sent to the socket over all attempts */
	uint64_t base;           /* delivered when this attempt started (its Range start) */
	uint64_t seen;           /* body bytes of this attempt */
	const char *authz;       /* prefetch: its own copy of the Authorization header */
	bool own_authz;          /* use authz, not the shared one (another thread may renew that) */
	bool quiet;              /* no events (a prefetch thread does not log) */
	const struct oci_archive_writer *aw; /* non-NULL: the streamed blob is also written there */
	const struct oci_aw_blob *awb;       /* its place in the archive */
	int aw_err;              /* -errno of a failed write into the archive */
};

static void hexs(const uint8_t *b, char *out)
{
	int i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Control characters out of what a server says before it is shown. */
static void clean_text(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static bool hdr(const char *line, size_t n, const char *name, const char **val)
{
	size_t l = strlen(name);

	if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
		return false;
	*val = line + l + 1;
	while (**val == ' ' || **val == '\t')
		(*val)++;
	return true;
}

static void copy_hdr(char *dst, size_t dlen, const char *v, const char *end)
{
	size_t n = (size_t)(end - v);

	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct resp *r = ctx;
	size_t n = size * nmemb;
	const char *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new response (after a redirect) */
		r->content_type[0] = '\0';
		r->www_auth[0] = '\0';
	} else if (hdr(data, n, "Content-Type", &v)) {
		copy_hdr(r->content_type, sizeof(r->content_type), v, data + n);
		r->content_type[strcspn(r->content_type, "; ")] = '\0';
	} else if (hdr(data, n, "WWW-Authenticate", &v)) {
		copy_hdr(r->www_auth, sizeof(r->www_auth), v, data + n);
	}
	return n;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct resp *r = ctx;
	size_t n = size * nmemb, off = 0;
	long code = 0;
	ssize_t w;

	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
	if (r->sock >= 0 && code >= 200 && code < 300) {
		if (code != 206 && r->seen < r->base) { /* Range ignored: skip what the applier has */
			off = r->base - r->seen < n ? (size_t)(r->base - r->seen) : n;
			r->seen += off;
		}
		/* delivered is the blob offset of data[off]: the same bytes land at the same place
		 * whatever the retries, resumes and ignored Ranges were */
		if (r->aw && off < n) {
			int rc = oci_aw_write(r->aw, r->awb, r->delivered, data + off, n - off);

			if (rc < 0) {
				r->aw_err = rc;
				return 0;
			}
		}
		while (off < n) {
			w = send(r->sock, data + off, n - off, MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				r->sock_broken = true;
				return 0; /* the applier stopped: abort the transfer */
			}
			off += (size_t)w;
			r->delivered += (size_t)w;
			r->seen += (size_t)w;
		}
		return n;
	}
	{
		size_t max = (r->sock >= 0 || code < 200 || code >= 300) ? ERR_BODY_MAX : r->max;

		if (r->len + n > max) {
			r->too_big = true;
			if (code >= 200 && code < 300)
				return 0;
			n = max - r->len; /* keep the start of an error body */
		}
		if (n) {
			char *b = realloc(r->body, r->len + n + 1);

			if (!b)
				return 0;
			r->body = b;
			memcpy(r->body + r->len, data, n);
			r->len += n;
			r->body[r->len] = '\0';
		}
	}
	return size * nmemb;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The registry's own words from an error body: "CODE: message". */
static void registry_says(const struct resp *r, char *out, size_t len)
{
	cJSON *j, *errs, *e0, *code, *msg;

	out[0] = '\0';
	if (!r->body || !r->len)
		return;
	j = cJSON_ParseWithLength(r->body, r->len);
	errs = j ? cJSON_GetObjectItemCaseSensitive(j, "errors") : NULL;
	e0 = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	code = e0 ? cJSON_GetObjectItemCaseSensitive(e0, "code") : NULL;
	msg = e0 ? cJSON_GetObjectItemCaseSensitive(e0, "message") : NULL;
	if (cJSON_IsString(code))
		snprintf(out, len, " (%.60s%s%.120s)", code->valuestring, cJSON_IsString(msg) ? ": " : "",
			 cJSON_IsString(msg) ? msg->valuestring : "");
	cJSON_Delete(j);
	clean_text(out);
}

/*
 * GET url. r->sock >= 0 streams a 2xx body there; otherwise up to max bytes land in r->body.
 * Retries refused connections, cut transfers and 5xx until the deadline; a streamed body
 * that broke goes on with a Range request (or skips what was sent if Range is ignored).
 * Returns 0 with r->code set (any HTTP status), or -errno for a transport failure.
 */
static int get(struct reg *g, const char *url, const char *accept, bool use_creds, struct resp *r,
	       char *err, size_t errlen)
{
	uint64_t deadline = now_ms() + (uint64_t)(g->o->retry_s ? g->o->retry_s : 1) * 1000;
	unsigned delay = 500, attempt = 0;
	char ebuf[CURL_ERROR_SIZE];
	struct curl_slist *h = NULL;
	CURLcode cr;
	int rc;

	for (;;) {
		attempt++;
		r->curl = curl_easy_init();
		if (!r->curl) {
			snprintf(err, errlen, "libcurl could not start a transfer");
			return -ENOMEM;
		}
		h = NULL;
		if (accept)
			h = curl_slist_append(h, accept);
		if (r->own_authz ? r->authz != NULL : g->authz != NULL) {
			if (!use_creds)
				h = curl_slist_append(h, r->own_authz ? r->authz : g->authz);
		}
		ebuf[0] = '\0';
		free(r->body);
		r->body = NULL;
		r->len = 0;
		r->code = 0;
		r->too_big = false;
		curl_easy_setopt(r->curl, CURLOPT_URL, url);
		curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, ebuf);
		curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(r->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(r->curl, CURLOPT_MAXREDIRS, 10L);
		curl_easy_setopt(r->curl, CURLOPT_UNRESTRICTED_AUTH, 0L); /* credentials stay with the first host */
		curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
		curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, (long)STALL_S);
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, g->verify ? 1L : 0L);
		curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, g->verify ? 2L : 0L);
		curl_easy_setopt(r->curl, CURLOPT_PROXY, g->o->proxy ? g->o->proxy : "");
		if (g->o->cacert && *g->o->cacert)
			curl_easy_setopt(r->curl, CURLOPT_CAINFO, g->o->cacert);
		if ((use_creds || g->basic) && g->userpass[0]) {
			curl_easy_setopt(r->curl, CURLOPT_USERPWD, g->userpass);
			curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		}
		if (h)
			curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
		r->base = r->delivered;
		r->seen = 0;
		if (r->sock >= 0 && r->delivered) { /* a streamed blob broke: go on where it stopped */
			char range[32];

			snprintf(range, sizeof(range), "%llu-", (unsigned long long)r->delivered);
			curl_easy_setopt(r->curl, CURLOPT_RANGE, range);
			if (!r->quiet)
				oci_emit(g->ev, g->ev_ctx, OCI_EV_INFO, "resuming %s at byte %llu", url,
					 (unsigned long long)r->delivered);
		}
		curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, r);
		curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, r);
		cr = curl_easy_perform(r->curl);
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->code);
		curl_easy_cleanup(r->curl);
		curl_slist_free_all(h);
		r->curl = NULL;
		if (cr == CURLE_OK && r->code < 500)
			return 0;
		if (r->aw_err) {
			snprintf(err, errlen, "writing %s into the oci-archive %s: %s", url, g->o->archive_path,
				 strerror(-r->aw_err));
			return r->aw_err;
		}
		if (r->sock_broken)
			return -EPIPE;
		if (cr == CURLE_WRITE_ERROR && r->too_big) {
			snprintf(err, errlen, "%s: the response is larger than %zu bytes", url, r->max);
			return -EFBIG;
		}
		if (cr == CURLE_PEER_FAILED_VERIFICATION || cr == CURLE_SSL_CACERT_BADFILE) {
			snprintf(err, errlen, "%s: TLS verification failed: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(cr));
			return -EKEYREJECTED;
		}
		if (!g->probed && g->o->insecure && strcmp(g->scheme, "https") == 0 && cr != CURLE_OK &&
		    cr != CURLE_COULDNT_RESOLVE_HOST) {
			return -EPROTO; /* the caller retries with plain HTTP */
		}
		if (cr == CURLE_OK)
			snprintf(err, errlen, "%s: the registry answered %ld%s", url, r->code, "");
		else
			snprintf(err, errlen, "%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(cr));
		clean_text(err);
		rc = cr == CURLE_OK ? -EIO : (cr == CURLE_COULDNT_RESOLVE_HOST ? -EHOSTUNREACH : -EIO);
		if (now_ms() + delay > deadline || cr == CURLE_COULDNT_RESOLVE_HOST) {
			if (cr == CURLE_OK) {
				char says[200];

				registry_says(r, says, sizeof(says));
				snprintf(err, errlen, "%s: the registry answered %ld%s after %u attempt%s", url, r->code, says,
					 attempt, attempt == 1 ? "" : "s");
			}
			return rc;
		}
		if (!r->quiet)
			oci_emit(g->ev, g->ev_ctx, OCI_EV_WARN, "%s; retrying in %u ms", err, delay);
		usleep(delay * 1000u);
		if (delay < 8000)
			delay *= 2;
	}
}

static void load_creds(struct reg *g)
{
	const char *path = g->o->auth_file ? g->o->auth_file : OCI_AUTH_FILE;
	char *text;
	FILE *f;
	size_t n;
	const char *host = g->ref->registry;

	g->userpass[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	text = calloc(1, AUTH_FILE_MAX + 1);
	if (text) {
		n = fread(text, 1, AUTH_FILE_MAX, f);
		text[n] = '\0';
		if (oci_auth_lookup(text, host, g->userpass, sizeof(g->userpass)) < 0 &&
		    strcmp(host, OCI_HUB_API) == 0)
			oci_auth_lookup(text, OCI_HUB_NAME, g->userpass, sizeof(g->userpass));
		memset(text, 0, AUTH_FILE_MAX);
		free(text);
	}
	fclose(f);
	if (g->userpass[0])
		oci_emit(g->ev, g->ev_ctx, OCI_EV_DEBUG, "credentials for %s from %s", host, path);
}

/* Answer a 401: fetch a Bearer token from the realm, or use Basic. */
static int authenticate(struct reg *g, const char *www, char *err, size_t errlen)
{
	char scheme[32], realm[512], service[256], scope[512], url[2048], *es, *ec;
	struct resp r = { .sock = -1, .max = TOKEN_MAX };
	cJSON *j = NULL;
	const cJSON *t;
	int rc;

	if (!*www || oci_www_auth_parse(www, scheme, sizeof(scheme), realm, sizeof(realm), service, sizeof(service),
					scope, sizeof(scope)) < 0) {
		snprintf(err, errlen, "the registry %s answered 401 without a usable WWW-Authenticate challenge",
			 g->ref->registry);
		return -EACCES;
	}
	if (strcasecmp(scheme, "Basic") == 0) {
		if (!g->userpass[0]) {
			snprintf(err, errlen, "the registry %s wants a user name and password: none for it in %s",
				 g->ref->registry, g->o->auth_file ? g->o->auth_file : OCI_AUTH_FILE);
			return -EACCES;
		}
		g->basic = true;
		return 0;
	}
	if (strcasecmp(scheme, "Bearer") != 0 || (strncmp(realm, "https://", 8) && strncmp(realm, "http://", 7))) {
		clean_text(scheme);
		snprintf(err, errlen, "the registry %s wants \"%.30s\" authentication with realm \"%.100s\"; "
			 "expected Bearer with an http(s) realm, or Basic", g->ref->registry, scheme, realm);
		return -EACCES;
	}
	if (!scope[0])
		snprintf(scope, sizeof(scope), "repository:%s:pull", g->ref->repo);
	es = curl_easy_escape(NULL, service, 0);
	ec = curl_easy_escape(NULL, scope, 0);
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es ? es : "",
		 ec ? ec : "");
	curl_free(es);
	curl_free(ec);
	oci_emit(g->ev, g->ev_ctx, OCI_EV_DEBUG, "token from %s%s", realm, g->userpass[0] ? " with credentials" : "");
	rc = get(g, url, NULL, true, &r, err, errlen);
	if (rc < 0)
		goto out;
	if (r.code != 200) {
		snprintf(err, errlen, "the token service %.200s answered %ld: %s", realm, r.code,
			 r.code == 401 || r.code == 403 ? (g->userpass[0] ? "the credentials were refused" :
			 "it wants credentials (see the credentials file in docs/oci.md)") : "no token");
		clean_text(err);
		rc = r.code == 401 || r.code == 403 ? -EACCES : -EIO;
		goto out;
	}
	j = r.body ? cJSON_ParseWithLength(r.body, r.len) : NULL;
	t = j ? cJSON_GetObjectItemCaseSensitive(j, "token") : NULL;
	if (!cJSON_IsString(t))
		t = j ? cJSON_GetObjectItemCaseSensitive(j, "access_token") : NULL;
	if (!cJSON_IsString(t) || !*t->valuestring || strpbrk(t->valuestring, "\r\n")) {
		snprintf(err, errlen, "the token service %.200s answered without a token", realm);
		rc = -EACCES;
		goto out;
	}
	free(g->authz);
	if (asprintf(&g->authz, "Authorization: Bearer %s", t->valuestring) < 0) {
		g->authz = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(j);
	free(r.body);
	return rc;
}

/* GET /v2/<repo>/<kind>/<ref>, answering a 401 once; insecure registries fall back to HTTP. */
static int api_get(struct reg *g, const char *kind, const char *what, const char *accept, struct resp *r,
		   char *err, size_t errlen)
{
	char url[2048], says[256], desc[600];
	int rc;

again:
	snprintf(url, sizeof(url), "%s://%s/v2/%s/%s/%s", g->scheme, g->ref->registry, g->ref->repo, kind, what);
	rc = get(g, url, accept, false, r, err, errlen);
	if (rc == -EPROTO && !g->probed) {
		oci_emit(g->ev, g->ev_ctx, OCI_EV_WARN, "%s: no HTTPS, trying plain HTTP (bootc.registry.unsecure)",
			 g->ref->registry);
		g->scheme = "http";
		g->probed = true;
		goto again;
	}
	if (rc < 0)
		return rc;
	g->probed = true;
	if (r->code == 401 && !g->authed) {
		g->authed = true;
		rc = authenticate(g, r->www_auth, err, errlen);
		if (rc < 0)
			return rc;
		goto again;
	}
	if (r->code >= 200 && r->code < 300)
		return 0;
	registry_says(r, says, sizeof(says));
	oci_ref_describe(g->ref, desc, sizeof(desc));
	switch (r->code) {
	case 404:
		snprintf(err, errlen, "%s %s of %s not found (404)%s", kind[0] == 'm' ? "manifest" : "blob", what,
			 g->ref->repo, says);
		return -ENOENT;
	case 401:
	case 403:
		snprintf(err, errlen, "access to %s denied (%ld)%s; credentials go in %s", desc, r->code, says,
			 g->o->auth_file ? g->o->auth_file : OCI_AUTH_FILE);
		return -EACCES;
	default:
		snprintf(err, errlen, "%s: %s answered %ld%s", desc, url, r->code, says);
		return -EIO;
	}
}

static int get_blob(void *ctx, const struct oci_desc *d, char **buf, size_t *len, char *err, size_t errlen)
{
	struct reg *g = ctx;
	struct resp r = { .sock = -1, .max = OCI_JSON_MAX };
	bool manifest = strstr(d->media_type, "manifest") || strstr(d->media_type, "index");
	int rc;

	if (g->top && memcmp(d->sha256, g->top_sha, 32) == 0) {
		*buf = malloc(g->toplen + 1);
		if (!*buf)
			return -ENOMEM;
		memcpy(*buf, g->top, g->toplen);
		(*buf)[g->toplen] = '\0';
		*len = g->toplen;
		return 0;
	}
	if (d->size > OCI_JSON_MAX) {
		snprintf(err, errlen, "%s is %llu bytes, expected at most %u", d->digest, (unsigned long long)d->size,
			 OCI_JSON_MAX);
		return -EFBIG;
	}
	rc = api_get(g, manifest ? "manifests" : "blobs", d->digest, manifest ? ACCEPT_MANIFESTS : NULL, &r, err,
		     errlen);
	if (rc == 0)
		rc = oci_blob_verify(d, r.body ? r.body : "", r.len, err, errlen);
	if (rc < 0) {
		free(r.body);
		return rc;
	}
	if (!r.body) {
		r.body = malloc(1);
		if (!r.body)
			return -ENOMEM;
		r.body[0] = '\0';
	}
	if (g->aw_on) { /* the config: into the archive beside the layers */
		const struct oci_aw_blob *b = oci_aw_find(&g->aw, d->sha256);

		rc = b ? oci_aw_write(&g->aw, b, 0, r.body, r.len) : 0;
		if (rc < 0) {
			snprintf(err, errlen, "writing %s into the oci-archive %s: %s", d->digest, g->o->archive_path,
				 strerror(-rc));
			free(r.body);
			return rc;
		}
	}
	*buf = r.body;
	*len = r.len;
	return 0;
}

/* The manifest to unpack is known: lay out the oci-archive, if one is wanted. */
static int on_manifest(void *ctx, const struct oci_desc *md, const char *buf, size_t len,
		       const struct oci_manifest *m, char *err, size_t errlen)
{
	struct reg *g = ctx;
	char e[400];
	int rc;

	if (g->aw_fd < 0 || g->aw_on)
		return 0;
	rc = oci_aw_start(&g->aw, g->aw_fd, g->o->archive_base, md, buf, len, m, g->o->archive_ref, e, sizeof(e));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", g->o->archive_path, e);
		return rc;
	}
	g->aw_on = true;
	oci_emit(g->ev, g->ev_ctx, OCI_EV_DEBUG, "keeping the image as an oci-archive of %llu bytes in %s",
		 (unsigned long long)g->aw.total, g->o->archive_path);
	return 0;
}

/* Point r at blob d's place in the archive being written, if any. */
static void resp_archive(struct reg *g, struct resp *r, const struct oci_desc *d)
{
	r->aw = NULL;
	r->awb = g->aw_on ? oci_aw_find(&g->aw, d->sha256) : NULL;
	if (r->awb)
		r->aw = &g->aw;
}

struct job {
	int fd;
	const char *root;
	const struct oci_desc *d;
	struct oci_layer_stats st;
	char err[512];
	int rc;
};

static ssize_t sock_read(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static void *apply_thread(void *arg)
{
	struct job *j = arg;
	struct oci_stream s = { sock_read, &j->fd };

	j->rc = oci_layer_apply(j->root, j->d, &s, &j->st, j->err, sizeof(j->err));
	shutdown(j->fd, SHUT_RDWR); /* a writer still sending gets EPIPE */
	return NULL;
}

/* The next layer's download, started while the current one is applied. Its bytes wait
 * in the socket pair's buffers (PREFETCH_BUF each way, RAM bounded) until its turn. */
struct prefetch {
	struct reg *g;
	struct oci_desc d;
	pthread_t th;
	int sv[2];
	struct resp r;
	char url[2048];
	char *authz;
	char err[512];
	int rc;
};

static void *prefetch_thread(void *arg)
{
	struct prefetch *p = arg;

	p->rc = get(p->g, p->url, NULL, false, &p->r, p->err, sizeof(p->err));
	if (p->rc == 0 && (p->r.code < 200 || p->r.code >= 300)) {
		snprintf(p->err, sizeof(p->err), "%.400s: the registry answered %ld", p->url, p->r.code);
		p->rc = -EIO;
	}
	shutdown(p->sv[1], SHUT_WR); /* end of the blob for the applier */
	return NULL;
}

static void prefetch_end(struct reg *g)
{
	struct prefetch *p = g->pre;

	if (!p)
		return;
	shutdown(p->sv[0], SHUT_RDWR); /* a sender still running gets EPIPE */
	pthread_join(p->th, NULL);
	close(p->sv[0]);
	close(p->sv[1]);
	free(p->r.body);
	free(p->authz);
	free(p);
	g->pre = NULL;
}

/* Start downloading d (the layer after the one being applied), if the scheme and the
 * authentication are settled; anything unusual and the layer is fetched in its turn. */
static void prefetch(void *ctx, const struct oci_desc *d)
{
	struct reg *g = ctx;
	struct prefetch *p;
	int buf = PREFETCH_BUF;

	if (g->pre) {
		g->want = *d;
		g->have_want = true;
		return;
	}
	if (!g->probed)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->g = g;
	p->d = *d;
	p->r.sock = -1;
	p->r.quiet = true;
	p->r.own_authz = true;
	resp_archive(g, &p->r, d);
	if (g->authz && !(p->authz = strdup(g->authz)))
		goto err_free;
	p->r.authz = p->authz;
	snprintf(p->url, sizeof(p->url), "%s://%s/v2/%s/blobs/%s", g->scheme, g->ref->registry, g->ref->repo, d->digest);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->sv) < 0)
		goto err_free;
	/* root may go past the system's default socket buffer limits */
	if (setsockopt(p->sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(p->sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (setsockopt(p->sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(p->sv[0], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	p->r.sock = p->sv[1];
	if (thread_start(&p->th, prefetch_thread, p) < 0)
		goto err_close;
	g->pre = p;
	oci_emit(g->ev, g->ev_ctx, OCI_EV_DEBUG, "downloading layer %s meanwhile", d->digest);
	return;
err_close:
	close(p->sv[0]);
	close(p->sv[1]);
err_free:
	free(p->authz);
	free(p);
}

static int apply_layer(void *ctx, const struct oci_desc *d, const char *root, bool last_use,
		       struct oci_layer_stats *st, char *err, size_t errlen)
{
	struct reg *g = ctx;
	struct job j = { .root = root, .d = d };
	struct resp r = { .max = 0 };
	struct prefetch *p = g->pre;
	pthread_t th;
	int sv[2], rc;

	if (p && memcmp(p->d.sha256, d->sha256, 32) != 0) {
		prefetch_end(g);
		p = NULL;
	}
	if (p) { /* already downloading: the applier takes over the socket */
		g->pre = NULL;
		if (g->have_want) { /* and the one after it starts now */
			g->have_want = false;
			prefetch(g, &g->want);
		}
		j.fd = p->sv[0];
		apply_thread(&j);
		pthread_join(p->th, NULL);
		p->th = 0;
		if (p->rc < 0 && p->r.delivered == 0 && j.rc < 0) {
			/* the prefetch got nowhere (e.g. a 401 after a token expired): nothing was
			 * written, fetch the layer again in the ordinary way */
			oci_emit(g->ev, g->ev_ctx, OCI_EV_DEBUG, "layer %s: %s; fetching it again", d->digest, p->err);
			close(p->sv[0]);
			close(p->sv[1]);
			free(p->r.body);
			free(p->authz);
			free(p);
			goto sequential;
		}
		rc = p->rc;
		if (rc < 0)
			snprintf(err, errlen, "%s", p->err);
		close(p->sv[0]);
		close(p->sv[1]);
		free(p->r.body);
		free(p->authz);
		free(p);
		goto out;
	}
sequential:
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return rc;
	}
	j.fd = sv[0];
	r.sock = sv[1];
	resp_archive(g, &r, d);
	rc = thread_start(&th, apply_thread, &j);
	if (rc < 0) {
		snprintf(err, errlen, "cannot start the layer applier: %s", strerror(-rc));
		close(sv[0]);
		close(sv[1]);
		return rc;
	}
	rc = api_get(g, "blobs", d->digest, NULL, &r, err, errlen);
	shutdown(sv[1], SHUT_WR); /* end of the blob for the applier */
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);
	free(r.body);
out:
	if (j.rc < 0 && (rc == 0 || rc == -EPIPE)) {
		snprintf(err, errlen, "%s", j.err);
		return j.rc;
	}
	if (rc < 0)
		return rc;
	if (st)
		*st = j.st;
	return 0;
}

static int fetch_top(struct reg *g, struct oci_desc *top, char *err, size_t errlen)
{
	struct resp r = { .sock = -1, .max = OCI_JSON_MAX };
	struct sha256 h;
	char hx[65];
	int rc;

	rc = api_get(g, "manifests", g->ref->digest[0] ? g->ref->digest : g->ref->tag, ACCEPT_MANIFESTS, &r, err, errlen);
	if (rc < 0) {
		free(r.body);
		return rc;
	}
	memset(top, 0, sizeof(*top));
	sha256_init(&h);
	sha256_update(&h, r.body ? r.body : "", r.len);
	sha256_final(&h, top->sha256);
	hexs(top->sha256, hx);
	if (g->ref->digest[0] && memcmp(top->sha256, g->ref->sha256, 32) != 0) {
		snprintf(err, errlen, "manifest digest mismatch: asked for %s, got sha256:%s", g->ref->digest, hx);
		free(r.body);
		return -EBADMSG;
	}
	snprintf(top->digest, sizeof(top->digest), "sha256:%s", hx);
	snprintf(top->media_type, sizeof(top->media_type), "%s", r.content_type);
	top->size = r.len;
	g->top = r.body ? r.body : strdup("");
	g->toplen = r.len;
	memcpy(g->top_sha, top->sha256, 32);
	return g->top ? 0 : -ENOMEM;
}

int oci_registry_unpack(const struct oci_ref *ref, const struct oci_registry_opts *ro,
			const struct oci_unpack_opts *o, struct oci_unpack_stats *st, char *err, size_t errlen)
{
	struct reg g = { .ref = ref, .o = ro, .ev = o->ev, .ev_ctx = o->ev_ctx, .scheme = "https", .verify = true,
			 .aw_fd = -1 };
	struct oci_store s = { get_blob, apply_layer, prefetch, &g, on_manifest };
	struct oci_desc top;
	int rc;

	err[0] = '\0';
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "libcurl failed to initialise");
		return -ENOMEM;
	}
	if (ro->insecure) {
		g.verify = false;
		oci_emit(g.ev, g.ev_ctx, OCI_EV_WARN, "%s: TLS verification is off, plain HTTP allowed "
			 "(bootc.registry.unsecure): anyone on the path can change the image", ref->registry);
	} else {
		g.probed = true;
	}
	if (ro->archive_path) {
		g.aw_fd = open(ro->archive_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (g.aw_fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot open %s for the oci-archive: %s", ro->archive_path, strerror(errno));
			return rc;
		}
	}
	load_creds(&g);
	rc = fetch_top(&g, &top, err, errlen);
	if (rc == 0)
		rc = oci_image_unpack(&s, &top, o, st, err, errlen);
	prefetch_end(&g); /* a failed layer leaves the next one downloading */
	if (rc == 0 && g.aw_fd >= 0 && !g.aw_on) {
		snprintf(err, errlen, "%s: no manifest was unpacked, so no oci-archive was written", ro->archive_path);
		rc = -EINVAL;
	}
	if (g.aw_fd >= 0 && close(g.aw_fd) < 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "closing the oci-archive %s: %s", ro->archive_path, strerror(errno));
	}
	oci_aw_free(&g.aw);
	memset(g.userpass, 0, sizeof(g.userpass));
	free(g.authz);
	free(g.top);
	return rc;
}
