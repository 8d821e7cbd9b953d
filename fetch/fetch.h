/*
 * fetch: stream one URL (http, https, ftp, tftp, file) into a sink with
 * libcurl, hashing while streaming, retrying with backoff and resuming with
 * a Range request after a refused connection, a timeout, a 5xx or a cut
 * transfer, and refusing an image that cannot fit before writing anything.
 * Never prints: events go to a caller callback, errors into a caller buffer.
 */
#ifndef NETINIT_FETCH_FETCH_H
#define NETINIT_FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/checksum.h"

#define FETCH_URL_MAX		4096	/* longest URL we accept, with NUL */
#define FETCH_STR_MAX		512	/* proxy, user, cacert, one header */
#define FETCH_MAX_HEADERS	8	/* --header/-H given at most this often */
#define FETCH_MAX_MIRRORS	8	/* rd.live.mirror= given at most this often */
#define FETCH_MAX_SOURCES	(1 + FETCH_MAX_MIRRORS)
#define FETCH_RETRY_DEFAULT_S	180	/* rd.retry= default (dracut) */
#define FETCH_CONNECT_DEFAULT_S	30	/* connect timeout when none is given */
#define FETCH_STALL_S		30	/* a window this long ... */
#define FETCH_STALL_BPS		1024	/* ... with fewer bytes/s than this (or than half of --limit-rate) is a stall */
#define FETCH_ERRBODY_MAX	4096	/* bytes of an error response kept for the caller */

/* What a transfer does; init fills it from the boot plan. */
struct fetch_opts {
	char url[FETCH_URL_MAX];	/* root URL (fetch_set_url) */
	struct checksum sum;		/* rd.live.sha256= / rd.live.checksum= */
	bool insecure;			/* rd.noverifyssl, -k/--insecure */
	char cacert[FETCH_STR_MAX];	/* --cacert; "" = libcurl's bundle */
	char proxy[FETCH_STR_MAX];	/* proxy= or --proxy/-x; "" = none */
	char user[FETCH_STR_MAX];	/* --user/-u "name:password" */
	char headers[FETCH_MAX_HEADERS][FETCH_STR_MAX]; /* --header/-H */
	unsigned nheaders;
	unsigned connect_timeout_s;	/* --connect-timeout; 0 = default */
	unsigned max_time_s;		/* --max-time, per attempt; 0 = none */
	unsigned retry_deadline_s;	/* rd.retry=: give up after this long without progress */
	int max_retries;		/* --retry N; -1 = only the deadline */
	uint64_t limit_rate;		/* --limit-rate in bytes/s; 0 = none */
	bool ipv4;			/* --ipv4/-4 */
	bool follow;			/* follow redirects (default on; -L) */
	bool decompress;		/* .xz/.zst/.gz by URL suffix (default on) */
	bool digest;			/* hash even without an expected sum (fetch_stats.sha256) */
	char mirrors[FETCH_MAX_MIRRORS][FETCH_URL_MAX];	/* rd.live.mirror=: more sources, in order */
	unsigned nmirrors;
	unsigned start_delay_ms;	/* rd.live.start-delay: wait a random part of this first */
	uint64_t seed;			/* the machine's seed for jitter (e.g. from its MAC); 0 = any */
};

/* Where the bytes go. write() must consume all of len or fail. */
struct fetch_sink {
	int (*write)(void *ctx, const void *buf, size_t len); /* 0 or -errno */
	/* Random access (a transport that gets pieces out of order, fetch/torrent.h): len bytes
	 * at byte off of the image, and reading back what was written (to serve peers).
	 * NULL = a stream only. 0 or -errno. */
	int (*pwrite)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*pread)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*reset)(void *ctx);	/* discard all; NULL = cannot restart */
	int (*finish)(void *ctx);	/* end of stream: flush, check; may be NULL */
	uint64_t capacity;		/* bytes it can hold (device, tmpfs); 0 = unknown */
	uint64_t reserve;		/* of capacity, keep this much free */
	const char *what;		/* "/dev/ram0", ... naming capacity in messages */
	uint64_t mem_avail;		/* it consumes RAM: MemAvailable now; 0 = no RAM check */
	uint64_t mem_reserve;		/* RAM that must stay free (rd.minmem) */
	void *ctx;
};

enum fetch_event_type {
	FETCH_EV_START,		/* first bytes arrived; total known or 0; msg = the source */
	FETCH_EV_PROGRESS,	/* at most FETCH_EVENTS_PER_S per second */
	FETCH_EV_RETRY,		/* attempt failed; msg = reason; waiting delay_ms */
	FETCH_EV_RESUME,	/* server honoured Range from offset */
	FETCH_EV_RESTART,	/* server ignored Range: starting from zero */
	FETCH_EV_WARNING,	/* msg: e.g. TLS verification is off */
	FETCH_EV_DONE,		/* all bytes in, verified; see fetch_stats */
	FETCH_EV_WAIT,		/* rd.live.start-delay: waiting delay_ms before the first request */
	FETCH_EV_SOURCE,	/* msg = the source the next attempt uses (another than the last one) */
};
#define FETCH_EVENTS_PER_S	4

struct fetch_event {
	enum fetch_event_type type;
	uint64_t bytes;		/* bytes of the URL received so far */
	uint64_t total;		/* size of the URL, 0 = unknown */
	uint64_t elapsed_ms;	/* since fetch_url() started */
	uint64_t offset;	/* RESUME: where the new attempt starts */
	unsigned attempt;	/* 1-based number of the current attempt */
	unsigned delay_ms;	/* RETRY/WAIT: wait before the next attempt */
	unsigned backoff_ms;	/* RETRY: the backoff the jittered delay was drawn under */
	const char *msg;	/* RETRY / WARNING text, else NULL */
};
typedef void (*fetch_event_fn)(const struct fetch_event *ev, void *ctx);

struct fetch_stats {
	uint64_t bytes;		/* bytes of the URL delivered to the sink */
	uint64_t elapsed_ms;	/* wall time of the whole fetch */
	unsigned attempts;	/* transfers started */
	unsigned resumes;	/* attempts that continued with Range */
	unsigned restarts;	/* times the sink was reset to zero */
	uint8_t sha256[32];	/* digest of the received bytes, if hashed (else zero) */
	long http_code;		/* status of the last response (http/https), else 0 */
	char served_by[320];	/* "scheme://host:port" that sent the last response ("" = unknown) */
	size_t errbody_len;	/* fetch_request: bytes of the last 4xx/5xx body in rq->errbody */
	unsigned nsrc;		/* sources: the URL, then o->mirrors */
	uint64_t src_bytes[FETCH_MAX_SOURCES];	/* bytes of the result each source served */
};

/*
 * One request for a consumer that speaks a protocol over HTTP (the OCI registry):
 * the same engine as fetch_url (retry, backoff, resume, stall, TLS verdicts), plus
 * request headers, a response-header callback and the HTTP status as an answer.
 */
struct fetch_request {
	const char *url;
	const char *const *headers;	/* extra request headers, NULL-terminated; NULL = none */
	const char *userpwd;		/* HTTP Basic "user:password" for url's own host only; NULL = o->user */
	bool any_status;	/* a final 4xx is an answer: 0 with st->http_code, its body in errbody */
	char *errbody;		/* receives up to errbody_cap bytes of a 4xx/5xx body (also on give-up) */
	size_t errbody_cap;
	void (*on_header)(void *ctx, const char *line, size_t len); /* raw header lines incl. "HTTP/..." */
	void *hdr_ctx;
	const struct checksum *sum;	/* expected digest; NULL = none */
	bool decompress;	/* by the URL's suffix */
	unsigned max_attempts;	/* 0 = until o's deadline / --retry */
	const char *const *alt;	/* more sources of the same bytes, tried after url in order */
	unsigned nalt;
	uint64_t range_from;	/* only bytes range_from .. range_from+range_len-1 of the source */
	uint64_t range_len;	/* (an HTTP Range a-b; a web seed's pieces); 0 = the whole source.
				 * http(s) only, sink without reset; a server that ignores the Range
				 * is read up to the range and cut there */
};

/*
 * Run rq with o's transport options (TLS, proxy, timeouts, deadline) into sink.
 * A sink without reset still survives a server that ignores Range: the bytes it
 * already has are skipped in the new body. Errors as fetch_url; with
 * rq->any_status a final 4xx returns 0 (st->http_code tells which), and a 5xx
 * given up on returns -ETIMEDOUT with st->http_code and the body kept.
 * st may be NULL only without any_status.
 */
int fetch_request(const struct fetch_opts *o, const struct fetch_request *rq, struct fetch_sink *sink,
		  fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st, char *err, size_t errlen);

/* in, percent-encoded for a URL query (RFC 3986 unreserved kept); 0 or -ENAMETOOLONG. */
int fetch_query_escape(const char *in, char *out, size_t outlen);
/* The same for len bytes that may hold NUL (a BitTorrent info-hash). */
int fetch_query_escape_bytes(const void *in, size_t len, char *out, size_t outlen);

/* "scheme://host:port" of url (lower case, default port filled in); 0 or -EINVAL. */
int fetch_url_origin(const char *url, char *out, size_t outlen);

/* Defaults: verify TLS, follow redirects, decompress, rd.retry=180. */
void fetch_opts_init(struct fetch_opts *o);

/* Copy url into o, checking its scheme is one libcurl here speaks. */
int fetch_set_url(struct fetch_opts *o, const char *url, char *err, size_t errlen);

/* rd.live.mirror=: add url as another source of the same image (checked like the URL). */
int fetch_add_mirror(struct fetch_opts *o, const char *url, char *err, size_t errlen);

/* The i-th source of o: 0 is o->url, then the mirrors; NULL past the end. */
const char *fetch_source(const struct fetch_opts *o, unsigned i);

/* proxy= (dracut): copy into o. */
int fetch_set_proxy(struct fetch_opts *o, const char *proxy, char *err, size_t errlen);

/*
 * Fetch o->url into sink. With o->sum.is_auto, fetches "<url>.sha256" first.
 * With mirrors, a refused connection, a 5xx, a stall, a failed TLS handshake or a
 * 404/403 moves to the next source; a transfer continues on another source only when
 * its size and its ETag or Last-Modified agree with those of what the sink holds, else
 * it starts over there. A full round of failures backs off.
 * Returns 0, or -errno with one line in err:
 *   -ENOENT/-EACCES/-EPROTO   HTTP 404/403/other 4xx, FTP/TFTP not found
 *   -EKEYREJECTED             TLS verification failed (reason in err)
 *   -EFBIG                    does not fit the sink (both sizes in err)
 *   -EBADMSG                  checksum mismatch or corrupt compressed data
 *   -ETIMEDOUT                gave up after the retry deadline (URL, attempts, last error)
 *   -EINVAL                   bad options
 * st may be NULL; ev may be NULL.
 */
int fetch_url(const struct fetch_opts *o, struct fetch_sink *sink,
	      fetch_event_fn ev, void *ev_ctx, struct fetch_stats *st,
	      char *err, size_t errlen);

/* rd.live.start-delay (o->start_delay_ms): wait a random part of it, told to ev as
 * FETCH_EV_WAIT; fetch_url does this first, other transports (BitTorrent) call it. */
void fetch_start_delay(const struct fetch_opts *o, fetch_event_fn ev, void *ev_ctx);

/*
 * Size pre-check (fetch_url runs it against sink->capacity, then sink->mem_avail
 * less sink->mem_reserve, as soon as the size is known, before writing anything):
 * does need bytes fit into avail while keeping reserve free?
 * 0, or -EFBIG with "image is 2.1 GiB, 1.4 GiB of <what> available" in err.
 */
int fetch_fits(uint64_t need, uint64_t avail, uint64_t reserve, const char *what,
	       char *err, size_t errlen);

/* MemAvailable from /proc/meminfo text, in bytes; -EINVAL if absent. */
int fetch_meminfo_parse(const char *text, uint64_t *avail);
/* Same, reading /proc/meminfo. */
int fetch_mem_available(uint64_t *avail);

#endif
