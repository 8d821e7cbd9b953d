/*
 * attempt: the fetch engine's decisions, with no I/O, so they can be tested and fuzzed
 * across any sequence of responses: what a response's status and headers mean for the
 * bytes already in the sink (take the body, start over, skip, stop), and when a failed
 * attempt is tried again (backoff; the deadline counts from the last real progress).
 */
#ifndef NETINIT_FETCH_ATTEMPT_H
#define NETINIT_FETCH_ATTEMPT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FETCH_BACKOFF_FIRST_MS	500	/* first wait after a failed attempt */
#define FETCH_BACKOFF_MAX_MS	8000	/* waits double up to this */

enum fetch_verdict {
	FETCH_V_OK,
	FETCH_V_RETRY,		/* transient: wait, resume */
	FETCH_V_RESTART,	/* resume impossible: start from byte 0 */
	FETCH_V_FATAL,		/* no point in retrying */
};

/* What one attempt's response said before its body. */
struct fetch_resp {
	bool is_http;
	long code;		/* HTTP status (is_http) */
	bool have_cr;		/* a valid "Content-Range: bytes a-b/t" (fetch_content_range) */
	uint64_t cr_start, cr_total;	/* a; t (0 = "*") */
	int64_t length;		/* this body's length (Content-Length, ftp SIZE/rest); -1 = unknown */
};

/* Where the transfer stands; kept across attempts. */
struct fetch_pos {
	uint64_t offset;	/* bytes the sink has */
	uint64_t total;		/* size of the source; 0 = unknown */
	uint64_t range_start;	/* this attempt asked from here (Range / REST); 0 = from byte 0 */
	uint64_t skip;		/* bytes at the start of this body the sink has already (set by the
				 * caller when it asks for byte 0 while the sink holds bytes; by
				 * fetch_response when a Range is ignored) */
	bool changed;		/* a RESTART because the source is another file now */
	bool ranged;		/* this attempt sent a Range even from byte 0 (fetch_request.range_len) */
};

enum fetch_act {
	FETCH_ACT_TAKE,		/* the body goes to the sink (after pos->skip bytes) */
	FETCH_ACT_RESET,	/* empty the sink (and hash) first: the body starts at byte 0 */
	FETCH_ACT_ANSWER,	/* an error answer the caller reads (any_status) */
	FETCH_ACT_STOP,		/* abort the attempt with *v, *rc and msg */
};

/*
 * Decide about a response. can_reset: the sink can start over; otherwise a whole body
 * after a Range is skipped up to pos->offset. Updates pos (total, range_start, skip).
 */
enum fetch_act fetch_response(struct fetch_pos *pos, const struct fetch_resp *r, bool can_reset, bool any_status,
			      enum fetch_verdict *v, int *rc, char *msg, size_t msglen);

/* HTTP status >= 400 -> RETRY (5xx, 408, 429) or FATAL with *rc (-ENOENT 404/410,
 * -EACCES 401/403, -EPROTO otherwise). */
enum fetch_verdict fetch_http_verdict(long code, int *rc);

/* "bytes a-b/t" or "bytes a-b/\*" (after "Content-Range:"); 0 or -EINVAL. total 0 = "*". */
int fetch_content_range(const char *value, uint64_t *start, uint64_t *end, uint64_t *total);

/* The retry policy of one fetch: exponential backoff with full jitter (each wait is drawn
 * uniformly from 1 ms up to the backoff, from a generator seeded per machine), so a fleet
 * that failed together does not come back together. */
struct fetch_retry {
	uint64_t quiet_since_ms;	/* last real progress (or the start) */
	uint64_t best;			/* the largest offset any attempt reached */
	unsigned backoff_ms;
	unsigned retries;
	unsigned deadline_s;		/* rd.retry: give up this long after the last progress */
	int max_retries;		/* --retry N; -1 = only the deadline */
	uint64_t rng;			/* the jitter's generator state */
};
/* seed: per machine (e.g. from its MAC); 0 takes one from the clock. */
void fetch_retry_init(struct fetch_retry *r, uint64_t now_ms, unsigned deadline_s, int max_retries, uint64_t seed);
/*
 * An attempt failed at offset (stalled: stopped by the stall watch). Progress is offset
 * beyond every earlier attempt's, unless stalled; it restarts the deadline and the backoff.
 * next_source: the next attempt goes to another source not yet tried in this round, at
 * once (no wait, the backoff does not grow). 0 with *delay_ms to wait (and *backoff_ms,
 * the bound it was drawn under; either may be NULL), or -ETIMEDOUT: out of time or tries.
 */
int fetch_retry_next(struct fetch_retry *r, uint64_t now_ms, uint64_t offset, bool stalled, bool next_source,
		     unsigned *delay_ms, unsigned *backoff_ms);
/* A number uniformly drawn from [0, n) (0 when n is 0) from r's generator. */
unsigned fetch_jitter(struct fetch_retry *r, unsigned n);
#endif
