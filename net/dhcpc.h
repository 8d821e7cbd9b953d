/*
 * dhcpc: the DHCPv4 client of one interface as a small table of states
 * (REBOOTING: REQUEST for a known address when one is given, RFC 2131 3.2;
 * SELECTING: DISCOVER until an OFFER; REQUESTING: REQUEST until ACK; a NAK
 * restarts at SELECTING; BOUND), with retransmission backoff (1, 2, 4, 8 s, +-25 %
 * jitter) and an overall timeout. No sockets and no clock of its own: the
 * caller passes the time, delivers received DHCP payloads and supplies a
 * send callback, so the same code runs on packet sockets, in unit tests and
 * in fuzzers.
 */
#ifndef NETINIT_NET_DHCPC_H
#define NETINIT_NET_DHCPC_H

#include <stdint.h>
#include "net/dhcp.h"

enum dhcpc_state {
	DHCPC_REBOOTING = 0,	/* INIT-REBOOT: REQUEST for c->requested, no server id */
	DHCPC_SELECTING,	/* DISCOVER sent, waiting for an OFFER */
	DHCPC_REQUESTING,	/* REQUEST sent, waiting for ACK/NAK */
	DHCPC_BOUND,		/* lease in hand: c->lease */
	DHCPC_FAILED,		/* overall timeout */
	DHCPC_NSTATES,
};

/* Send one DHCP message (the payload only; framing is the caller's). 0 or -errno. */
typedef int (*dhcpc_send_fn)(void *ctx, const uint8_t *msg, size_t len);

struct dhcpc {
	/* set by the caller before dhcpc_start */
	uint8_t mac[6];
	const char *hostname;		/* option 12, may be NULL */
	const char *vendor_class;	/* option 60, may be NULL */
	struct in_addr requested;	/* start in REBOOTING asking for it; 0 = none */
	uint64_t timeout_ms;		/* overall, from dhcpc_start */
	uint32_t seed;			/* jitter/xid randomness; any non-zero value */
	dhcpc_send_fn send;
	void *ctx;

	/* state */
	enum dhcpc_state state;
	uint32_t xid;
	uint64_t start_ms, deadline_ms, next_ms;
	unsigned tries;			/* transmissions in this state */
	unsigned naks;
	struct dhcp_msg offer;		/* the OFFER being requested */
	struct dhcp_msg lease;		/* the ACK, valid in DHCPC_BOUND */

	/* counters */
	unsigned malformed;		/* packets dropped as malformed */
	unsigned ignored;		/* well-formed but not for us / unexpected */
	unsigned sent;
};

/* Start (or restart) the client at time now: sends the first DISCOVER. */
void dhcpc_start(struct dhcpc *c, uint64_t now_ms);

/* Deliver one received DHCP payload. Returns 1 when the client just became
 * BOUND, 0 otherwise (dropped or progressed). */
int dhcpc_input(struct dhcpc *c, const uint8_t *msg, size_t len, uint64_t now_ms);

/* Run timers. Returns -ETIMEDOUT once the overall timeout passed (state
 * FAILED), else 0. */
int dhcpc_tick(struct dhcpc *c, uint64_t now_ms);

/* When dhcpc_tick must run next (absolute ms). */
uint64_t dhcpc_next_ms(const struct dhcpc *c);

/* "selecting", "requesting", "bound", "failed" */
const char *dhcpc_state_name(enum dhcpc_state s);

#endif
