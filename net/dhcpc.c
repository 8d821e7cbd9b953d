/* dhcpc: DHCPv4 client state machine (transport-agnostic). */
#include <errno.h>
#include <string.h>

#include "net/dhcpc.h"
#include "util/rand.h"

#define RETX_FIRST_MS	1000	/* first retransmission timeout */
#define RETX_MAX_MS	8000	/* backoff cap */
#define REQUEST_TRIES	4	/* REQUESTs without an answer before a new DISCOVER */
#define REBOOT_TRIES	2	/* INIT-REBOOT REQUESTs before falling back to DISCOVER */
#define NAK_DELAY_MAX_MS 4000	/* repeated NAKs: wait before discovering again */
#define MSG_BUF		576	/* our messages fit the RFC 791 minimum datagram */

/* One state: which message it (re)transmits and how it handles a reply. */
struct dhcpc_state_desc {
	const char *name;
	uint8_t tx_type;	/* DHCP_DISCOVER, DHCP_REQUEST, 0 = nothing */
	void (*rx)(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now);
};

static void rx_selecting(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now);
static void rx_requesting(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now);

static const struct dhcpc_state_desc states[DHCPC_NSTATES] = {
	[DHCPC_REBOOTING] = { "rebooting", DHCP_REQUEST, rx_requesting },
	[DHCPC_SELECTING] = { "selecting", DHCP_DISCOVER, rx_selecting },
	[DHCPC_REQUESTING] = { "requesting", DHCP_REQUEST, rx_requesting },
	[DHCPC_BOUND] = { "bound", 0, NULL },
	[DHCPC_FAILED] = { "failed", 0, NULL },
};

const char *dhcpc_state_name(enum dhcpc_state s)
{
	return s < DHCPC_NSTATES ? states[s].name : "?";
}

static uint32_t rnd(struct dhcpc *c)
{
	return xorshift32(&c->seed);
}

/* Backoff for the n-th transmission (n >= 1), with +-25 % jitter. */
static uint64_t backoff_ms(struct dhcpc *c, unsigned n)
{
	uint64_t t = RETX_FIRST_MS;

	while (--n && t < RETX_MAX_MS)
		t *= 2;
	if (t > RETX_MAX_MS)
		t = RETX_MAX_MS;
	return t - t / 4 + rnd(c) % (t / 2 + 1);
}

static void transmit(struct dhcpc *c, uint64_t now)
{
	const struct dhcpc_state_desc *s = &states[c->state];
	struct dhcp_req r;
	uint8_t buf[MSG_BUF];
	uint64_t secs = (now - c->start_ms) / 1000;
	int len;

	if (!s->tx_type)
		return;
	memset(&r, 0, sizeof(r));
	r.type = s->tx_type;
	r.xid = c->xid;
	r.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	memcpy(r.mac, c->mac, 6);
	r.hostname = c->hostname;
	r.vendor_class = c->vendor_class;
	if (c->state == DHCPC_REQUESTING) {
		r.requested = c->offer.yiaddr;
		r.server_id = c->offer.server_id;
	} else if (c->state == DHCPC_REBOOTING) {
		r.requested = c->requested;	/* no server id: INIT-REBOOT */
	}
	len = dhcp_build(buf, sizeof(buf), &r);
	if (len > 0 && c->send && c->send(c->ctx, buf, (size_t)len) == 0)
		c->sent++;
	c->tries++;
	c->next_ms = now + backoff_ms(c, c->tries);
}

static void enter(struct dhcpc *c, enum dhcpc_state st, uint64_t now)
{
	c->state = st;
	c->tries = 0;
	if (st == DHCPC_SELECTING || st == DHCPC_REBOOTING)
		c->xid = rnd(c);
	transmit(c, now);
}

void dhcpc_start(struct dhcpc *c, uint64_t now_ms)
{
	c->start_ms = now_ms;
	c->deadline_ms = now_ms + c->timeout_ms;
	c->naks = 0;
	c->malformed = c->ignored = c->sent = 0;
	memset(&c->offer, 0, sizeof(c->offer));
	memset(&c->lease, 0, sizeof(c->lease));
	if (!c->seed)
		c->seed = 1;
	if (c->requested.s_addr) {
		c->offer.yiaddr = c->requested;	/* what the ACK must carry */
		enter(c, DHCPC_REBOOTING, now_ms);
	} else {
		enter(c, DHCPC_SELECTING, now_ms);
	}
}

static void rx_selecting(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now)
{
	if (m->type != DHCP_OFFER || !m->server_id.s_addr) {
		c->ignored++;
		return;
	}
	c->offer = *m;	/* the first offer wins */
	enter(c, DHCPC_REQUESTING, now);
}

static void rx_requesting(struct dhcpc *c, const struct dhcp_msg *m, uint64_t now)
{
	uint64_t delay;

	if (c->state == DHCPC_REQUESTING && m->server_id.s_addr &&
	    m->server_id.s_addr != c->offer.server_id.s_addr) {
		c->ignored++;	/* another server's answer (e.g. its late OFFER) */
		return;
	}
	if (m->type == DHCP_NAK) {
		c->naks++;
		delay = (uint64_t)(c->naks - 1) * RETX_FIRST_MS;
		if (delay > NAK_DELAY_MAX_MS)
			delay = NAK_DELAY_MAX_MS;
		c->state = DHCPC_SELECTING;
		c->xid = rnd(c);
		c->tries = 0;
		if (delay == 0)
			transmit(c, now);
		else
			c->next_ms = now + delay;	/* dhcpc_tick sends the DISCOVER */
		return;
	}
	if (m->type != DHCP_ACK || m->yiaddr.s_addr != c->offer.yiaddr.s_addr) {
		c->ignored++;
		return;
	}
	if (c->state == DHCPC_REBOOTING && !m->server_id.s_addr) {
		c->ignored++;	/* an ACK must name its server */
		return;
	}
	c->lease = *m;
	if (!c->lease.server_id.s_addr)
		c->lease.server_id = c->offer.server_id;
	c->state = DHCPC_BOUND;
}

int dhcpc_input(struct dhcpc *c, const uint8_t *msg, size_t len, uint64_t now_ms)
{
	const struct dhcpc_state_desc *s = &states[c->state];
	struct dhcp_msg m;
	int rc;

	if (!s->rx)
		return 0;
	rc = dhcp_parse(msg, len, c->xid, c->mac, &m);
	if (rc == -EBADMSG) {
		c->malformed++;
		return 0;
	}
	if (rc) {
		c->ignored++;
		return 0;
	}
	s->rx(c, &m, now_ms);
	return c->state == DHCPC_BOUND;
}

int dhcpc_tick(struct dhcpc *c, uint64_t now_ms)
{
	if (c->state == DHCPC_BOUND)
		return 0;
	if (c->state == DHCPC_FAILED)
		return -ETIMEDOUT;
	if (now_ms >= c->deadline_ms) {
		c->state = DHCPC_FAILED;
		return -ETIMEDOUT;
	}
	if (now_ms < c->next_ms)
		return 0;
	if ((c->state == DHCPC_REQUESTING && c->tries >= REQUEST_TRIES) ||
	    (c->state == DHCPC_REBOOTING && c->tries >= REBOOT_TRIES)) {
		enter(c, DHCPC_SELECTING, now_ms);	/* the server went quiet: start over */
		return 0;
	}
	transmit(c, now_ms);
	return 0;
}

uint64_t dhcpc_next_ms(const struct dhcpc *c)
{
	if (c->state == DHCPC_BOUND || c->state == DHCPC_FAILED)
		return UINT64_MAX;
	return c->next_ms < c->deadline_ms ? c->next_ms : c->deadline_ms;
}
