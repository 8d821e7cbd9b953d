/* The fetch engine's decisions (attempt.h): pure functions of the responses and the clock. */
#include "fetch/attempt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum fetch_verdict fetch_http_verdict(long code, int *rc)
{
	if (code >= 500 || code == 408 || code == 429)
		return FETCH_V_RETRY;
	if (code == 404 || code == 410)
		*rc = -ENOENT;
	else if (code == 401 || code == 403)
		*rc = -EACCES;
	else
		*rc = -EPROTO;
	return FETCH_V_FATAL;
}

static bool parse_u64(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	*pp = p;
	*out = v;
	return true;
}

int fetch_content_range(const char *p, uint64_t *start, uint64_t *end, uint64_t *total)
{
	uint64_t a, b, t = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes ", 6))
		return -EINVAL;
	p += 6;
	if (!parse_u64(&p, &a) || *p++ != '-' || !parse_u64(&p, &b) || *p++ != '/')
		return -EINVAL;
	if (*p == '*')
		p++;
	else if (!parse_u64(&p, &t) || t <= b)
		return -EINVAL;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p || b < a)
		return -EINVAL;
	*start = a;
	*end = b;
	*total = t;
	return 0;
}

static enum fetch_act stop(enum fetch_verdict *v, int *rc, enum fetch_verdict what, int why)
{
	*v = what;
	*rc = why;
	return FETCH_ACT_STOP;
}

enum fetch_act fetch_response(struct fetch_pos *pos, const struct fetch_resp *r, bool can_reset, bool any_status,
			      enum fetch_verdict *v, int *rc, char *msg, size_t msglen)
{
	enum fetch_act act = FETCH_ACT_TAKE;
	uint64_t total = 0, cl = r->length >= 0 ? (uint64_t)r->length : 0;
	bool have_cl = r->length >= 0;

	*rc = 0;	/* pos->skip stays: the attempt may start at byte 0 on purpose (fetch_pos) */
	pos->changed = false;
	if (r->is_http) {
		if (r->code == 416 && pos->range_start) {
			/* the range starts at or past the end: the file may have shrunk */
			snprintf(msg, msglen, "server refused Range %" PRIu64 "- (HTTP 416)", pos->range_start);
			return stop(v, rc, FETCH_V_RESTART, 0);
		}
		if (r->code >= 400) {
			enum fetch_verdict hv = fetch_http_verdict(r->code, rc);

			if (any_status)
				return FETCH_ACT_ANSWER;	/* the verdict comes when the body is in */
			snprintf(msg, msglen, "HTTP %ld", r->code);
			return stop(v, rc, hv, *rc);
		}
		if (r->code == 206) {
			if ((!pos->range_start && !pos->ranged) || !r->have_cr || r->cr_start != pos->range_start) {
				snprintf(msg, msglen, "server answered Range %" PRIu64 "- with another range",
					 pos->range_start);
				return stop(v, rc, FETCH_V_RESTART, 0);
			}
			total = r->cr_total ? r->cr_total : (have_cl ? pos->range_start + cl : 0);
		} else if (r->code == 200) {
			if (pos->range_start) {
				/* Range ignored: this body is the whole file from byte 0 */
				pos->range_start = 0;
				if (can_reset)
					act = FETCH_ACT_RESET;
				else
					pos->skip = pos->offset;
			}
			total = have_cl ? cl : 0;
		} else {
			snprintf(msg, msglen, "unexpected HTTP %ld", r->code);
			return stop(v, rc, FETCH_V_FATAL, -EPROTO);
		}
	} else if (pos->range_start && pos->total && have_cl &&
		   (cl == pos->total || pos->range_start + cl == pos->total)) {
		total = pos->total;	/* ftp: libcurl reports the whole size or the rest */
	} else {
		total = have_cl ? pos->range_start + cl : 0;
	}
	if (pos->total && total && total != pos->total) {
		snprintf(msg, msglen, "size changed from %" PRIu64 " to %" PRIu64 " bytes", pos->total, total);
		pos->total = 0;
		pos->changed = true;
		pos->skip = 0;
		return stop(v, rc, FETCH_V_RESTART, 0);
	}
	if (act == FETCH_ACT_RESET)
		pos->offset = 0;
	if (total)
		pos->total = total;
	return act;
}

void fetch_retry_init(struct fetch_retry *r, uint64_t now_ms, unsigned deadline_s, int max_retries, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->quiet_since_ms = now_ms;
	r->backoff_ms = FETCH_BACKOFF_FIRST_MS;
	r->deadline_s = deadline_s;
	r->max_retries = max_retries;
	r->rng = seed ? seed : now_ms * 0x9e3779b97f4a7c15ull + 1;
}

/* splitmix64: small, fast, and every seed gives a full-period, well-mixed sequence */
unsigned fetch_jitter(struct fetch_retry *r, unsigned n)
{
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return n ? (unsigned)(z % n) : 0;
}

int fetch_retry_next(struct fetch_retry *r, uint64_t now_ms, uint64_t offset, bool stalled, bool next_source,
		     unsigned *delay_ms, unsigned *backoff_ms)
{
	uint64_t waited, limit = (uint64_t)r->deadline_s * 1000;
	unsigned bound, d;

	if (offset > r->best) {
		r->best = offset;
		if (!stalled) {
			r->quiet_since_ms = now_ms;
			r->backoff_ms = FETCH_BACKOFF_FIRST_MS;
		}
	}
	waited = now_ms >= r->quiet_since_ms ? now_ms - r->quiet_since_ms : 0;
	if (waited >= limit || (r->max_retries >= 0 && r->retries >= (unsigned)r->max_retries))
		return -ETIMEDOUT;
	r->retries++;
	bound = next_source ? 0 : r->backoff_ms;
	d = bound ? 1 + fetch_jitter(r, bound) : 0;	/* full jitter: 1 ms .. the backoff */
	if (waited + d > limit)
		d = (unsigned)(limit - waited);
	if (delay_ms)
		*delay_ms = d;
	if (backoff_ms)
		*backoff_ms = bound;
	if (!next_source)
		r->backoff_ms = r->backoff_ms * 2 > FETCH_BACKOFF_MAX_MS ? FETCH_BACKOFF_MAX_MS : r->backoff_ms * 2;
	return 0;
}
