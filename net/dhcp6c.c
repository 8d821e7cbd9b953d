/* dhcp6c: DHCPv6 client state machine (transport-agnostic). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/dhcp6c.h"
#include "util/rand.h"

#define MSG_BUF		512	/* our messages: header, DUIDs, ORO, one IA_NA with 4 IAADDRs */
#define RAND_SPAN	1000	/* RAND in [-0.1, 0.1] as -1000..1000 / 10000 */

/* One state: what it (re)transmits, its retransmission parameters (RFC 8415
 * 7.6; MRT 0 = the caller's sol/inf_max_rt), how many tries, how it handles a message. */
struct dhcp6c_state_desc {
	const char *name;
	uint8_t tx_type;	/* 0 = nothing */
	uint64_t irt_ms;
	unsigned mrc;		/* 0 = unbounded */
	void (*rx)(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now);
};

static void rx_solicit(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now);
static void rx_request(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now);
static void rx_inform(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now);

static const struct dhcp6c_state_desc states[DHCP6C_NSTATES] = {
	[DHCP6C_SOLICIT] = { "solicit", DHCP6_SOLICIT, DHCP6_SOL_TIMEOUT_MS, 0, rx_solicit },
	[DHCP6C_REQUEST] = { "request", DHCP6_REQUEST, DHCP6_REQ_TIMEOUT_MS, DHCP6_REQ_MAX_RC, rx_request },
	[DHCP6C_INFORM] = { "inform", DHCP6_INFORMATION_REQUEST, DHCP6_INF_TIMEOUT_MS, 0, rx_inform },
	[DHCP6C_BOUND] = { "bound", 0, 0, 0, NULL },
	[DHCP6C_FAILED] = { "failed", 0, 0, 0, NULL },
};

const char *dhcp6c_state_name(enum dhcp6c_state s)
{
	return s < DHCP6C_NSTATES ? states[s].name : "?";
}

static uint32_t rnd(struct dhcp6c *c)
{
	return xorshift32(&c->seed);
}

/* base + RAND * base, RAND uniform in [-0.1, 0.1], or in (0, 0.1] when positive. */
static uint64_t randomize(struct dhcp6c *c, uint64_t base, bool positive)
{
	int64_t r;

	if (positive)	/* rounded up: strictly later than base even at 1 ms resolution */
		return base + (base * (1 + rnd(c) % RAND_SPAN) + 10 * RAND_SPAN - 1) / (10 * RAND_SPAN);
	r = (int64_t)(rnd(c) % (2 * RAND_SPAN + 1)) - RAND_SPAN;
	return (uint64_t)((int64_t)base + (int64_t)base * r / (10 * RAND_SPAN));
}

static uint64_t max_rt(const struct dhcp6c *c)
{
	switch (c->state) {
	case DHCP6C_SOLICIT: return c->sol_max_rt_ms;
	case DHCP6C_REQUEST: return DHCP6_REQ_MAX_RT_MS;
	case DHCP6C_INFORM: return c->inf_max_rt_ms;
	default: return 0;
	}
}

/* RFC 8415 15: the timeout after this transmission. */
static void next_rt(struct dhcp6c *c)
{
	const struct dhcp6c_state_desc *s = &states[c->state];
	uint64_t mrt = max_rt(c);

	if (c->tries == 1)
		c->rt_ms = randomize(c, s->irt_ms, c->state == DHCP6C_SOLICIT);
	else	/* RT = 2*RTprev + RAND*RTprev */
		c->rt_ms += randomize(c, c->rt_ms, false);
	if (mrt && c->rt_ms > mrt)
		c->rt_ms = randomize(c, mrt, false);
}

static void transmit(struct dhcp6c *c, uint64_t now)
{
	const struct dhcp6c_state_desc *s = &states[c->state];
	struct dhcp6_req r;
	uint8_t buf[MSG_BUF];
	uint64_t cs;
	int len;

	if (!s->tx_type)
		return;
	if (c->tries == 0)
		c->xact_ms = now;	/* the first message of an exchange says 0 */
	cs = (now - c->xact_ms) / 10;
	memset(&r, 0, sizeof(r));
	r.type = s->tx_type;
	r.xid = c->xid;
	r.elapsed_cs = cs > 0xffff ? 0xffff : (uint16_t)cs;
	r.duid = c->duid;
	r.duid_len = sizeof(c->duid);
	r.iaid = c->iaid;
	r.ia_na = !c->stateless;
	r.rapid_commit = !c->no_rapid_commit;
	if (c->state == DHCP6C_REQUEST) {
		r.server_id = c->best.server_id;
		r.server_id_len = c->best.server_id_len;
		r.addrs = c->best.addrs;
		r.n_addrs = c->best.n_addrs;
	}
	len = dhcp6_build(buf, sizeof(buf), &r);
	if (len > 0 && c->send && c->send(c->ctx, buf, (size_t)len) == 0) {
		c->sent++;
		if (c->state == DHCP6C_SOLICIT)
			c->solicits++;
		else if (c->state == DHCP6C_REQUEST)
			c->requests++;
		else
			c->informs++;
	}
	c->tries++;
	next_rt(c);
	c->next_ms = now + c->rt_ms;
	if (c->state == DHCP6C_SOLICIT && c->tries == 1)
		c->collect_ms = c->next_ms;	/* 18.2.1: collect for the first RT */
}

static void enter(struct dhcp6c *c, enum dhcp6c_state st, uint64_t now)
{
	c->state = st;
	c->tries = 0;
	c->xid = rnd(c) & 0xffffffu;	/* a new exchange, a new transaction id */
	if (st == DHCP6C_SOLICIT)
		c->have_best = false;
	transmit(c, now);
}

void dhcp6c_start(struct dhcp6c *c, uint64_t now_ms)
{
	c->start_ms = now_ms;
	c->deadline_ms = now_ms + c->timeout_ms;
	c->malformed = c->ignored = c->sent = 0;
	c->solicits = c->requests = c->informs = c->advertises = c->refused = 0;
	c->last_status = 0;
	c->last_status_msg[0] = '\0';
	c->have_best = false;
	c->sol_max_rt_ms = DHCP6_SOL_MAX_RT_MS;
	c->inf_max_rt_ms = DHCP6_INF_MAX_RT_MS;
	memset(&c->best, 0, sizeof(c->best));
	memset(&c->lease, 0, sizeof(c->lease));
	dhcp6_duid_ll(c->duid, sizeof(c->duid), c->mac);
	c->iaid = dhcp6_iaid(c->mac);
	if (!c->seed)
		c->seed = 1;
	c->state = c->stateless ? DHCP6C_INFORM : DHCP6C_SOLICIT;
	c->tries = 0;
	c->xid = rnd(c) & 0xffffffu;
	if (c->max_delay_ms) {
		c->next_ms = now_ms + rnd(c) % (c->max_delay_ms + 1u);	/* dhcp6c_tick sends */
		return;
	}
	transmit(c, now_ms);
}

/* A status that refuses: remember it for the caller's error line. */
static void refuse(struct dhcp6c *c, uint16_t status, const char *msg)
{
	c->refused++;
	c->last_status = status;
	snprintf(c->last_status_msg, sizeof(c->last_status_msg), "%s", msg);
}

/* The first refusal in m (top level, then IA_NA, then IAADDR), else NoAddrsAvail
 * when there is no usable address. 0: m gives an address. */
static uint16_t refusal(const struct dhcp6_msg *m, const char **msg)
{
	*msg = "";
	if (m->has_status && m->status != DHCP6_SUCCESS) {
		*msg = m->status_msg;
		return m->status;
	}
	if (m->has_ia_status && m->ia_status != DHCP6_SUCCESS) {
		*msg = m->ia_status_msg;
		return m->ia_status;
	}
	if (!m->has_ia_na || m->n_addrs == 0)
		return m->addr_status ? m->addr_status : DHCP6_NO_ADDRS_AVAIL;
	return 0;
}

static void bound(struct dhcp6c *c, const struct dhcp6_msg *m)
{
	c->lease = *m;
	c->state = DHCP6C_BOUND;
}

static void rx_solicit(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now)
{
	const char *msg;
	uint16_t st;

	if (m->sol_max_rt)
		c->sol_max_rt_ms = (uint64_t)m->sol_max_rt * 1000;	/* 18.2.9: even from a refusal */
	st = refusal(m, &msg);
	if (m->type == DHCP6_REPLY) {
		/* 18.2.10.1: only a Reply with Rapid Commit answers a Solicit that offered it */
		if (c->no_rapid_commit || !m->rapid_commit) {
			c->ignored++;
			return;
		}
		if (st) {
			refuse(c, st, msg);
			return;
		}
		bound(c, m);
		return;
	}
	if (st) {
		refuse(c, st, msg);	/* 18.2.9: an Advertise without addresses is ignored */
		return;
	}
	c->advertises++;
	if (!c->have_best || m->preference > c->best.preference) {
		c->best = *m;	/* equal preference: the first one stays */
		c->have_best = true;
	}
	/* 255 is taken at once; after the first RT the first Advertise is */
	if (m->preference == DHCP6_PREF_MAX || now >= c->collect_ms)
		enter(c, DHCP6C_REQUEST, now);
}

static void rx_request(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now)
{
	const char *msg;
	uint16_t st;

	if (m->type != DHCP6_REPLY || m->server_id_len != c->best.server_id_len ||
	    memcmp(m->server_id, c->best.server_id, m->server_id_len)) {
		c->ignored++;	/* a late Advertise, or another server's Reply */
		return;
	}
	st = refusal(m, &msg);
	if (st == DHCP6_USE_MULTICAST) {
		c->ignored++;	/* we always multicast: nothing to change, retransmit */
		return;
	}
	if (st) {
		/* 18.2.10.1: NoAddrsAvail / NotOnLink / UnspecFail: start over */
		refuse(c, st, msg);
		enter(c, DHCP6C_SOLICIT, now);
		return;
	}
	bound(c, m);
}

static void rx_inform(struct dhcp6c *c, const struct dhcp6_msg *m, uint64_t now)
{
	(void)now;
	if (m->type != DHCP6_REPLY) {
		c->ignored++;
		return;
	}
	if (m->inf_max_rt)
		c->inf_max_rt_ms = (uint64_t)m->inf_max_rt * 1000;
	if (m->has_status && m->status != DHCP6_SUCCESS) {
		refuse(c, m->status, m->status_msg);	/* retransmit on the timer */
		return;
	}
	bound(c, m);
}

int dhcp6c_input(struct dhcp6c *c, const uint8_t *msg, size_t len, uint64_t now_ms)
{
	const struct dhcp6c_state_desc *s = &states[c->state];
	struct dhcp6_msg m;
	int rc;

	if (!s->rx)
		return 0;
	if (c->tries == 0) {
		c->ignored++;	/* nothing sent yet (first-message delay): not ours */
		return 0;
	}
	rc = dhcp6_parse(msg, len, c->xid, c->duid, sizeof(c->duid), c->iaid, &m);
	if (rc == -EBADMSG) {
		c->malformed++;
		return 0;
	}
	if (rc) {
		c->ignored++;
		return 0;
	}
	s->rx(c, &m, now_ms);
	return c->state == DHCP6C_BOUND;
}

int dhcp6c_tick(struct dhcp6c *c, uint64_t now_ms)
{
	const struct dhcp6c_state_desc *s = &states[c->state];

	if (c->state == DHCP6C_BOUND)
		return 0;
	if (c->state == DHCP6C_FAILED)
		return -ETIMEDOUT;
	if (now_ms >= c->deadline_ms) {
		c->state = DHCP6C_FAILED;
		return -ETIMEDOUT;
	}
	if (now_ms < c->next_ms)
		return 0;
	if (c->state == DHCP6C_SOLICIT && c->tries && c->have_best) {
		enter(c, DHCP6C_REQUEST, now_ms);	/* the collection time is over */
		return 0;
	}
	if (s->mrc && c->tries >= s->mrc) {
		enter(c, DHCP6C_SOLICIT, now_ms);	/* 18.2.10: the server went quiet */
		return 0;
	}
	transmit(c, now_ms);
	return 0;
}

uint64_t dhcp6c_next_ms(const struct dhcp6c *c)
{
	if (c->state == DHCP6C_BOUND || c->state == DHCP6C_FAILED)
		return UINT64_MAX;
	return c->next_ms < c->deadline_ms ? c->next_ms : c->deadline_ms;
}
