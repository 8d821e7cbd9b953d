/*
 * libFuzzer: the fetch engine's decisions (fetch/attempt.c) against a server that answers
 * whatever the input says, over many attempts, as fetch.c drives them: status, a
 * Content-Range that may name any range (its body then really starts there), a length that
 * may lie, a cut anywhere, a stall, and a sink that can or cannot start over. Checked:
 * the sink only ever holds the file's own bytes in order (no gap, no duplicate), a body is
 * taken only where it continues the sink, the fetch ends (success, fatal or deadline) on a
 * simulated clock, and success means the whole file is in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/attempt.h"

#define FILE_MAX 5000u
#define ATTEMPTS_MAX 100000u	/* any sequence must end long before this */

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in, unsigned mod)
{
	unsigned v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return mod ? v % mod : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint64_t file_len = 1 + take(&in, 250) * 20;	/* 1 .. 4981 bytes, byte i of the file is (i * 7) & 0xff */
	bool can_reset = take(&in, 2), any_status = take(&in, 4) == 0, from_zero = false;
	uint64_t clock = 0, held = 0;	/* what the simulated sink holds: bytes 0..held of the file */
	struct fetch_pos pos = { 0 };
	struct fetch_retry rt;
	unsigned attempts = 0;

	if (file_len > FILE_MAX)
		abort();
	fetch_retry_init(&rt, clock, 1 + take(&in, 200), take(&in, 3) == 0 ? (int)take(&in, 8) : -1, take(&in, 255) + 1);
	for (;;) {
		struct fetch_resp r = { .is_http = true, .length = -1 };
		enum fetch_verdict v = FETCH_V_OK;
		enum fetch_act act;
		uint64_t body_start, sent;
		char msg[128];
		int rc = 0;
		unsigned delay, kind = take(&in, 12);
		bool stalled = false, complete;

		if (++attempts > ATTEMPTS_MAX)
			abort();	/* the loop did not end */
		/* fetch.c's position_attempt */
		pos.range_start = 0;
		pos.skip = 0;
		if (pos.offset && !from_zero)
			pos.range_start = pos.offset;
		else if (pos.offset)
			pos.skip = pos.offset;
		from_zero = false;
		/* the server's answer */
		switch (kind) {
		case 0: r.code = 404; break;
		case 1: r.code = 500 + take(&in, 4); break;
		case 2: r.code = 416; break;
		case 3: r.code = 301; break;
		default: r.code = take(&in, 3) ? 206 : 200; break;
		}
		body_start = 0;
		if (r.code == 206) {	/* honest or not about which range; the body starts where it says */
			r.have_cr = take(&in, 8) != 0;
			body_start = take(&in, 2) ? pos.range_start : (uint64_t)take(&in, 255) * 20;
			if (body_start >= file_len)
				body_start = file_len - 1;
			r.cr_start = r.have_cr ? body_start : 0;
			r.cr_total = take(&in, 4) ? file_len : (take(&in, 2) ? 0 : file_len + take(&in, 50));
			if (!r.have_cr)
				body_start = pos.range_start < file_len ? pos.range_start : 0;
		}
		r.length = take(&in, 5) ? (int64_t)(file_len - body_start) : (take(&in, 2) ? -1 : (int64_t)take(&in, 255) * 20);
		act = fetch_response(&pos, &r, can_reset, any_status, &v, &rc, msg, sizeof(msg));
		sent = 0;
		if (act == FETCH_ACT_RESET) {
			if (!can_reset || pos.offset)
				abort();
			held = 0;
		}
		if (act == FETCH_ACT_TAKE || act == FETCH_ACT_RESET) {
			uint64_t pos_in_file = body_start, avail = file_len - body_start, cut;

			if (r.code == 200)
				pos_in_file = 0, avail = file_len;
			cut = take(&in, 3) ? avail : (uint64_t)take(&in, 255) * 20;
			if (cut > avail)
				cut = avail;
			if (r.length >= 0 && cut > (uint64_t)r.length)
				cut = (uint64_t)r.length;	/* libcurl stops at Content-Length */
			/* on_write: skip, then the sink; the body must continue what the sink has */
			for (uint64_t i = 0; i < cut; i++) {
				if (pos.skip) {
					pos.skip--;
					continue;
				}
				if (pos_in_file + i != held)
					abort();	/* a gap or a duplicate in the sink */
				held++;
				pos.offset++;
			}
			sent = cut;
			if (held != pos.offset)
				abort();
			stalled = take(&in, 16) == 0;
			complete = !stalled && (r.length < 0 ? cut == avail : cut == (uint64_t)r.length);
			/* fetch.c's run(): how the attempt ended */
			if (complete && pos.total && pos.offset != pos.total)
				v = FETCH_V_RETRY;
			else if (complete)
				v = FETCH_V_OK;
			else
				v = FETCH_V_RETRY;
			if (v == FETCH_V_RETRY && pos.total && pos.offset == pos.total)
				v = FETCH_V_OK;
		} else if (act == FETCH_ACT_ANSWER) {
			v = fetch_http_verdict(r.code, &rc);
			if (v == FETCH_V_FATAL)
				return 0;	/* the caller reads the answer */
		}
		if (v == FETCH_V_OK) {
			if (pos.offset != held || (pos.total && pos.offset != pos.total))
				abort();
			if (held > file_len)
				abort();
			return 0;
		}
		if (v == FETCH_V_FATAL)
			return 0;
		{
			uint64_t reached = pos.offset;

			if (v == FETCH_V_RESTART) {
				if (can_reset)
					pos.offset = held = 0;
				else if (pos.changed)
					return 0;	/* fetch.c: ESPIPE, fatal */
				else
					from_zero = true;
			}
			clock += 1 + sent / 10 + (stalled ? 30000 : 0) + take(&in, 255) * 100;
			if (fetch_retry_next(&rt, clock, reached, stalled, false, &delay, NULL) < 0)
				return 0;
			if (delay < 1 && clock - rt.quiet_since_ms < (uint64_t)rt.deadline_s * 1000)
				abort();	/* a retry without a wait: a tight loop */
			clock += delay;
		}
	}
}
