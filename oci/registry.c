#include "oci/registry.h"
#include "oci/archwrite.h"
#include "oci/auth.h"
#include "fetch/fetch.h"
#include "crypto/sha256.h"
#include "fetch/sink.h"
#include "util/errbuf.h"
#include "util/fsutil.h"
#include "util/thread.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TOKEN_MAX      (64 * 1024)
#define AUTH_FILE_MAX  (64 * 1024)
#define ACCEPT_MANIFESTS "Accept: " OCI_MT_INDEX ", " OCI_MT_MANIFEST ", " DOCKER_MT_LIST ", " DOCKER_MT_MANIFEST
#define PREFETCH_BUF      (8 << 20) /* bytes of the next layer held in each socket buffer */
#define MIRROR_CONNECT_S  2         /* a mirror that does not accept within this is skipped */
#define MIRROR_ATTEMPTS   2         /* attempts per request at a mirror before the next source */

/* Where requests go: the mirrors for the registry, in order, then the registry itself.
 * Each has its own scheme, credentials (only its own entry in the credentials file) and token. */
struct src {
	char host[OCI_MIRROR_HOST]; /* host[:port] */
	bool mirror;
	bool resolve_tags;       /* a mirror trusted to answer tags */
	bool insecure;           /* HTTPS without verification, then plain HTTP */
	const char *scheme;      /* "https" or "http" */
	bool verify;             /* TLS verification */
	bool probed;             /* the first request decided the scheme */
	char *authz;             /* "Authorization: Bearer <token>" or NULL */
	bool basic;              /* send the credentials as HTTP Basic */
	bool authed;             /* a 401 was answered already */
	char userpass[512];      /* from the credentials file, never printed */
	bool dead;               /* did not answer at all: skipped from then on */
	bool bad;                /* served bytes that failed verification: skipped from then on */
	unsigned blobs;          /* manifests, configs and layers it served */
};

struct reg {
	const struct oci_ref *ref;
	const struct oci_registry_opts *o;
	event_fn ev;
	void *ev_ctx;
	struct src src[OCI_MIRRORS_MAX + 1];
	unsigned nsrc;           /* the upstream is src[nsrc - 1] */
	char ns[800];            /* "?ns=<upstream>" for requests to mirrors (containerd's convention) */
	bool restart;            /* a mirror's layer failed after reaching the root: unpack again */
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
	struct src *src;         /* where the request goes (api_get: the source that answered) */
	long code;
	char content_type[128];
	char www_auth[1024];
	char served_by[320];     /* "scheme://host:port" that sent the response */
	char *body;
	size_t len, max;
	char errbody[FETCH_ERRBODY_MAX]; /* a 4xx/5xx body, for the registry's own words */
	size_t errlen;
	int sock;                /* >= 0: 2xx bodies go there */
	bool sock_broken;        /* the reader went away */
	uint64_t delivered;      /* bytes sent to the socket over all attempts */
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

static void on_header(void *ctx, const char *data, size_t n)
{
	struct resp *r = ctx;
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
}

/* A streamed blob: into the oci-archive at its offset, then to the applier. The engine
 * skips what was delivered already when a server ignores Range, so delivered is always
 * the blob offset of buf[0]. */
static int sock_write(void *ctx, const void *buf, size_t n)
{
	struct resp *r = ctx;
	const char *data = buf;
	size_t off = 0;
	ssize_t w;

	if (r->aw) {
		int rc = oci_aw_write(r->aw, r->awb, r->delivered, data, n);

		if (rc < 0) {
			r->aw_err = rc;
			return rc;
		}
	}
	while (off < n) {
		w = send(r->sock, data + off, n - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r->sock_broken = true;
			return -EPIPE; /* the applier stopped: abort the transfer */
		}
		off += (size_t)w;
		r->delivered += (size_t)w;
	}
	return 0;
}

/* The engine's events, in the registry's words; a prefetch thread stays quiet. */
static void on_fetch_event(const struct fetch_event *e, void *ctx)
{
	struct reg *g = ctx;

	if (e->type == FETCH_EV_RETRY)
		oci_emit(g->ev, g->ev_ctx, EV_WARN, "%s; retrying in %u ms", e->msg, e->delay_ms);
	else if (e->type == FETCH_EV_RESUME)
		oci_emit(g->ev, g->ev_ctx, EV_INFO, "resuming a blob at byte %llu", (unsigned long long)e->offset);
	else if (e->type == FETCH_EV_RESTART)
		oci_emit(g->ev, g->ev_ctx, EV_INFO, "%s", e->msg);
}

/* The registry's own words from an error body: " (CODE: message)". */
static void registry_says(const struct resp *r, char *out, size_t len)
{
	oci_registry_error(r->errbody, r->errlen, out, len);
}

/*
 * GET url through the fetch engine (its retries, resumes, stall watch and TLS verdicts).
 * r->sock >= 0 streams a 2xx body there; otherwise up to max bytes land in r->body.
 * Credentials (Basic) go only to url's own host; the Authorization header is dropped by
 * the engine when a redirect leaves that host. Returns 0 with r->code set (any status
 * below 500), or -errno with one line in err.
 */
enum send_auth {
	TO_REGISTRY,	/* the Bearer token, or Basic once the registry asked for it */
	TO_REALM,	/* the credentials, as Basic, to a token service allowed to have them */
	TO_NOBODY,	/* anonymous */
};

static int get(struct reg *g, const char *url, const char *accept, enum send_auth to, struct resp *r,
	       char *err, size_t errlen)
{
	const char *headers[3] = { 0 };
	unsigned nh = 0;
	struct fetch_opts fo;
	struct fetch_request rq = { .url = url, .headers = headers, .any_status = true,
				    .errbody = r->errbody, .errbody_cap = sizeof(r->errbody),
				    .on_header = on_header, .hdr_ctx = r };
	struct fetch_stats st;
	struct fetch_sink sink;
	struct sink_mem mem;
	struct src *s = r->src;
	const char *authz = r->own_authz ? r->authz : s->authz;
	int rc;

	fetch_opts_init(&fo);
	fo.insecure = !s->verify;
	fo.retry_deadline_s = g->o->retry_s ? g->o->retry_s : 1;
	fo.decompress = false;
	if (g->o->cacert && *g->o->cacert)
		snprintf(fo.cacert, sizeof(fo.cacert), "%s", g->o->cacert);
	if (g->o->proxy && *g->o->proxy)
		snprintf(fo.proxy, sizeof(fo.proxy), "%s", g->o->proxy);
	if (accept)
		headers[nh++] = accept;
	if (authz && to == TO_REGISTRY)
		headers[nh++] = authz;
	if (((to == TO_REGISTRY && s->basic) || to == TO_REALM) && s->userpass[0])
		rq.userpwd = s->userpass;
	if (s->mirror) { /* a dead cache must cost little: the next source has the same bytes */
		fo.connect_timeout_s = MIRROR_CONNECT_S;
		rq.max_attempts = MIRROR_ATTEMPTS;
	}
	if (!s->probed && s->insecure && strcmp(s->scheme, "https") == 0)
		rq.max_attempts = 1; /* the first answer decides between HTTPS and HTTP */
	free(r->body);
	r->body = NULL;
	r->len = 0;
	r->code = 0;
	r->errlen = 0;
	if (r->sock >= 0) {
		sink_callback_init(&sink, sock_write, NULL, r);
		sink.what = "the layer applier";
	} else {
		r->body = malloc(r->max + 1);
		if (!r->body) {
			snprintf(err, errlen, "out of memory for a response of %zu bytes", r->max);
			return -ENOMEM;
		}
		sink_mem_init(&mem, r->body, r->max, &sink);
		sink.what = "the response buffer";
	}
	rc = fetch_request(&fo, &rq, &sink, r->quiet ? NULL : on_fetch_event, g, &st, err, errlen);
	r->code = st.http_code;
	r->errlen = st.errbody_len;
	snprintf(r->served_by, sizeof(r->served_by), "%s", st.served_by);
	if (r->sock < 0) {
		r->len = r->code >= 200 && r->code < 300 ? mem.len : 0;
		r->body[r->len] = '\0';
	}
	if (rc == 0)
		return 0;
	if (r->aw_err) {
		snprintf(err, errlen, "writing %s into the oci-archive %s: %s", url, g->o->archive_path,
			 strerror(-r->aw_err));
		return r->aw_err;
	}
	if (r->sock_broken)
		return -EPIPE;
	if (rc == -EFBIG && r->sock < 0) {
		snprintf(err, errlen, "%s: the response is larger than %zu bytes", url, r->max);
		return -EFBIG;
	}
	if (!s->probed && s->insecure && rq.max_attempts == 1 && rc != -EKEYREJECTED && !r->code)
		return -EPROTO; /* no HTTPS answer: the caller retries with plain HTTP */
	if (rc == -ETIMEDOUT && r->code >= 500) {
		char says[200];

		registry_says(r, says, sizeof(says));
		snprintf(err, errlen, "%s: the registry answered %ld%s after %u attempt%s", url, r->code, says,
			 st.attempts, st.attempts == 1 ? "" : "s");
	}
	text_scrub(err);
	return rc == -ETIMEDOUT || rc == -EPROTO ? -EIO : rc;
}

/* s's own entry in the credentials file: a mirror never gets the upstream's. */
static void load_creds(struct reg *g, struct src *s)
{
	const char *path = g->o->auth_file ? g->o->auth_file : OCI_AUTH_FILE;
	char *text;
	FILE *f;
	size_t n;
	const char *host = s->host;

	s->userpass[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	text = calloc(1, AUTH_FILE_MAX + 1);
	if (text) {
		n = fread(text, 1, AUTH_FILE_MAX, f);
		text[n] = '\0';
		if (oci_auth_lookup(text, host, s->userpass, sizeof(s->userpass)) < 0 && !s->mirror &&
		    strcmp(host, OCI_HUB_API) == 0)
			oci_auth_lookup(text, OCI_HUB_NAME, s->userpass, sizeof(s->userpass));
		memset(text, 0, AUTH_FILE_MAX);
		free(text);
	}
	fclose(f);
	if (s->userpass[0])
		oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "credentials for %s from %s", host, path);
}

/* The host part of "scheme://host:port" (fetch_url_origin's form). */
static void origin_host(const char *origin, char *out, size_t len)
{
	const char *h = strstr(origin, "://"), *colon;

	h = h ? h + 3 : origin;
	colon = strrchr(h, ':');
	snprintf(out, len, "%.*s", (int)(colon ? (size_t)(colon - h) : strlen(h)), h);
}

static void registry_origin(const struct src *s, char *out, size_t len)
{
	char url[600];

	snprintf(url, sizeof(url), "%s://%s/", s->scheme, s->host);
	if (fetch_url_origin(url, out, len) < 0)
		out[0] = '\0';
}

/*
 * Credentials go to a token service only over https, or to the registry's own host:
 * a realm is named by whoever answered, and plain http to a third host would hand the
 * password to anyone on the path (cf. containerd CVE-2020-15157).
 */
static bool realm_may_have_creds(const struct src *s, const char *realm)
{
	char ro[320], go[320], rh[256], gh[256];

	if (fetch_url_origin(realm, ro, sizeof(ro)) < 0)
		return false;
	if (strncmp(ro, "https://", 8) == 0)
		return true;
	registry_origin(s, go, sizeof(go));
	origin_host(ro, rh, sizeof(rh));
	origin_host(go, gh, sizeof(gh));
	return gh[0] && strcmp(rh, gh) == 0;
}

/* Answer a 401: fetch a Bearer token from the realm, or use Basic. */
static int authenticate(struct reg *g, struct src *s, const char *www, char *err, size_t errlen)
{
	char scheme[32], realm[512], service[256], scope[512], url[FETCH_URL_MAX], es[768], ec[1536];
	struct resp r = { .src = s, .sock = -1, .max = TOKEN_MAX };
	enum send_auth to;
	int rc;

	if (!*www || oci_www_auth_parse(www, scheme, sizeof(scheme), realm, sizeof(realm), service, sizeof(service),
					scope, sizeof(scope)) < 0) {
		snprintf(err, errlen, "the registry %s answered 401 without a usable WWW-Authenticate challenge",
			 s->host);
		return -EACCES;
	}
	if (strcasecmp(scheme, "Basic") == 0) {
		if (!s->userpass[0]) {
			snprintf(err, errlen, "the registry %s wants a user name and password: none for it in %s",
				 s->host, g->o->auth_file ? g->o->auth_file : OCI_AUTH_FILE);
			return -EACCES;
		}
		s->basic = true;
		return 0;
	}
	if (strcasecmp(scheme, "Bearer") != 0 || (strncmp(realm, "https://", 8) && strncmp(realm, "http://", 7))) {
		text_scrub(scheme);
		snprintf(err, errlen, "the registry %s wants \"%.30s\" authentication with realm \"%.100s\"; "
			 "expected Bearer with an http(s) realm, or Basic", s->host, scheme, realm);
		return -EACCES;
	}
	if (!scope[0])
		snprintf(scope, sizeof(scope), "repository:%s:pull", g->ref->repo);
	if (fetch_query_escape(service, es, sizeof(es)) < 0 || fetch_query_escape(scope, ec, sizeof(ec)) < 0) {
		snprintf(err, errlen, "the registry %s sent a token service name or scope too long to ask for",
			 s->host);
		return -EACCES;
	}
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es, ec);
	to = s->userpass[0] && realm_may_have_creds(s, realm) ? TO_REALM : TO_NOBODY;
	oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "token from %s%s", realm, to == TO_REALM ? " with credentials" : "");
	if (s->userpass[0] && to == TO_NOBODY)
		oci_emit(g->ev, g->ev_ctx, EV_WARN, "not sending the credentials for %s to the token service %.200s: "
			 "they go only over https or to the registry's own host", s->host, realm);
	rc = get(g, url, NULL, to, &r, err, errlen);
	if (rc < 0)
		goto out;
	if (r.code != 200) {
		snprintf(err, errlen, "the token service %.200s answered %ld: %s", realm, r.code,
			 r.code == 401 || r.code == 403 ? (to == TO_REALM ? "the credentials were refused" :
			 s->userpass[0] ? "it wants credentials, and they go only over https or to the registry's own host" :
			 "it wants credentials (see the credentials file in docs/oci.md)") : "no token");
		text_scrub(err);
		rc = r.code == 401 || r.code == 403 ? -EACCES : -EIO;
		goto out;
	}
	{
		char *hdr;

		rc = oci_token_parse(r.body, r.len, &hdr);
		if (rc == -EACCES)
			snprintf(err, errlen, "the token service %.200s answered without a usable token", realm);
		if (rc < 0)
			goto out;
		free(s->authz);
		s->authz = hdr;
	}
	rc = 0;
out:
	free(r.body);
	return rc;
}

/* GET /v2/<repo>/<kind>/<ref>, answering a 401 once; insecure registries fall back to HTTP. */
static int api_get_one(struct reg *g, struct src *s, const char *kind, const char *what, const char *accept, struct resp *r,
		   char *err, size_t errlen)
{
	char url[2048], says[256], desc[600];
	int rc;

again:
	snprintf(url, sizeof(url), "%s://%s/v2/%s/%s/%s%s", s->scheme, s->host, g->ref->repo, kind, what,
		 s->mirror ? g->ns : "");
	rc = get(g, url, accept, TO_REGISTRY, r, err, errlen);
	if (rc == -EPROTO && !s->probed) {
		oci_emit(g->ev, g->ev_ctx, EV_WARN, "%s: no HTTPS, trying plain HTTP (%s)", s->host,
			 s->mirror ? "its mirror entry says insecure" : "bootc.registry.unsecure");
		s->scheme = "http";
		s->probed = true;
		goto again;
	}
	if (rc < 0)
		return rc;
	s->probed = true;
	if (r->code == 401) {
		char mine[320];

		/* only the registry itself may start the token flow: a 401 from the host a blob
		 * was redirected to (a CDN, an object store) names a realm someone else chose */
		registry_origin(s, mine, sizeof(mine));
		if (r->served_by[0] && strcmp(r->served_by, mine) != 0) {
			snprintf(err, errlen, "%s %s of %s: redirected to %.200s, which answered 401; credentials go "
				 "only to the registry %s", kind[0] == 'm' ? "manifest" : "blob", what, g->ref->repo,
				 r->served_by, mine);
			text_scrub(err);
			return -EACCES;
		}
	}
	if (r->code == 401 && !s->authed) {
		s->authed = true;
		rc = authenticate(g, s, r->www_auth, err, errlen);
		if (rc < 0)
			return rc;
		goto again;
	}
	if (r->code >= 200 && r->code < 300)
		return 0;
	registry_says(r, says, sizeof(says));
	oci_ref_describe(g->ref, desc, sizeof(desc));
	if (s->mirror)
		snprintf(desc, sizeof(desc), "%s (mirror %s)", g->ref->repo, s->host);
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

static const char *src_name(const struct src *s)
{
	return s->mirror ? "mirror" : "registry";
}

/*
 * GET /v2/<repo>/<kind>/<what> from the first source that has it: the mirrors in order
 * (a tag only from one marked resolve-tags), then the registry. Any failure at a mirror
 * (no answer, 404, 5xx, 401) moves on, unless bytes of a streamed blob already went to
 * the applier (then the error is returned and r->src names the mirror). r->src is the
 * source that answered.
 */
static int api_get(struct reg *g, const char *kind, const char *what, bool by_tag, const char *accept,
		   struct resp *r, char *err, size_t errlen)
{
	char e[1024];
	unsigned i;
	int rc;

	for (i = 0; i < g->nsrc; i++) {
		struct src *s = &g->src[i];

		if (s->mirror && (s->dead || s->bad || (by_tag && !s->resolve_tags)))
			continue;
		r->src = s;
		r->delivered = 0;
		rc = api_get_one(g, s, kind, what, accept, r, s->mirror ? e : err, s->mirror ? sizeof(e) : errlen);
		if (rc == 0) {
			oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "%s %s from %s %s", kind[0] == 'm' ? "manifest" : "blob", what,
				 src_name(s), s->host);
			return 0;
		}
		if (!s->mirror)
			return rc;
		if (r->delivered || r->sock_broken || rc == -EPIPE) {
			snprintf(err, errlen, "mirror %s: %s", s->host, e);
			return rc;
		}
		if (!r->code)
			s->dead = true; /* no answer at all: not asked again during this pull */
		oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "mirror %s: %s; trying the next source", s->host, e);
	}
	snprintf(err, errlen, "no source for %s %s", kind, what); /* not reached: the registry is last */
	return -EIO;
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
	for (;;) {
		rc = api_get(g, manifest ? "manifests" : "blobs", d->digest, false, manifest ? ACCEPT_MANIFESTS : NULL,
			     &r, err, errlen);
		if (rc == 0)
			rc = oci_blob_verify(d, r.body ? r.body : "", r.len, err, errlen);
		if (rc != -EBADMSG || !r.src->mirror)
			break;
		/* a mirror can never change what boots: refuse it and ask the next source */
		oci_emit(g->ev, g->ev_ctx, EV_WARN, "mirror %s: %s; not using it again", r.src->host, err);
		r.src->bad = true;
	}
	if (rc == 0)
		r.src->blobs++;
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
	oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "keeping the image as an oci-archive of %llu bytes in %s",
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

	p->rc = get(p->g, p->url, NULL, TO_REGISTRY, &p->r, p->err, sizeof(p->err));
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
	struct src *s = NULL;
	unsigned i;

	for (i = 0; i < g->nsrc && !s; i++) /* the first source a blob is asked of */
		if (!g->src[i].mirror || !(g->src[i].dead || g->src[i].bad))
			s = &g->src[i];
	if (!s || !s->probed)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->g = g;
	p->d = *d;
	p->r.src = s;
	p->r.sock = -1;
	p->r.quiet = true;
	p->r.own_authz = true;
	resp_archive(g, &p->r, d);
	if (s->authz && !(p->authz = strdup(s->authz)))
		goto err_free;
	p->r.authz = p->authz;
	snprintf(p->url, sizeof(p->url), "%s://%s/v2/%s/blobs/%s%s", s->scheme, s->host, g->ref->repo, d->digest,
		 s->mirror ? g->ns : "");
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
	oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "downloading layer %s meanwhile from %s %s", d->digest, src_name(s), s->host);
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
	struct src *from;
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
			oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "layer %s: %s; fetching it again", d->digest, p->err);
			if (p->r.src->mirror && !p->r.code)
				p->r.src->dead = true;
			close(p->sv[0]);
			close(p->sv[1]);
			free(p->r.body);
			free(p->authz);
			free(p);
			goto sequential;
		}
		rc = p->rc;
		from = p->r.src;
		if (rc < 0)
			snprintf(err, errlen, "%s%s: %s", from->mirror ? "mirror " : "", from->host, p->err);
		else
			oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "blob %s from %s %s", d->digest, src_name(from), from->host);
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
	rc = api_get(g, "blobs", d->digest, false, NULL, &r, err, errlen);
	shutdown(sv[1], SHUT_WR); /* end of the blob for the applier */
	pthread_join(th, NULL);
	close(sv[0]);
	close(sv[1]);
	free(r.body);
	from = r.src;
out:
	if (j.rc < 0 && (rc == 0 || rc == -EPIPE)) {
		snprintf(err, errlen, "%s", j.err);
		rc = j.rc;
	}
	if (rc < 0 && from->mirror && rc != -ENOSPC && rc != -ENOMEM && rc != -EDQUOT) {
		/* the mirror's bytes reached the root before they failed (a digest mismatch is
		 * known only at the end): the whole image is unpacked again without it */
		char e[512];

		snprintf(e, sizeof(e), "%s", err);
		if (strncmp(e, "mirror ", 7) != 0)
			snprintf(err, errlen, "mirror %s: %s", from->host, e);
		from->bad = true;
		g->restart = true;
	}
	if (rc < 0)
		return rc;
	from->blobs++;
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

again:
	/* by tag only the registry, or a mirror marked resolve-tags, is believed */
	rc = api_get(g, "manifests", g->ref->digest[0] ? g->ref->digest : g->ref->tag, !g->ref->digest[0],
		     ACCEPT_MANIFESTS, &r, err, errlen);
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
		if (r.src->mirror) {
			oci_emit(g->ev, g->ev_ctx, EV_WARN, "mirror %s: %s; not using it again", r.src->host, err);
			r.src->bad = true;
			goto again;
		}
		free(r.body);
		return -EBADMSG;
	}
	r.src->blobs++;
	snprintf(top->digest, sizeof(top->digest), "sha256:%s", hx);
	snprintf(top->media_type, sizeof(top->media_type), "%s", r.content_type);
	top->size = r.len;
	g->top = r.body ? r.body : strdup("");
	g->toplen = r.len;
	memcpy(g->top_sha, top->sha256, 32);
	return g->top ? 0 : -ENOMEM;
}

/* The sources for ref: the mirrors for its registry (command line, then the mirrors file), then
 * the registry itself. A mirrors file that is there but wrong is an error, naming the line. */
static int setup_sources(struct reg *g, char *err, size_t errlen)
{
	const struct oci_registry_opts *ro = g->o;
	const char *path = ro->mirrors_file ? ro->mirrors_file : OCI_MIRRORS_FILE;
	const char *reg = g->ref->registry;
	struct oci_mirrors ms = { .n = 0 };
	char ns[700];
	unsigned i;
	FILE *f;
	int rc = 0;

	if (ro->mirrors)
		ms = *ro->mirrors;
	f = fopen(path, "re");
	if (f) {
		char *text = calloc(1, AUTH_FILE_MAX + 1);
		size_t n;

		if (!text) {
			fclose(f);
			return -ENOMEM;
		}
		n = fread(text, 1, AUTH_FILE_MAX, f);
		fclose(f);
		text[n] = '\0';
		rc = oci_mirrors_parse_file(&ms, text, path, err, errlen);
		free(text);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < ms.n; i++) {
		struct src *s = &g->src[g->nsrc];

		if (!oci_mirror_matches(&ms.m[i], reg))
			continue;
		snprintf(s->host, sizeof(s->host), "%s", ms.m[i].host);
		s->mirror = true;
		s->resolve_tags = ms.m[i].resolve_tags;
		s->insecure = ms.m[i].insecure;
		g->nsrc++;
	}
	g->src[g->nsrc].insecure = ro->insecure;
	snprintf(g->src[g->nsrc].host, sizeof(g->src[g->nsrc].host), "%s", reg);
	g->nsrc++;
	for (i = 0; i < g->nsrc; i++) {
		struct src *s = &g->src[i];
		char d[OCI_MIRROR_HOST + 32];

		s->scheme = "https";
		s->verify = !s->insecure;
		s->probed = !s->insecure;
		load_creds(g, s);
		if (s->mirror) {
			struct oci_mirror m = { .insecure = s->insecure, .resolve_tags = s->resolve_tags };

			snprintf(m.host, sizeof(m.host), "%s", s->host);
			oci_mirror_describe(&m, d, sizeof(d));
			oci_emit(g->ev, g->ev_ctx, EV_DEBUG, "source %u: mirror %s for %s", i + 1, d, reg);
			if (s->insecure)
				oci_emit(g->ev, g->ev_ctx, EV_WARN, "mirror %s: TLS verification is off, plain HTTP allowed "
					 "(insecure): it can only withhold content, digests are still checked", s->host);
		}
	}
	if (ro->insecure)
		oci_emit(g->ev, g->ev_ctx, EV_WARN, "%s: TLS verification is off, plain HTTP allowed "
			 "(bootc.registry.unsecure): anyone on the path can change the image", reg);
	/* containerd's convention (Spegel, Dragonfly read it): which registry the mirror stands for */
	if (fetch_query_escape(strcmp(reg, OCI_HUB_API) == 0 ? OCI_HUB_NAME : reg, ns, sizeof(ns)) < 0)
		return -ENAMETOOLONG;
	snprintf(g->ns, sizeof(g->ns), "?ns=%s", ns);
	return 0;
}

/* "3 from mirror a:5000, 1 from registry b": the blobs each source served */
static void sources_summary(const struct reg *g, char *out, size_t len)
{
	size_t off = 0;
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < g->nsrc && off < len; i++) {
		const struct src *s = &g->src[i];
		int n;

		if (!s->blobs)
			continue;
		n = snprintf(out + off, len - off, "%s%u from %s %s", off ? ", " : "", s->blobs, src_name(s), s->host);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int oci_registry_unpack(const struct oci_ref *ref, const struct oci_registry_opts *ro,
			const struct oci_unpack_opts *o, struct oci_unpack_stats *st, char *err, size_t errlen)
{
	struct reg g = { .ref = ref, .o = ro, .ev = o->ev, .ev_ctx = o->ev_ctx, .aw_fd = -1 };
	struct oci_store s = { get_blob, apply_layer, prefetch, &g, on_manifest };
	struct oci_desc top;
	unsigned i, tries = 0;
	int rc;

	err[0] = '\0';
	rc = setup_sources(&g, err, errlen);
	if (rc < 0)
		goto out;
	if (ro->archive_path) {
		g.aw_fd = open(ro->archive_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (g.aw_fd < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot open %s for the oci-archive: %s", ro->archive_path, strerror(errno));
			goto out;
		}
	}
	for (;;) {
		rc = fetch_top(&g, &top, err, errlen);
		if (rc == 0)
			rc = oci_image_unpack(&s, &top, o, st, err, errlen);
		prefetch_end(&g); /* a failed layer leaves the next one downloading */
		if (rc == 0 || !g.restart || ++tries > OCI_MIRRORS_MAX)
			break;
		/* a mirror's layer failed after its bytes were applied: start over without it */
		oci_emit(g.ev, g.ev_ctx, EV_WARN, "%s; emptying %s and unpacking again from the next source", err,
			 o->root);
		g.restart = false;
		rc = fs_empty_dir(o->root);
		if (rc < 0) {
			snprintf(err, errlen, "emptying %s after a mirror's bad layer: %s", o->root, strerror(-rc));
			break;
		}
		for (i = 0; i < g.nsrc; i++)
			g.src[i].blobs = 0;
		free(g.top);
		g.top = NULL;
		g.have_want = false;
		g.aw_on = false;
		oci_aw_free(&g.aw);
		err[0] = '\0';
	}
	if (rc == 0 && g.aw_fd >= 0 && !g.aw_on) {
		snprintf(err, errlen, "%s: no manifest was unpacked, so no oci-archive was written", ro->archive_path);
		rc = -EINVAL;
	}
	if (g.aw_fd >= 0 && close(g.aw_fd) < 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "closing the oci-archive %s: %s", ro->archive_path, strerror(errno));
	}
	if (rc == 0)
		sources_summary(&g, st->sources, sizeof(st->sources));
out:
	oci_aw_free(&g.aw);
	for (i = 0; i < g.nsrc; i++) {
		memset(g.src[i].userpass, 0, sizeof(g.src[i].userpass));
		free(g.src[i].authz);
	}
	free(g.top);
	return rc;
}
