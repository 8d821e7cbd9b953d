/* The libcurl engine behind fetch.h: one easy handle, attempts in a loop. */
#include "fetch/fetch.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "fetch/attempt.h"
#include "fetch/checksum.h"
#include "fetch/hashq.h"
#include "fetch/sink.h"
#include "util/clock.h"

#define TLS_CONNECT_TRIES	3	/* a TLS handshake error is retried this often */
#define TFTP_BLKSIZE		1468	/* Ethernet MTU 1500 - IP - UDP - TFTP header */
#define CURL_BUFSIZE		(256 * 1024)	/* libcurl receive buffer */
#define MSG_MAX			1024
#define CURL_MIN_BUFSIZE	1024	/* libcurl's smallest receive buffer */
#define RATE_BURSTS_PER_S	1000	/* 100 reads per burst, 10 bursts a second */

#define V_OK		FETCH_V_OK
#define V_RETRY		FETCH_V_RETRY
#define V_RESTART	FETCH_V_RESTART
#define V_FATAL		FETCH_V_FATAL

struct xfer {
	const struct fetch_opts *o;
	const struct fetch_request *rq;
	const char *url;
	struct fetch_sink *sink;
	fetch_event_fn ev;
	void *ev_ctx;
	CURL *curl;
	struct hashq *hq;	/* NULL when not hashing */
	uint64_t t0_ms, last_ev_ms;
	struct fetch_pos pos;	/* offset (bytes in the sink, hashed), total, this attempt's range */
	unsigned attempt, resumes, restarts;
	bool is_http, is_ftp;
	/* sources: the URL, then mirrors (fetch_url); cur serves the next attempt */
	const char *srcs[FETCH_MAX_SOURCES];
	unsigned nsrc, cur, held_src;	/* held_src: where the bytes in the sink came from */
	bool dead[FETCH_MAX_SOURCES];	/* answered 404/403: not asked again */
	char dead_msg[MSG_MAX];		/* the first such answer */
	int dead_rc;
	uint64_t src_bytes[FETCH_MAX_SOURCES];
	bool switch_src;		/* this attempt's failure moves to the next source */
	unsigned backoff_ms;		/* the last retry's backoff bound (events) */
	char etag[256], lastmod[64];	/* this response's validators */
	char held_etag[256], held_lastmod[64];	/* those of the response the sink's bytes came from */
	/* per attempt */
	bool first_write_seen;
	bool answer;		/* a 4xx/5xx body: it goes to rq->errbody, not the sink */
	size_t errbody_len;
	bool stalled;		/* the stall watch stopped this attempt */
	uint64_t win_ms, win_bytes;	/* the stall watch's window: start, curl's byte count then */
	long http_code;
	char reason[64];
	bool have_cr;
	bool from_zero;		/* next attempt: no Range; skip what the sink has (it cannot reset) */
	uint64_t range_end;	/* rq->range_len: stop at this byte of the source (0 = its end) */
	bool range_done;	/* range_end reached inside a longer body: stopped on purpose */
	uint64_t cr_start, cr_total;
	enum fetch_verdict abort_v;	/* set by a callback that stopped the transfer */
	int abort_rc;
	char msg[MSG_MAX];	/* why the last attempt failed */
	char errbuf[CURL_ERROR_SIZE];	/* libcurl's detail for the last attempt */
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void emit(struct xfer *x, enum fetch_event_type type, const char *msg, unsigned delay_ms)
{
	struct fetch_event e = {
		.type = type,
		.bytes = x->pos.offset,
		.total = x->pos.total,
		.elapsed_ms = mono_ms() - x->t0_ms,
		.offset = x->pos.range_start,
		.attempt = x->attempt,
		.delay_ms = delay_ms,
		.backoff_ms = x->backoff_ms,
		.msg = msg,
	};

	if (x->ev)
		x->ev(&e, x->ev_ctx);
}

static void hash_restart(struct xfer *x)
{
	if (x->hq)
		hashq_reset(x->hq);
}

/*
 * Discard everything: sink, decoder (inside the sink) and hash. A sink that
 * cannot start over keeps its bytes instead and the next body skips them,
 * unless the source changed (changed = its size differs), which it cannot survive.
 */
static int restart_from_zero(struct xfer *x, bool changed)
{
	int rc;

	if (!x->pos.offset)
		return 0;
	if (!x->sink->reset) {
		if (!changed)
			return 0;
		snprintf(x->msg, sizeof(x->msg), "%s changed while it was read and %s cannot start over", x->url,
			 x->sink->what ? x->sink->what : "its consumer");
		return -ESPIPE;
	}
	rc = x->sink->reset(x->sink->ctx);
	if (rc) {
		snprintf(x->msg, sizeof(x->msg), "cannot reset %s to start over: %s",
			 x->sink->what ? x->sink->what : "the sink", strerror(-rc));
		return rc;
	}
	hash_restart(x);
	x->pos.offset = 0;
	x->restarts++;
	memset(x->src_bytes, 0, sizeof(x->src_bytes));
	return 0;
}

/* The server sent the whole file although offset bytes are in: start over, or skip them. */
static int whole_body(struct xfer *x, const char *why)
{
	char msg[160];
	int rc;

	if (x->sink->reset) {
		rc = restart_from_zero(x, false);
		if (!rc)
			emit(x, FETCH_EV_RESTART, why, 0);
		return rc;
	}
	x->pos.skip = x->pos.offset;
	snprintf(msg, sizeof(msg), "%s: skipping the %" PRIu64 " bytes already received", why, x->pos.offset);
	emit(x, FETCH_EV_RESTART, msg, 0);
	return 0;
}

static void set_abort(struct xfer *x, enum fetch_verdict v, int rc)
{
	x->abort_v = v;
	x->abort_rc = rc;
}

/* HTTP status -> verdict; fills msg. */
static enum fetch_verdict http_verdict(struct xfer *x, long code, int *rc)
{
	snprintf(x->msg, sizeof(x->msg), "HTTP %ld%s%s from %s", code, x->reason[0] ? " " : "", x->reason,
		 x->url);
	return fetch_http_verdict(code, rc);
}

/* The response continues the bytes another source sent: the sizes agree already
 * (fetch_response), and so must its ETag or Last-Modified (an expected digest is checked
 * only at the end, too late to undo a mix). */
static bool same_file(const struct xfer *x)
{
	return (x->etag[0] && !strcmp(x->etag, x->held_etag)) || (x->lastmod[0] && !strcmp(x->lastmod, x->held_lastmod));
}

/* First bytes of an attempt: check the status, the range, the size (fetch_response). */
static bool first_write(struct xfer *x)
{
	curl_off_t cl = -1;
	struct fetch_resp r = { .is_http = x->is_http, .have_cr = x->have_cr, .cr_start = x->cr_start,
				.cr_total = x->cr_total };
	uint64_t known = x->pos.total, from = x->pos.range_start;
	enum fetch_verdict v = V_OK;
	enum fetch_act act;
	char why[256];
	int rc = 0;

	x->first_write_seen = true;
	curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	r.length = cl;
	if (x->is_http)
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &r.code);
	act = fetch_response(&x->pos, &r, x->sink->reset != NULL, x->rq->any_status, &v, &rc, why, sizeof(why));
	switch (act) {
	case FETCH_ACT_ANSWER:
		x->answer = true;	/* keep the body for the caller; the verdict comes at the end */
		x->errbody_len = 0;
		return true;
	case FETCH_ACT_STOP:
		if (x->is_http && r.code >= 400)
			http_verdict(x, r.code, &rc);
		else
			snprintf(x->msg, sizeof(x->msg), "%s: %s", x->url, why);
		x->switch_src = v == V_RETRY;	/* 5xx, 408, 429 */
		set_abort(x, v, rc);
		return false;
	case FETCH_ACT_RESET:
		x->pos.offset = from;	/* what the sink holds until it is reset */
		rc = restart_from_zero(x, false);
		if (rc) {
			set_abort(x, V_FATAL, rc);
			return false;
		}
		emit(x, FETCH_EV_RESTART, "server ignored the Range request", 0);
		break;
	case FETCH_ACT_TAKE:
		if (x->pos.range_start && x->cur != x->held_src && !same_file(x)) {
			/* another source's copy: continue there only if it is the same file */
			snprintf(x->msg, sizeof(x->msg), "%.300s: not known to be the same file as %.300s (its ETag "
				 "and Last-Modified differ or are missing): "
				 "starting over from byte 0", x->url, x->srcs[x->held_src]);
			x->pos.changed = true;
			set_abort(x, V_RESTART, 0);
			return false;
		}
		if (x->pos.skip) {
			snprintf(why, sizeof(why), "server ignored the Range request: skipping the %" PRIu64
				 " bytes already received", x->pos.skip);
			emit(x, FETCH_EV_RESTART, why, 0);
		}
		break;
	}
	x->held_src = x->cur;
	snprintf(x->held_etag, sizeof(x->held_etag), "%s", x->etag);
	snprintf(x->held_lastmod, sizeof(x->held_lastmod), "%s", x->lastmod);
	if (x->pos.total && !known) {
		const struct fetch_sink *s = x->sink;

		rc = 0;
		if (s->capacity)
			rc = fetch_fits(x->pos.total, s->capacity, s->reserve, s->what ? s->what : "space", x->msg,
				       sizeof(x->msg));
		if (!rc && s->mem_avail)
			rc = fetch_fits(x->pos.total, s->mem_avail, s->mem_reserve, "RAM", x->msg, sizeof(x->msg));
		if (rc) {
			set_abort(x, V_FATAL, rc);
			return false;
		}
	}
	if (x->pos.range_start)
		emit(x, FETCH_EV_RESUME, NULL, 0);
	else if (x->attempt == 1 || !x->restarts)
		emit(x, FETCH_EV_START, x->url, 0);	/* the source this attempt uses */
	return true;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t all = size * nmemb, n = all;
	int rc;

	if (!x->first_write_seen && !first_write(x))
		return 0;
	if (x->answer) {
		size_t room = x->rq->errbody_cap > x->errbody_len ? x->rq->errbody_cap - x->errbody_len : 0;
		size_t k = n < room ? n : room;

		if (k)
			memcpy(x->rq->errbody + x->errbody_len, data, k);
		x->errbody_len += k;
		return all;
	}
	if (x->pos.skip) {
		size_t k = x->pos.skip < n ? (size_t)x->pos.skip : n;

		x->pos.skip -= k;
		data += k;
		n -= k;
		if (!n)
			return all;
	}
	if (x->range_end && n > x->range_end - x->pos.offset) {
		/* a body longer than the range asked for (a server that ignored Range): cut it */
		n = (size_t)(x->range_end - x->pos.offset);
		x->range_done = true;
		if (!n)
			return 0;
	}
	if (x->hq)
		hashq_add(x->hq, data, n);
	rc = x->sink->write(x->sink->ctx, data, n);
	if (rc) {
		const char *what = x->sink->what ? x->sink->what : "the sink";

		if (rc == -EBADMSG || rc == -ENOMEM)
			snprintf(x->msg, sizeof(x->msg), "%s: %s data is corrupt after %" PRIu64 " bytes",
				 x->url, rc == -ENOMEM ? "out of memory decompressing;" : "compressed", x->pos.offset);
		else if (rc == -ENOSPC || rc == -EFBIG)
			snprintf(x->msg, sizeof(x->msg), "%s is full after %" PRIu64 " bytes of %s", what,
				 x->pos.offset, x->url);
		else
			snprintf(x->msg, sizeof(x->msg), "writing to %s failed: %s", what, strerror(-rc));
		set_abort(x, V_FATAL, rc == -ENOSPC ? -EFBIG : rc);
		return 0;
	}
	x->pos.offset += n;
	x->src_bytes[x->cur] += n;
	return x->range_done ? 0 : all;	/* 0: libcurl stops the transfer */
}

static bool hdr_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && !strncasecmp(line, name, n);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	char line[256];
	size_t len = n < sizeof(line) - 1 ? n : sizeof(line) - 1;

	if (x->rq->on_header)
		x->rq->on_header(x->rq->hdr_ctx, data, n);
	memcpy(line, data, len);
	line[len] = '\0';
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		line[--len] = '\0';
	if (hdr_is(line, len, "HTTP/")) {
		/* a new response (after a redirect or a 100): forget the last one */
		const char *sp = strchr(line, ' ');

		x->have_cr = false;
		x->reason[0] = '\0';
		x->etag[0] = x->lastmod[0] = '\0';
		if (sp) {
			sp = strchr(sp + 1, ' ');
			if (sp)
				snprintf(x->reason, sizeof(x->reason), "%s", sp + 1);
		}
	} else if (hdr_is(line, len, "ETag:") || hdr_is(line, len, "Last-Modified:")) {
		bool etag = (line[0] | 0x20) == 'e';
		const char *v = line + (etag ? 5 : 14);

		while (*v == ' ' || *v == '\t')
			v++;
		if (etag)
			snprintf(x->etag, sizeof(x->etag), "%s", v);
		else
			snprintf(x->lastmod, sizeof(x->lastmod), "%.63s", v);
	} else if (hdr_is(line, len, "Content-Range:")) {
		uint64_t a, b, t;

		if (!fetch_content_range(line + strlen("Content-Range:"), &a, &b, &t)) {
			x->have_cr = true;
			x->cr_start = a;
			x->cr_total = t;
		}
	}
	return n;
}

/* Fewer bytes per second than this over a FETCH_STALL_S window is a stall. */
static uint64_t stall_bps(const struct fetch_opts *o)
{
	if (o->limit_rate && o->limit_rate / 2 < FETCH_STALL_BPS)
		return o->limit_rate / 2 ? o->limit_rate / 2 : 1;
	return FETCH_STALL_BPS;
}

static int on_xferinfo(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ctx;
	uint64_t t = mono_ms(), got = dlnow > 0 ? (uint64_t)dlnow : 0;
	curl_off_t connected = 0;

	curl_easy_getinfo(x->curl, CURLINFO_CONNECT_TIME_T, &connected);
	if (!connected)
		x->win_ms = t;	/* the connect timeout covers this part */
	else if (t - x->win_ms >= FETCH_STALL_S * 1000ull) {
		uint64_t bps = stall_bps(x->o);

		if (got - x->win_bytes < bps * FETCH_STALL_S) {
			snprintf(x->msg, sizeof(x->msg), "%.300s: stalled, %" PRIu64 " bytes in %u s (expected at least %"
				 PRIu64 " bytes/s)", x->url, got - x->win_bytes, FETCH_STALL_S, bps);
			x->stalled = true;
			x->switch_src = true;
			set_abort(x, V_RETRY, 0);
			return 1;
		}
		x->win_ms = t;
		x->win_bytes = got;
	}
	if (x->first_write_seen && t - x->last_ev_ms >= 1000 / FETCH_EVENTS_PER_S) {
		x->last_ev_ms = t;
		emit(x, FETCH_EV_PROGRESS, NULL, 0);
	}
	return 0;
}

/* curl's result -> verdict; fills msg unless a callback already did. */
static enum fetch_verdict curl_verdict(struct xfer *x, CURLcode res, const char *errbuf, unsigned *tls_errors, int *rc)
{
	const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(res);

	if ((res == CURLE_WRITE_ERROR || res == CURLE_ABORTED_BY_CALLBACK) && x->abort_v != V_OK) {
		*rc = x->abort_rc;
		return x->abort_v;
	}
	snprintf(x->msg, sizeof(x->msg), "%s", detail);
	/* what makes a source not worth waiting for, when another one exists */
	x->switch_src = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
			(res == CURLE_OPERATION_TIMEDOUT && !x->first_write_seen) || res == CURLE_GOT_NOTHING ||
			res == CURLE_SSL_CONNECT_ERROR;
	switch (res) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_FTP_ACCEPT_TIMEOUT:
	case CURLE_FTP_ACCEPT_FAILED:
	case CURLE_FTP_CANT_GET_HOST:
	case CURLE_FTP_WEIRD_PASV_REPLY:
	case CURLE_FTP_WEIRD_227_FORMAT:
	case CURLE_FTP_WEIRD_SERVER_REPLY:
	case CURLE_FTP_COULDNT_RETR_FILE:
	case CURLE_FTP_PORT_FAILED:
	case CURLE_TFTP_ILLEGAL:
	case CURLE_TFTP_UNKNOWNID:
		return V_RETRY;
	case CURLE_RANGE_ERROR:
	case CURLE_BAD_DOWNLOAD_RESUME:
	case CURLE_FTP_COULDNT_USE_REST:
		return V_RESTART;
	case CURLE_SSL_CONNECT_ERROR:
		/* a cut handshake looks like this too: a few tries, then fatal */
		if (++*tls_errors < TLS_CONNECT_TRIES && !strstr(detail, "erif") && !strstr(detail, "ertificate"))
			return V_RETRY;
		snprintf(x->msg, sizeof(x->msg), "TLS handshake with %.300s failed: %s", x->url, detail);
		*rc = -EKEYREJECTED;
		return V_FATAL;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ISSUER_ERROR:
		snprintf(x->msg, sizeof(x->msg), "TLS: %s for %.300s (rd.noverifyssl or --insecure skips verification)",
			 detail, x->url);
		*rc = -EKEYREJECTED;
		return V_FATAL;
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_TFTP_NOTFOUND:
	case CURLE_FILE_COULDNT_READ_FILE:
		snprintf(x->msg, sizeof(x->msg), "%.300s: not found (%s)", x->url, detail);
		*rc = -ENOENT;
		return V_FATAL;
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_LOGIN_DENIED:
	case CURLE_TFTP_PERM:
		snprintf(x->msg, sizeof(x->msg), "%.300s: access denied (%s)", x->url, detail);
		*rc = -EACCES;
		return V_FATAL;
	default:
		snprintf(x->msg, sizeof(x->msg), "%.300s: %s", x->url, detail);
		*rc = -EPROTO;
		return V_FATAL;
	}
}

/*
 * libcurl 7.88 reads up to 100 buffers before it looks at --limit-rate again:
 * with a rate limit, keep one such burst near a tenth of a second's worth.
 */
static long buffer_size(uint64_t limit_rate)
{
	uint64_t b = limit_rate / RATE_BURSTS_PER_S;

	if (!limit_rate || b >= CURL_BUFSIZE)
		return CURL_BUFSIZE;
	return b < CURL_MIN_BUFSIZE ? CURL_MIN_BUFSIZE : (long)b;
}

static int setup_handle(struct xfer *x, struct curl_slist **hdrs, char *err, size_t errlen)
{
	const struct fetch_opts *o = x->o;
	CURL *c = x->curl;
	CURLcode r = CURLE_OK;

#define SET(opt, val) do { if (r == CURLE_OK) r = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_BUFFERSIZE, buffer_size(o->limit_rate));
	SET(CURLOPT_PROTOCOLS_STR, "http,https,ftp,tftp,file");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, o->follow ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, 10L);
	SET(CURLOPT_CONNECTTIMEOUT, (long)(o->connect_timeout_s ? o->connect_timeout_s : FETCH_CONNECT_DEFAULT_S));
	SET(CURLOPT_TIMEOUT, (long)o->max_time_s);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_TFTP_BLKSIZE, (long)TFTP_BLKSIZE);
	SET(CURLOPT_PROXY, o->proxy);	/* "" = no proxy, not even from the environment */
	SET(CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	SET(CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	SET(CURLOPT_PROXY_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	SET(CURLOPT_PROXY_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->cacert[0])
		SET(CURLOPT_CAINFO, o->cacert);
	if (x->rq->userpwd ? x->rq->userpwd[0] != '\0' : o->user[0] != '\0')
		SET(CURLOPT_USERPWD, x->rq->userpwd ? x->rq->userpwd : o->user);	/* the first host only */
	if (o->ipv4)
		SET(CURLOPT_IPRESOLVE, (long)CURL_IPRESOLVE_V4);
	if (o->limit_rate)
		SET(CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)o->limit_rate);
	for (unsigned i = 0; i < o->nheaders + (x->rq->headers ? FETCH_MAX_HEADERS : 0); i++) {
		const char *h = i < o->nheaders ? (i < FETCH_MAX_HEADERS ? o->headers[i] : NULL)
						: x->rq->headers[i - o->nheaders];
		struct curl_slist *n;

		if (!h) {
			if (i < o->nheaders)
				continue;
			break;
		}
		n = curl_slist_append(*hdrs, h);
		if (!n) {
			snprintf(err, errlen, "out of memory for the HTTP headers");
			return -ENOMEM;
		}
		*hdrs = n;
	}
	if (*hdrs)
		SET(CURLOPT_HTTPHEADER, *hdrs);
#undef SET
	if (r != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused an option for %s: %s", x->url, curl_easy_strerror(r));
		return -EINVAL;
	}
	return 0;
}

static bool url_has_prefix(const char *url, const char *p)
{
	return !strncasecmp(url, p, strlen(p));
}

/* Position the next attempt: Range for http(s), REST for ftp, else from zero. */
static int position_attempt(struct xfer *x)
{
	char range[48];
	int rc;

	x->pos.range_start = 0;
	x->pos.ranged = false;
	curl_easy_setopt(x->curl, CURLOPT_RANGE, NULL);
	curl_easy_setopt(x->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)0);
	if (x->is_http && x->range_end && !x->from_zero) {
		/* fetch_request.range_len: a closed range, also from byte 0 */
		snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64, x->pos.offset, x->range_end - 1);
		curl_easy_setopt(x->curl, CURLOPT_RANGE, range);
		x->pos.range_start = x->pos.offset;
		x->pos.ranged = true;
		return 0;
	}
	if (!x->pos.offset)
		return 0;
	if (x->from_zero) {
		x->from_zero = false;
		x->pos.skip = x->pos.offset;
		return 0;
	}
	if (x->is_http) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", x->pos.offset);
		curl_easy_setopt(x->curl, CURLOPT_RANGE, range);	/* libcurl copies it */
		x->pos.range_start = x->pos.offset;
		return 0;
	}
	if (x->is_ftp) {
		curl_easy_setopt(x->curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->pos.offset);
		x->pos.range_start = x->pos.offset;
		return 0;
	}
	rc = whole_body(x, "protocol cannot resume");	/* tftp, file */
	return rc;
}

/* What the last attempt left for the caller, success or not. */
static void fill_stats(struct xfer *x, struct fetch_stats *st)
{
	char *eff = NULL;

	if (!st)
		return;
	st->bytes = x->pos.offset - x->rq->range_from;
	st->elapsed_ms = mono_ms() - x->t0_ms;
	st->attempts = x->attempt;
	st->resumes = x->resumes;
	st->restarts = x->restarts;
	st->http_code = x->is_http ? x->http_code : 0;
	st->errbody_len = x->errbody_len;
	st->nsrc = x->nsrc;
	memcpy(st->src_bytes, x->src_bytes, sizeof(st->src_bytes));
	st->served_by[0] = '\0';
	if (x->curl && curl_easy_getinfo(x->curl, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
		fetch_url_origin(eff, st->served_by, sizeof(st->served_by));
}

/*
 * Attempts until one succeeds, one fails for good, or o's deadline passes without
 * progress. Progress is the best offset reached growing in an attempt that was not
 * stopped as a stall: bytes received again after a restart from zero are not progress,
 * and neither is a trickle. The backoff doubles until progress is made.
 */
static int run(struct xfer *x, char *err, size_t errlen)
{
	const struct fetch_opts *o = x->o;
	unsigned tls_errors = 0;
	struct fetch_retry rt;
	int rc;

	fetch_retry_init(&rt, x->t0_ms, o->retry_deadline_s,
			 x->rq->max_attempts ? (int)x->rq->max_attempts - 1 : o->max_retries, o->seed);

	for (;;) {
		CURLcode res;
		enum fetch_verdict v;
		uint64_t reached;
		unsigned delay, bound, from = x->cur;
		bool next = false;

		x->attempt++;
		x->url = x->srcs[x->cur];
		x->is_http = url_has_prefix(x->url, "http://") || url_has_prefix(x->url, "https://");
		x->is_ftp = url_has_prefix(x->url, "ftp://");
		curl_easy_setopt(x->curl, CURLOPT_URL, x->url);
		x->switch_src = false;
		x->first_write_seen = false;
		x->have_cr = false;
		x->pos.changed = false;
		x->answer = false;
		x->stalled = false;
		x->pos.skip = 0;
		x->win_ms = mono_ms();
		x->win_bytes = 0;
		x->reason[0] = '\0';
		x->abort_v = V_OK;
		x->abort_rc = 0;
		x->msg[0] = '\0';
		x->errbuf[0] = '\0';
		rc = position_attempt(x);
		if (rc) {
			snprintf(err, errlen, "%s", x->msg);
			return rc;
		}
		x->range_done = false;
		res = curl_easy_perform(x->curl);
		rc = 0;
		if (x->range_done && res == CURLE_WRITE_ERROR)
			res = CURLE_OK;	/* the range was complete: stopped on purpose */
		x->http_code = 0;
		if (x->is_http)
			curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &x->http_code);
		if (res == CURLE_OK) {
			if (!x->first_write_seen && !first_write(x))
				v = x->abort_v, rc = x->abort_rc;	/* empty body: still decide */
			else if (x->answer) {
				v = http_verdict(x, x->http_code, &rc);
				if (v == V_FATAL)
					return 0;	/* any_status: the caller reads the answer */
			} else if (x->range_end && x->pos.offset != x->range_end) {
				snprintf(x->msg, sizeof(x->msg), "transfer ended at %" PRIu64 " of the range up to %" PRIu64,
					 x->pos.offset, x->range_end);
				v = V_RETRY;
			} else if (!x->range_end && x->pos.total && x->pos.offset != x->pos.total) {
				snprintf(x->msg, sizeof(x->msg), "transfer ended at %" PRIu64 " of %" PRIu64 " bytes",
					 x->pos.offset, x->pos.total);
				v = V_RETRY;
			} else
				v = V_OK;
		} else {
			v = curl_verdict(x, res, x->errbuf, &tls_errors, &rc);
		}
		if (x->pos.range_start && x->pos.offset > x->pos.range_start)
			x->resumes++;
		if (v == V_RETRY && !x->answer && x->pos.total && x->pos.offset == x->pos.total)
			v = V_OK;
		if (v == V_RETRY && !x->answer && x->range_end && x->pos.offset == x->range_end)
			v = V_OK;	/* every byte is in; the link broke after the last one */
		if (v == V_OK)
			return 0;
		if (v == V_FATAL && x->nsrc > 1 && (rc == -ENOENT || rc == -EACCES)) {
			/* this source has no such file for us: the others may */
			if (!x->dead_msg[0]) {
				snprintf(x->dead_msg, sizeof(x->dead_msg), "%s", x->msg);
				x->dead_rc = rc;
			}
			x->dead[x->cur] = true;
			v = V_RETRY;
			x->switch_src = true;
		}
		if (v == V_FATAL) {
			snprintf(err, errlen, "%s", x->msg);
			return rc ? rc : -EIO;
		}
		if (x->nsrc > 1 && x->switch_src) {
			unsigned n = x->cur, i;

			for (i = 0; i < x->nsrc; i++) {
				n = (n + 1) % x->nsrc;
				if (!x->dead[n])
					break;
			}
			if (i == x->nsrc) {	/* every source answered 404/403 */
				snprintf(err, errlen, "%s (and every mirror refused too)", x->dead_msg);
				return x->dead_rc;
			}
			next = n > x->cur;	/* not wrapped: the round goes on without a wait */
			x->cur = n;
		}
		reached = x->pos.offset;
		if (v == V_RESTART) {
			char why[MSG_MAX];

			snprintf(why, sizeof(why), "%s", x->msg);
			rc = restart_from_zero(x, x->pos.changed);
			if (rc) {
				snprintf(err, errlen, "%s", x->msg);
				return rc;
			}
			if (!x->sink->reset)
				x->from_zero = true;	/* ask for byte 0, skip what the sink has */
			emit(x, FETCH_EV_RESTART, why, 0);
			if (x->restarts > x->attempt) /* cannot happen; keeps the loop finite */
				return -EIO;
		}
		if (fetch_retry_next(&rt, mono_ms(), reached, x->stalled, next, &delay, &bound) < 0) {
			snprintf(err, errlen, "giving up on %s after %" PRIu64 " s and %u attempt%s: %s", x->url,
				 (mono_ms() - x->t0_ms + 500) / 1000, x->attempt, x->attempt == 1 ? "" : "s", x->msg);
			return -ETIMEDOUT;
		}
		x->backoff_ms = bound;
		emit(x, FETCH_EV_RETRY, x->msg, delay);
		if (x->cur != from)
			emit(x, FETCH_EV_SOURCE, x->srcs[x->cur], 0);
		sleep_ms(delay);
	}
}

static int fetch_one(const struct fetch_opts *o, const struct fetch_request *rq, struct fetch_sink *sink,
		     fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st, char *err, size_t errlen)
{
	static bool curl_ready;
	const char *url = rq->url;
	const struct checksum *sum = rq->sum;
	struct xfer *x;
	struct sink_decomp dec;
	struct fetch_sink wrapped;
	struct curl_slist *hdrs = NULL;
	/* a caller that wrapped its sink in a decompressor already: do not decompress twice */
	enum sink_codec codec = rq->decompress && !sink_is_decomp(sink) ? sink_codec_for_url(url) : SINK_CODEC_NONE;
	uint8_t digest[CHECKSUM_SHA256_LEN];
	int rc;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "libcurl initialisation failed");
			return -ENOMEM;
		}
		curl_ready = true;
	}
	if (st)
		memset(st, 0, sizeof(*st));
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	x->o = o;
	x->rq = rq;
	x->url = url;
	x->srcs[x->nsrc++] = url;
	for (unsigned i = 0; rq->alt && i < rq->nalt && x->nsrc < FETCH_MAX_SOURCES; i++)
		x->srcs[x->nsrc++] = rq->alt[i];
	x->sink = sink;
	x->ev = ev;
	x->ev_ctx = ev_ctx;
	x->t0_ms = mono_ms();
	x->is_http = url_has_prefix(url, "http://") || url_has_prefix(url, "https://");
	x->is_ftp = url_has_prefix(url, "ftp://");
	if (rq->range_len) {
		/* the sink gets the range only: as if it held the bytes before it already */
		if (!x->is_http || codec != SINK_CODEC_NONE || sink->reset || rq->range_from > UINT64_MAX - rq->range_len) {
			snprintf(err, errlen, "%s: a byte range needs http(s), no decompression and a sink that "
				 "does not start over", url);
			free(x);
			return -EINVAL;
		}
		x->pos.offset = rq->range_from;
		x->range_end = rq->range_from + rq->range_len;
	}
	if ((sum && sum->set) || o->digest) {
		x->hq = hashq_new();
		if (!x->hq) {
			snprintf(err, errlen, "out of memory for hashing");
			free(x);
			return -ENOMEM;
		}
	}
	if (codec != SINK_CODEC_NONE) {
		rc = sink_decomp_init(&dec, codec, sink, &wrapped, err, errlen);
		if (rc)
			goto err_free;
		x->sink = &wrapped;
	}
	x->curl = curl_easy_init();
	if (!x->curl) {
		snprintf(err, errlen, "out of memory for a libcurl handle");
		rc = -ENOMEM;
		goto err_decomp;
	}
	rc = setup_handle(x, &hdrs, err, errlen);
	if (rc)
		goto err_curl;
	if (o->insecure && (x->is_http || o->proxy[0]))
		emit(x, FETCH_EV_WARNING, "TLS certificate verification is off (rd.noverifyssl or --insecure)", 0);
	rc = run(x, err, errlen);
	fill_stats(x, st);
	if (rc || (x->is_http && x->http_code >= 400))
		goto err_curl;	/* failed, or an answer for the caller (any_status): no sink to finish */
	if (x->sink->finish) {
		rc = x->sink->finish(x->sink->ctx);
		if (rc) {
			if (rc == -EPIPE || rc == -EBADMSG)
				snprintf(err, errlen, "%s: the %s stream is %s", url, sink_codec_name(codec),
					 rc == -EPIPE ? "truncated" : "corrupt");
			else
				snprintf(err, errlen, "finishing %s failed: %s", sink->what ? sink->what : "the sink",
					 strerror(-rc));
			goto err_curl;
		}
	}
	memset(digest, 0, sizeof(digest));
	if (x->hq)
		hashq_digest(x->hq, digest);
	if (st)
		memcpy(st->sha256, digest, sizeof(digest));
	if (sum && sum->set && !sum->is_auto && memcmp(digest, sum->sha256, sizeof(digest))) {
		char got[CHECKSUM_SHA256_HEX + 1], want[CHECKSUM_SHA256_HEX + 1];

		checksum_hex_encode(digest, got);
		checksum_hex_encode(sum->sha256, want);
		snprintf(err, errlen, "sha256 of %s is %s, expected %s", url, got, want);
		rc = -EBADMSG;
		goto err_curl;
	}
	emit(x, FETCH_EV_DONE, NULL, 0);
	rc = 0;
err_curl:
	if (x->curl)
		curl_easy_cleanup(x->curl);
	curl_slist_free_all(hdrs);
err_decomp:
	if (codec != SINK_CODEC_NONE)
		sink_decomp_free(&dec);
err_free:
	hashq_free(x->hq);
	free(x);
	return rc;
}

int fetch_request(const struct fetch_opts *o, const struct fetch_request *rq, struct fetch_sink *sink,
		  fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st, char *err, size_t errlen)
{
	if (!rq->url || !rq->url[0]) {
		snprintf(err, errlen, "no URL to fetch");
		return -EINVAL;
	}
	if (!sink || !sink->write || (rq->any_status && !st)) {
		snprintf(err, errlen, "no sink to write %s into", rq->url);
		return -EINVAL;
	}
	return fetch_one(o, rq, sink, ev, ev_ctx, st, err, errlen);
}

int fetch_url_origin(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -EINVAL, n;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		for (char *p = host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		n = snprintf(out, outlen, "%s://%s:%s", scheme, host, port);
		rc = n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* "<url>.sha256": the suffix goes before any query string. */
static int sum_url(const char *url, char *out, size_t outlen, const char **name, size_t *namelen)
{
	size_t plen = strcspn(url, "?#");
	const char *slash;
	int n;

	n = snprintf(out, outlen, "%.*s.sha256%s", (int)plen, url, url + plen);
	if (n < 0 || (size_t)n >= outlen)
		return -ENAMETOOLONG;
	slash = memrchr(url, '/', plen);
	*name = slash ? slash + 1 : url;
	*namelen = plen - (size_t)(*name - url);
	return 0;
}

/* rd.live.start-delay: a fleet that powered on together spreads out (a jittered wait, told
 * as FETCH_EV_WAIT); nothing without one. */
void fetch_start_delay(const struct fetch_opts *o, fetch_event_fn ev, void *ev_ctx)
{
	struct fetch_retry r;
	struct fetch_event e = { .type = FETCH_EV_WAIT };

	if (!o->start_delay_ms)
		return;
	fetch_retry_init(&r, mono_ms(), 0, 0, o->seed);
	e.delay_ms = fetch_jitter(&r, o->start_delay_ms);
	if (ev)
		ev(&e, ev_ctx);
	sleep_ms(e.delay_ms);
}

int fetch_url(const struct fetch_opts *o, struct fetch_sink *sink,
	      fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st,
	      char *err, size_t errlen)
{
	struct checksum sum = o->sum;
	const char *alt[FETCH_MAX_MIRRORS];
	unsigned nalt = 0;

	if (!o->url[0]) {
		snprintf(err, errlen, "no URL to fetch");
		return -EINVAL;
	}
	if (!sink || !sink->write) {
		snprintf(err, errlen, "no sink to write %s into", o->url);
		return -EINVAL;
	}
	for (unsigned i = 0; i < o->nmirrors && i < FETCH_MAX_MIRRORS; i++)
		alt[nalt++] = o->mirrors[i];
	fetch_start_delay(o, ev, ev_ctx);
	if (sum.set && sum.is_auto) {
		char *url = malloc(FETCH_URL_MAX * FETCH_MAX_SOURCES), *text = malloc(CHECKSUM_FILE_MAX);
		const char *salt[FETCH_MAX_MIRRORS];
		char name[256];
		const char *nm;
		size_t nlen;
		struct sink_mem mem;
		struct fetch_sink ms;
		int rc = 0;

		if (!url || !text) {
			free(url);
			free(text);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		/* "<url>.sha256" of every source, in the same order */
		for (unsigned i = 0; !rc && i <= nalt; i++)
			rc = sum_url(i ? alt[i - 1] : o->url, url + (size_t)i * FETCH_URL_MAX, FETCH_URL_MAX,
				     &nm, &nlen);
		if (rc) {
			snprintf(err, errlen, "URL too long to add .sha256");
			goto auto_out;
		}
		sum_url(o->url, url, FETCH_URL_MAX, &nm, &nlen);
		snprintf(name, sizeof(name), "%.*s", (int)nlen, nm);
		for (unsigned i = 0; i < nalt; i++)
			salt[i] = url + (size_t)(i + 1) * FETCH_URL_MAX;
		struct fetch_request srq = { .url = url, .alt = salt, .nalt = nalt };

		sink_mem_init(&mem, text, CHECKSUM_FILE_MAX, &ms);
		rc = fetch_one(o, &srq, &ms, NULL, NULL, NULL, err, errlen);
		if (rc) {
			if (rc == -EFBIG)
				snprintf(err, errlen, "%s is larger than %d bytes", url, CHECKSUM_FILE_MAX);
			goto auto_out;
		}
		rc = checksum_file_parse(text, mem.len, name, sum.sha256, err, errlen);
		if (!rc)
			sum.is_auto = false;
auto_out:
		free(url);
		free(text);
		if (rc)
			return rc;
	}
	struct fetch_request rq = { .url = o->url, .sum = &sum, .decompress = o->decompress, .alt = alt, .nalt = nalt };

	return fetch_one(o, &rq, sink, ev, ev_ctx, st, err, errlen);
}
